package io.switchboard.edge.websocket;

import io.switchboard.edge.http.DescriptorLimit;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeContext;
import io.switchboard.edge.http.ListenerAdmission;
import io.switchboard.edge.tls.ServerTls;
import io.switchboard.edge.tls.TestPki;
import io.switchboard.edge.tls.TlsContext;
import io.switchboard.edge.tls.TlsHandshakes;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The TLS handshake of a signaling port's connection on its agent's wheel, with a fake clock and the duty cycles run
 * by the test: the handshake must complete within the parse timeout from adoption (the client's first bytes do not
 * move the deadline); cut, it counts as a failed handshake. A completed one is counted and the connection then has
 * the idle timeout from that moment. Neither fires early nor more than a tick late.
 */
class TlsHandshakeTimeoutTest
{
    private static final long START_MS = 4_321_000;
    private static final int PARSE_MS = 1_000;
    private static final int IDLE_MS = 1_500;
    /** Loopback delivery of what the client wrote, in real time (the fake clock stands still meanwhile). */
    private static final long DELIVERY_MS = 50;

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static SSLContext trusting;
    private static Path certFile;
    private static Path keyFile;

    private final AgentDeadlines time = new AgentDeadlines(START_MS);
    private final Metrics metrics = new Metrics();
    private final SignalingAgent agent =
        new SignalingAgent("test-agent", new Liveness(metrics).register("test-agent"), time.clock());
    private ServerTls tls;
    private TlsHandshakes handshakes;
    private ServerSocketChannel listener;
    private Socket client;

    @BeforeAll
    static void issue() throws Exception
    {
        pki = TestPki.ca("EC");
        trusting = pki.client();
        final TestPki.Issued server = pki.server("timeout.test", "EC");
        certFile = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(server.certificate()));
        keyFile = Files.writeString(dir.resolve("key.pem"), TestPki.pkcs8(server.keys().getPrivate()));
    }

    @BeforeEach
    void open() throws Exception
    {
        final HttpEdgeContext context = new HttpEdgeContext().requestParseTimeoutMs(PARSE_MS).idleTimeoutMs(IDLE_MS)
            .descriptorLimit(new DescriptorLimit(10_000, 10_000)).conclude();
        final ListenerAdmission admission = new HttpEdge(context, metrics).admission("test");
        tls = ServerTls.open(new TlsContext().certFile(certFile).keyFile(keyFile).listeners("peerjs").conclude(),
            metrics, new Liveness(metrics).register("tls"));
        final HttpConnection.Listener settings =
            HttpConnection.Listener.of("test-tls", exchange -> exchange.send(200, "text/plain", "ok"), admission, tls);
        handshakes = settings.handshakes();
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        agent.onStart();
        agent.doWork();
        client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        client.setSoTimeout(5_000);
        final SocketChannel accepted = listener.accept();
        accepted.configureBlocking(false);
        agent.enqueue(SignalingAgent.Command.ADOPT, new HttpConnection(
            accepted, admission.admit(InetAddress.getLoopbackAddress()), settings, agent));
        agent.doWork();
    }

    @AfterEach
    void close() throws IOException
    {
        agent.onClose();
        client.close();
        listener.close();
        tls.close();
    }

    @Test
    void aSilentConnectionIsCutAtTheHandshakeTimeoutFromAdoptionAndCountedAsFailed() throws Exception
    {
        time.assertCutAt(agent, client, START_MS + PARSE_MS);
        assertEquals(1, handshakes.failed().get());
        assertEquals(0, handshakes.completed().get());
    }

    @Test
    void theClientsFirstBytesDoNotMoveTheHandshakeDeadline() throws Exception
    {
        time.advance(400);
        client.getOutputStream().write(new byte[] {22, 3, 1}); // the start of a ClientHello's record
        Thread.sleep(DELIVERY_MS);
        agent.doWork();
        time.assertCutAt(agent, client, START_MS + PARSE_MS);
        assertEquals(1, handshakes.failed().get());
    }

    @Test
    void aHandshakeCutWhileItsTasksRunKeepsItsPlaceInTheBudgetUntilTheyComeBack() throws Exception
    {
        final CountDownLatch busy = new CountDownLatch(1);
        tls.handshakeTasks().execute(() -> await(busy)); // the one handshake thread, busy with another's task
        try
        {
            client.getOutputStream().write(clientHello());
            Thread.sleep(DELIVERY_MS);
            agent.doWork(); // the hello is read: the handshake's tasks are queued behind the busy one
            time.assertCutAt(agent, client, START_MS + PARSE_MS);
            assertEquals(1, inProgress(), "a cut handshake whose tasks still wait holds its place");
            assertEquals(0, handshakes.failed().get(), "not over yet");
        }
        finally
        {
            busy.countDown();
        }
        final long deadline = System.currentTimeMillis() + 5_000;
        while (inProgress() != 0 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(0, inProgress(), "its place comes back once its tasks are done");
        assertEquals(1, handshakes.failed().get());
        assertEquals(1, handshakes.skipped().get(), "the crypto of a handshake cut before it ran is not done");
        time.cycleAt(agent, time.nowMs()); // the task thread's RESUME finds the connection closed
        assertEquals(0, inProgress());
        assertEquals(1, handshakes.failed().get(), "counted once");
        assertEquals(0, handshakes.completed().get());
    }

    /** A TLS 1.3 ClientHello for the server, whole in its record. */
    private static byte[] clientHello() throws Exception
    {
        final SSLEngine hello = trusting.createSSLEngine("timeout.test", 443);
        hello.setUseClientMode(true);
        final ByteBuffer out = ByteBuffer.allocate(hello.getSession().getPacketBufferSize());
        hello.wrap(ByteBuffer.allocate(0), out);
        final byte[] bytes = new byte[out.flip().remaining()];
        out.get(bytes);
        return bytes;
    }

    /** The appliance-wide gauge of handshakes holding a place in the budget. */
    private long inProgress()
    {
        final long[] value = {-1};
        metrics.reader().forEach((id, type, key, label) ->
        {
            if (label.equals("switchboard_tls_handshakes_in_progress"))
            {
                value[0] = metrics.reader().getCounterValue(id);
            }
        });
        return value[0];
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aCompletedHandshakeIsCountedAndTheIdleTimeoutRunsFromIt() throws Exception
    {
        time.advance(600);
        final SSLSocket secured = (SSLSocket)trusting.getSocketFactory().createSocket(
            client, "127.0.0.1", client.getPort(), false);
        final CompletableFuture<Void> shaken = CompletableFuture.runAsync(() ->
        {
            try
            {
                secured.startHandshake();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        final long deadline = System.currentTimeMillis() + 10_000;
        while (!shaken.isDone() && System.currentTimeMillis() < deadline)
        {
            agent.doWork(); // the fake clock stands still: the handshake happens at START + 600
            Thread.sleep(1);
        }
        shaken.join();
        final long finishedBy = System.currentTimeMillis() + 5_000;
        while (handshakes.completed().get() == 0 && System.currentTimeMillis() < finishedBy)
        {
            agent.doWork(); // the client's Finished, checked on a handshake thread, then resumed here
            Thread.sleep(1);
        }
        assertEquals(1, handshakes.completed().get());
        time.assertCutAt(agent, client, time.nowMs() + IDLE_MS);
        assertEquals(0, handshakes.failed().get());
    }
}
