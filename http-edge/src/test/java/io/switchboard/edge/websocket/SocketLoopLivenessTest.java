package io.switchboard.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.admin.AdminServer;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A socket thread that meets a Throwable: an exception in one unit of work is logged, counted and survived; an Error
 * ends the thread, fails its watch, and {@code /healthz} answers 503 naming it and its error.
 */
class SocketLoopLivenessTest
{
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String NAME = "switchboard-test-sockets-0";

    private final Metrics metrics = new Metrics();
    private final Liveness liveness = new Liveness(metrics);
    private final ObjectMapper json = new ObjectMapper();
    private final Watch watch = liveness.register(NAME);
    private final SocketLoop loop = new SocketLoop(NAME, watch);
    private final AdminServer admin = new AdminServer(
        new HttpEdge(new HttpEdgeContext().conclude(), metrics), "127.0.0.1", 0, metrics, liveness, () -> true, json,
        () -> { }, exchange -> exchange.setStatusCode(404));

    @AfterEach
    void stop()
    {
        loop.close();
        admin.close();
    }

    @Test
    void anExceptionIsCountedAndTheLoopGoesOnWhileAnErrorFailsItAndHealthzSays503() throws Exception
    {
        assertEquals(200, healthz().statusCode());

        loop.execute(() ->
        {
            throw new IllegalStateException("one connection's bug");
        });
        final CountDownLatch ranAfter = new CountDownLatch(1);
        loop.execute(ranAfter::countDown);
        assertTrue(ranAfter.await(5, TimeUnit.SECONDS), "the loop runs the next task");
        assertEquals(1, watch.errors());
        assertFalse(watch.failed());
        final JsonNode alive = agent(healthz());
        assertEquals("alive", alive.path("state").asText());
        assertEquals(1, alive.path("errors").asLong());
        assertEquals("java.lang.IllegalStateException: one connection's bug", alive.path("lastError").asText());

        final CountDownLatch failed = new CountDownLatch(1);
        liveness.onFailure(failed::countDown);
        loop.execute(() ->
        {
            throw new StackOverflowError("injected");
        });
        assertTrue(failed.await(5, TimeUnit.SECONDS), "the failure reaches the registry");
        final HttpResponse<String> health = healthz();
        assertEquals(503, health.statusCode());
        assertEquals("failed", json.readTree(health.body()).path("status").asText());
        final JsonNode dead = agent(health);
        assertEquals("failed", dead.path("state").asText());
        assertEquals("java.lang.StackOverflowError: injected", dead.path("lastError").asText());
        assertTrue(metricsText().contains("switchboard_agent_failed{agent=\"" + NAME + "\"} 1"));
        assertTrue(metricsText().contains("switchboard_agent_errors_total{agent=\"" + NAME + "\"} 1"));
    }

    /** The loop's entry; the admin listener's own is there too. */
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
