package io.switchboard.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.admin.AdminServer;
import io.switchboard.edge.admin.Console;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeContext;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signaling agent that meets a Throwable: an exception in one connection's handling ends that connection and is
 * logged, counted and survived (the agent serves its other sockets); an Error ends the thread, fails its watch, and
 * {@code /healthz} answers 503 naming it and its error.
 */
class SignalingAgentLivenessTest
{
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String NAME = "switchboard-test-sockets-0";

    private final Metrics metrics = new Metrics();
    private final Liveness liveness = new Liveness(metrics);
    private final ObjectMapper json = new ObjectMapper();
    private final SignalingAgents agents = new SignalingAgents(1, "switchboard-test-sockets", liveness);
    private final Watch watch = liveness.watches().get(0);
    /** Not watched by this liveness: the test counts its agents. */
    private final Console console = new Console(new Metrics(), new Liveness(new Metrics()), () -> true, json, 1);
    private final AdminServer admin = new AdminServer(
        new HttpEdge(new HttpEdgeContext().conclude(), metrics), "127.0.0.1", 0, metrics, liveness, () -> true, json,
        () -> { }, exchange -> exchange.setStatusCode(404), console, () -> null);

    @AfterEach
    void stop()
    {
        agents.close();
        admin.close();
        console.close();
    }

    @Test
    void anExceptionIsCountedAndTheLoopGoesOnWhileAnErrorFailsItAndHealthzSays503() throws Exception
    {
        assertEquals(200, healthz().statusCode());

        final AgentSockets sockets = new AgentSockets();
        final SignalingAgent agent = agents.next();
        final AgentSockets.Pair buggy = sockets.open(agent, throwing(() -> new IllegalStateException("one connection's bug")));
        final CountDownLatch echoed = new CountDownLatch(1);
        final AgentSockets.Pair healthy = sockets.open(agent, new WebSocketConnection.Handler()
        {
            @Override
            public void onMessage(final byte[] bytes, final int length)
            {
                echoed.countDown();
            }

            @Override
            public void onClosed()
            {
            }
        });
        buggy.server().start();
        healthy.server().start();
        buggy.sendText("boom");
        assertTrue(buggy.cutByServer(), "the faulty connection ends");
        healthy.sendText("still there?");
        assertTrue(echoed.await(5, TimeUnit.SECONDS), "the agent serves its other sockets");
        assertTrue(healthy.server().isOpen());
        assertEquals(1, watch.errors());
        assertFalse(watch.failed());
        final JsonNode alive = agent(healthz());
        assertEquals("alive", alive.path("state").asText());
        assertEquals(1, alive.path("errors").asLong());
        assertEquals("java.lang.IllegalStateException: one connection's bug", alive.path("lastError").asText());

        final CountDownLatch failed = new CountDownLatch(1);
        liveness.onFailure(failed::countDown);
        final AgentSockets.Pair fatal = sockets.open(agent, throwing(() -> new StackOverflowError("injected")));
        fatal.server().start();
        fatal.sendText("boom");
        assertTrue(failed.await(5, TimeUnit.SECONDS), "the failure reaches the registry");
        assertArrayEquals(new byte[]{(byte)0x88, 2, 0x03, (byte)0xE9}, healthy.read(4), "a failed agent says 1001");
        assertTrue(healthy.cutByServer(), "and cuts its sockets");
        sockets.close();
        final HttpResponse<String> health = healthz();
        assertEquals(503, health.statusCode());
        assertEquals("failed", json.readTree(health.body()).path("status").asText());
        final JsonNode dead = agent(health);
        assertEquals("failed", dead.path("state").asText());
        assertEquals("java.lang.StackOverflowError: injected", dead.path("lastError").asText());
        assertTrue(metricsText().contains("switchboard_agent_failed{agent=\"" + NAME + "\"} 1"));
        assertTrue(metricsText().contains("switchboard_agent_errors_total{agent=\"" + NAME + "\"} 1"));
    }

    private static WebSocketConnection.Handler throwing(final java.util.function.Supplier<? extends Throwable> fault)
    {
        return new WebSocketConnection.Handler()
        {
            @Override
            public void onMessage(final byte[] bytes, final int length)
            {
                final Throwable thrown = fault.get();
                if (thrown instanceof RuntimeException runtime)
                {
                    throw runtime;
                }
                throw (Error)thrown;
            }

            @Override
            public void onClosed()
            {
            }
        };
    }

    /** The agent's entry; the admin listener's own is there too. */
    private JsonNode agent(final HttpResponse<String> health) throws Exception
    {
        final JsonNode agents = json.readTree(health.body()).path("agents");
        assertEquals(2, agents.size(), health.body());
        assertEquals(NAME, agents.get(0).path("name").asText());
        assertEquals("switchboard-admin-http", agents.get(1).path("name").asText());
        return agents.get(0);
    }

    private HttpResponse<String> healthz() throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private String metricsText() throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }
}
