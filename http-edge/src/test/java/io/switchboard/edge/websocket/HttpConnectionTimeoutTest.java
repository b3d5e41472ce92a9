package io.switchboard.edge.websocket;

import io.switchboard.edge.http.DescriptorLimit;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeContext;
import io.switchboard.edge.http.ListenerAdmission;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An HTTP connection's timeouts on its agent's wheel, with a fake clock and the duty cycles run by the test: the idle
 * timeout from adoption and from the end of a response, the parse timeout from a head's first byte, the body timeout
 * from the end of its head; each fires neither early nor more than a tick late, and is counted by kind.
 */
class HttpConnectionTimeoutTest
{
    private static final long START_MS = 7_654_321;
    private static final int PARSE_MS = 1_000;
    private static final int IDLE_MS = 1_500;
    /** Loopback delivery of what the client wrote, in real time (the fake clock stands still meanwhile). */
    private static final long DELIVERY_MS = 50;

    private final AgentDeadlines time = new AgentDeadlines(START_MS);
    private final SignalingAgent agent =
        new SignalingAgent("test-agent", new Liveness(new Metrics()).register("test-agent"), time.clock());
    private ListenerAdmission admission;
    private ServerSocketChannel listener;
    private Socket client;

    @BeforeEach
    void open() throws Exception
    {
        final HttpEdgeContext context = new HttpEdgeContext().requestParseTimeoutMs(PARSE_MS).idleTimeoutMs(IDLE_MS)
            .descriptorLimit(new DescriptorLimit(10_000, 10_000)).conclude();
        admission = new HttpEdge(context, new Metrics()).admission("test");
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        agent.onStart();
        agent.doWork();
        client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        client.setSoTimeout(5_000);
        final SocketChannel accepted = listener.accept();
        accepted.configureBlocking(false);
        final ListenerAdmission.Lease lease = admission.admit(InetAddress.getLoopbackAddress());
        final HttpService ok = exchange -> exchange.send(200, "text/plain", "ok");
        agent.enqueue(SignalingAgent.Command.ADOPT,
            new HttpConnection(accepted, lease, HttpConnection.Listener.of(ok, admission), agent));
        agent.doWork();
    }

    @AfterEach
    void close() throws IOException
    {
        agent.onClose();
        client.close();
        listener.close();
    }

    @Test
    void aSilentConnectionIsCutAtTheIdleTimeoutFromAdoption() throws Exception
    {
        time.assertCutAt(agent, client, START_MS + IDLE_MS);
        assertEquals(1, admission.idleTimeouts().get());
    }

    @Test
    void aStalledHeadIsCutAtTheParseTimeoutFromItsFirstByte() throws Exception
    {
        time.advance(300);
        send("GET /slow HTTP/1.1\r\nHost: x\r\n");
        time.assertCutAt(agent, client, time.nowMs() + PARSE_MS);
        assertEquals(1, admission.parseTimeouts().get());
        assertEquals(0, admission.idleTimeouts().get());
    }

    @Test
    void aStalledBodyIsCutAtTheParseTimeoutFromTheEndOfItsHead() throws Exception
    {
        time.advance(200);
        send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        time.assertCutAt(agent, client, time.nowMs() + PARSE_MS);
        assertEquals(1, admission.bodyTimeouts().get());
    }

    @Test
    void aKeptAliveConnectionIsCutAtTheIdleTimeoutFromItsLastResponse() throws Exception
    {
        time.advance(700);
        send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        final String response = new String(client.getInputStream().readNBytes(80), StandardCharsets.ISO_8859_1);
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"), response);
        time.assertCutAt(agent, client, time.nowMs() + IDLE_MS);
        assertEquals(1, admission.idleTimeouts().get());
        assertEquals(0, admission.parseTimeouts().get());
    }

    /** The client's bytes reach the agent, which reads them in one duty cycle at the current fake time. */
    private void send(final String text) throws Exception
    {
        client.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        Thread.sleep(DELIVERY_MS);
        agent.doWork();
    }
}
