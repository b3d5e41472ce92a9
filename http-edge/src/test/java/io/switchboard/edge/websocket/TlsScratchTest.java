package io.switchboard.edge.websocket;

import io.switchboard.edge.tls.ReleasedTls;
import io.switchboard.edge.tls.ServerTls;
import io.switchboard.edge.tls.TestPki;
import io.switchboard.edge.tls.TlsContext;
import io.switchboard.edge.tls.TlsHandshakes;
import io.switchboard.edge.tls.TlsRecords;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent's TLS buffers fit every session they serve, whichever connection made them: a released connection (its
 * engine let go) handed to an agent that had no TLS connection yet, and then a JDK engine's connection on that agent
 * that receives a record of the largest plaintext (16 KiB and its content type), read by a reader with little room.
 */
class TlsScratchTest
{
    private static final long DEADLINE_MS = 10_000;

    @TempDir
    Path dir;
    private final Metrics metrics = new Metrics();
    private final Liveness liveness = new Liveness(metrics);
    private final SignalingAgent handshaking = agent("handshaking");
    private final SignalingAgent other = agent("other");
    private final List<AutoCloseable> open = new ArrayList<>();
    private SSLContext trusting;
    private ServerTls tls;
    private TlsHandshakes handshakes;
    private ServerSocketChannel listener;
    private SocketChannel accepted;

    @BeforeEach
    void open() throws Exception
    {
        final TestPki pki = TestPki.ca("EC");
        trusting = pki.client();
        final TestPki.Issued server = pki.server("scratch.test", "EC");
        final Path cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(server.certificate()));
        final Path key = Files.writeString(dir.resolve("key.pem"), TestPki.pkcs8(server.keys().getPrivate()));
        tls = ServerTls.open(new TlsContext().certFile(cert).keyFile(key).listeners("peerjs").handshakeThreads(0)
            .conclude(), metrics, liveness.register("tls"));
        handshakes = tls.handshakes("test");
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable closeable : open)
        {
            closeable.close();
        }
        listener.close();
        tls.close();
    }

    @Test
    void aReleasedConnectionFirstOnAnAgentLeavesBuffersThatHoldTheLargestRecordOfAnEngine() throws Exception
    {
        final Connected released = connect(handshaking, true);
        assertEquals(1, value("switchboard_tls_released_total{result=\"released\"}"), "the engine was let go");
        released.server.ownedBy(other); // the agent's first TLS connection: its buffers are made for this one
        released.client.getOutputStream().write("hello".getBytes());
        assertArrayEquals("hello".getBytes(), read(released.server, 5, 1_000));

        // A client that fills its records to the brim (as browsers do; the JDK's own stop a little short).
        final Socket plain = accept();
        final TlsChannel kept = serve(other, false);
        final SSLEngine client = trusting.createSSLEngine("scratch.test", 443);
        client.setUseClientMode(true);
        shake(client, plain, kept);
        final ReleasedTls brim = ReleasedTls.take(client);
        final byte[] largest = new byte[TlsRecords.MAX_PLAINTEXT];
        new Random(5).nextBytes(largest);
        final ByteBuffer record = ByteBuffer.allocate(1 << 16);
        brim.seal(new TlsRecords(), ByteBuffer.wrap(largest), record);
        assertEquals(TlsRecords.HEADER_BYTES + TlsRecords.MAX_PLAINTEXT + 1 + TlsRecords.TAG_BYTES, record.position());
        plain.getOutputStream().write(record.array(), 0, record.position());
        assertArrayEquals(largest, read(kept, largest.length, 1_000));
    }

    /** A client engine's handshake with {@code server} over {@code plain}, driven here. */
    private static void shake(final SSLEngine client, final Socket plain, final TlsChannel server) throws Exception
    {
        final ByteBuffer in = ByteBuffer.allocate(1 << 17);
        final ByteBuffer out = ByteBuffer.allocate(1 << 17);
        final ByteBuffer sink = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!(client.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING &&
            server.handshaken()) && System.currentTimeMillis() < deadline)
        {
            switch (client.getHandshakeStatus())
            {
                case NEED_TASK ->
                {
                    Runnable task;
                    while ((task = client.getDelegatedTask()) != null)
                    {
                        task.run();
                    }
                }
                case NEED_WRAP ->
                {
                    client.wrap(ByteBuffer.allocate(0), out.clear());
                    plain.getOutputStream().write(out.array(), 0, out.position());
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN ->
                {
                    final int available = plain.getInputStream().available();
                    if (available > 0)
                    {
                        in.put(plain.getInputStream().readNBytes(available));
                    }
                    client.unwrap(in.flip(), sink.clear());
                    in.compact();
                }
                default ->
                {
                }
            }
            server.read(sink.clear());
            Thread.sleep(1);
        }
        assertTrue(server.handshaken());
        assertEquals(SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING, client.getHandshakeStatus());
    }

    private record Connected(SSLSocket client, TlsChannel server)
    {
    }

    /** A TLS 1.3 connection served on {@code agent}, its handshake done; its engine let go when {@code release}. */
    private Connected connect(final SignalingAgent agent, final boolean release) throws Exception
    {
        final Socket plain = accept();
        final TlsChannel server = serve(agent, release);
        final SSLSocket client = (SSLSocket)trusting.getSocketFactory().createSocket(
            plain, "scratch.test", plain.getPort(), true);
        open.add(client);
        final CompletableFuture<Void> shaken = CompletableFuture.runAsync(() ->
        {
            try
            {
                client.startHandshake();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
        final ByteBuffer nothing = ByteBuffer.allocate(1 << 16);
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!(shaken.isDone() && server.handshaken()) && System.currentTimeMillis() < deadline)
        {
            server.read(nothing);
            Thread.sleep(1);
        }
        shaken.join();
        assertTrue(server.handshaken());
        assertEquals(0, nothing.position());
        return new Connected(client, server);
    }

    /** The client end of a new connection; its server end is {@link #serve}d next. */
    private Socket accept() throws IOException
    {
        final Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        open.add(plain);
        plain.setSoTimeout((int)DEADLINE_MS);
        accepted = listener.accept();
        open.add(accepted);
        accepted.configureBlocking(false);
        return plain;
    }

    /** The TLS layer of the connection accepted last, on {@code agent}. */
    private TlsChannel serve(final SignalingAgent agent, final boolean release)
    {
        return new TlsChannel(accepted, tls.newEngine(), handshakes.begin(null), null, null, agent,
            release ? tls.releases() : null);
    }

    /** {@code length} bytes read from {@code server} by a reader with {@code room} bytes at a time. */
    private static byte[] read(final TlsChannel server, final int length, final int room) throws Exception
    {
        final ByteBuffer got = ByteBuffer.allocate(length);
        final ByteBuffer dst = ByteBuffer.allocate(room);
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (got.hasRemaining() && System.currentTimeMillis() < deadline)
        {
            if (server.read(dst.clear()) < 0)
            {
                break;
            }
            got.put(dst.flip());
            Thread.sleep(1);
        }
        return got.array();
    }

    private long value(final String series)
    {
        final long[] value = {-1};
        metrics.reader().forEach((id, type, keyBuffer, label) ->
        {
            if (label.equals(series))
            {
                value[0] = metrics.reader().getCounterValue(id);
            }
        });
        return value[0];
    }

    private SignalingAgent agent(final String name)
    {
        return new SignalingAgent(name, liveness.register(name), System::nanoTime);
    }
}
