package io.switchboard.edge.tls;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our TLS 1.3 record layer against the JDK's own engine: a JDK client talks to a server whose engine was let go
 * ({@link ReleasedTls}), records both ways, KeyUpdate both ways, close_notify, tampering; and our layer as the client
 * of a JDK server, for the KeyUpdate a JDK client only sends at its key limit.
 */
class ReleasedTlsTest
{
    private static final int[] SIZES = {1, 2, 100, 1_000, 16_383, 16_384, 16_385, 40_000, 100_000};

    @TempDir
    Path dir;
    private ServerTls tls;
    private TestPki pki;
    private final TlsRecords tools = new TlsRecords();
    private final Random random = new Random(17);

    @BeforeEach
    void open() throws Exception
    {
        pki = TestPki.ca("EC");
        final TestPki.Issued issued = pki.server("localhost", "EC");
        final Path cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(issued.certificate()));
        final Path key = Files.writeString(dir.resolve("key.pem"), TestPki.pkcs8(issued.keys().getPrivate()));
        final Metrics metrics = new Metrics();
        tls = ServerTls.open(new TlsContext().certFile(cert).keyFile(key).listeners("peerjs").conclude(), metrics,
            new Liveness(metrics).register("switchboard-tls-reload"));
    }

    @AfterEach
    void close()
    {
        tls.close();
    }

    @Test
    void recordsOfEverySizeGoBothWaysBetweenAJdkClientAndAReleasedServer() throws Exception
    {
        for (final String suite : new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"})
        {
            final Pair pair = handshake(suite);
            final ReleasedTls server = ReleasedTls.take(pair.server);
            assertNotNull(server, suite);
            for (final int size : SIZES)
            {
                final byte[] up = bytes(size);
                assertArrayEquals(up, serverReads(server, clientWrites(pair, up), 7), suite + " up " + size);
                assertArrayEquals(up, serverReads(server, clientWrites(pair, up), 4096), suite + " up " + size);
                final byte[] down = bytes(size);
                assertArrayEquals(down, clientReads(pair, serverWrites(server, down)), suite + " down " + size);
            }
        }
    }

    @Test
    void ourKeyUpdateAskingForTheClientsIsAnsweredByTheJdkClientAndBothKeysMoveOn() throws Exception
    {
        final Pair pair = handshake(null);
        final ReleasedTls server = ReleasedTls.take(pair.server);
        final ByteBuffer out = ByteBuffer.allocate(1 << 18);
        server.sealKeyUpdate(tools, true, out);
        server.seal(tools, ByteBuffer.wrap("after".getBytes()), out);
        assertArrayEquals("after".getBytes(), clientReads(pair, bytes(out.flip())));
        // The client's answer (KeyUpdate, update_not_requested) goes ahead of its next data.
        final byte[] up = bytes(3_000);
        final ByteBuffer reply = ByteBuffer.allocate(1 << 10);
        assertArrayEquals(up, serverReads(server, clientWrites(pair, up), 100, reply));
        assertEquals(0, reply.position(), "nothing to answer to update_not_requested");
        final byte[] down = bytes(5_000);
        assertArrayEquals(down, clientReads(pair, serverWrites(server, down)));
    }

    @Test
    void aKeyUpdateAskingForOursIsAnsweredAndTheJdkServerAgrees() throws Exception
    {
        // Our layer as the client of a JDK server: the JDK checks our KeyUpdate and answers it with its own.
        final Pair pair = handshake(null);
        final byte[] ticket = clientReads(pair, new byte[0]); // the session ticket, still on its way
        assertEquals(0, ticket.length);
        final ReleasedTls client = ReleasedTls.take(pair.client);
        assertNotNull(client);
        final ByteBuffer out = ByteBuffer.allocate(1 << 18);
        client.sealKeyUpdate(tools, true, out);
        client.seal(tools, ByteBuffer.wrap("up".getBytes()), out);
        final ByteBuffer plain = ByteBuffer.allocate(1 << 18);
        final ByteBuffer net = out.flip();
        while (net.hasRemaining())
        {
            pair.server.unwrap(net, plain);
        }
        assertEquals("up", new String(bytes(plain.flip())));
        // The JDK server answers on its next wrap: its KeyUpdate, then data under its new key.
        final ByteBuffer answer = ByteBuffer.allocate(1 << 18);
        pair.server.wrap(ByteBuffer.wrap("down".getBytes()), answer);
        while (pair.server.getHandshakeStatus() == HandshakeStatus.NEED_WRAP)
        {
            pair.server.wrap(ByteBuffer.allocate(0), answer);
        }
        pair.server.wrap(ByteBuffer.wrap("down".getBytes()), answer);
        answer.flip();
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final ByteBuffer reply = ByteBuffer.allocate(1 << 10);
        int opened;
        while ((opened = client.open(tools, answer, reply)) != ReleasedTls.NEED_MORE)
        {
            got.write(tools.plaintext(), 0, opened);
        }
        assertEquals(0, reply.position());
        assertTrue(new String(got.toByteArray()).endsWith("down"), new String(got.toByteArray()));
        // And a released server answers a released client's update_requested the same way.
        final Pair other = handshake(null);
        clientReads(other, new byte[0]);
        final ReleasedTls releasedServer = ReleasedTls.take(other.server);
        final ReleasedTls releasedClient = ReleasedTls.take(other.client);
        final ByteBuffer ask = ByteBuffer.allocate(1 << 10);
        releasedClient.sealKeyUpdate(tools, true, ask);
        final ByteBuffer answered = ByteBuffer.allocate(1 << 10);
        assertEquals(0, releasedServer.open(tools, ask.flip(), answered));
        assertTrue(answered.position() > 0, "update_requested is answered with our KeyUpdate");
        assertEquals(0, releasedClient.open(tools, answered.flip(), ByteBuffer.allocate(1 << 10)));
        final ByteBuffer data = ByteBuffer.allocate(1 << 10);
        releasedServer.seal(tools, ByteBuffer.wrap("new keys".getBytes()), data);
        final int n = releasedClient.open(tools, data.flip(), ByteBuffer.allocate(1 << 10));
        assertEquals("new keys", new String(tools.plaintext(), 0, n));
    }

    @Test
    void atTheRecordLimitOurKeyIsUpdatedAndTheClientIsAskedToUpdateItsOwn() throws Exception
    {
        final Pair pair = handshake(null);
        final ReleasedTls server = ReleasedTls.take(pair.server, 3);
        for (int i = 0; i < 10; i++)
        {
            final byte[] down = bytes(50 + i);
            assertArrayEquals(down, clientReads(pair, serverWrites(server, down)), "record " + i);
        }
        // The client's records under one key: at the limit it is asked (KeyUpdate, update_requested) to update it.
        final ByteBuffer reply = ByteBuffer.allocate(1 << 10);
        for (int i = 0; i < 3; i++)
        {
            final byte[] up = bytes(70 + i);
            assertArrayEquals(up, serverReads(server, clientWrites(pair, up), 1 << 16, reply), "record " + i);
            assertEquals(i < 2 ? 0 : 5 + 5 + 1 + 16, reply.position(), "asked exactly at the limit, record " + i);
        }
        assertTrue(reply.position() > 0, "the client is asked to update its key");
        assertEquals(0, clientReads(pair, bytes(reply.flip())).length);
        for (int i = 0; i < 3; i++)
        {
            final byte[] up = bytes(90 + i); // the client's KeyUpdate comes first, then data under its new key
            assertArrayEquals(up, serverReads(server, clientWrites(pair, up), 1 << 16), "after the update " + i);
        }
    }

    @Test
    void eachTrafficKeyIsMadeOnceWhenItChangesNotPerRecord() throws Exception
    {
        final Pair pair = handshake(null);
        final ReleasedTls server = ReleasedTls.take(pair.server);
        final Object readKey = server.readKey();
        final Object writeKey = server.writeKey();
        for (int i = 0; i < 5; i++)
        {
            final byte[] up = bytes(100 + i);
            assertArrayEquals(up, serverReads(server, clientWrites(pair, up), 1 << 16));
            final byte[] down = bytes(200 + i);
            assertArrayEquals(down, clientReads(pair, serverWrites(server, down)));
        }
        assertSame(readKey, server.readKey(), "the read key of every record");
        assertSame(writeKey, server.writeKey(), "the write key of every record");
        final ByteBuffer out = ByteBuffer.allocate(1 << 10);
        server.sealKeyUpdate(tools, true, out);
        assertEquals(0, clientReads(pair, bytes(out.flip())).length);
        assertNotSame(writeKey, server.writeKey(), "a new write key at our KeyUpdate");
        final byte[] up = bytes(300); // the client's answering KeyUpdate first, then data under its new key
        assertArrayEquals(up, serverReads(server, clientWrites(pair, up), 1 << 16));
        assertNotSame(readKey, server.readKey(), "a new read key at the client's KeyUpdate");
        final byte[] down = bytes(400);
        assertArrayEquals(down, clientReads(pair, serverWrites(server, down)));
    }

    @Test
    void closeNotifyOfTheClientEndsTheStream() throws Exception
    {
        final Pair pair = handshake(null);
        final ReleasedTls server = ReleasedTls.take(pair.server);
        clientReads(pair, new byte[0]);
        pair.client.closeOutbound();
        final ByteBuffer net = ByteBuffer.allocate(1 << 15);
        final SSLEngineResult bye0 = pair.client.wrap(ByteBuffer.allocate(0), net);
        assertTrue(net.position() > 0, bye0 + " " + pair.client.getHandshakeStatus() + " " +
            pair.client.isOutboundDone());
        assertEquals(ReleasedTls.CLOSED, server.open(tools, net.flip(), ByteBuffer.allocate(1 << 10)));
        // Ours goes back, and the JDK client takes it as the end.
        final ByteBuffer bye = ByteBuffer.allocate(1 << 10);
        server.sealAlert(tools, ReleasedTls.CLOSE_NOTIFY, bye);
        final SSLEngineResult result = pair.client.unwrap(bye.flip(), ByteBuffer.allocate(1 << 15));
        assertEquals(0, bye.remaining());
        assertEquals(SSLEngineResult.Status.CLOSED, result.getStatus());
    }

    @Test
    void aTamperedRecordIsABadRecordMacAndTheJdkClientGetsTheAlert() throws Exception
    {
        final Pair pair = handshake(null);
        final ReleasedTls server = ReleasedTls.take(pair.server);
        clientReads(pair, new byte[0]);
        final byte[] record = clientWrites(pair, bytes(300));
        record[record.length - 20] ^= 1;
        final ReleasedTls.Alert alert = assertThrows(ReleasedTls.Alert.class,
            () -> server.open(tools, ByteBuffer.wrap(record), ByteBuffer.allocate(1 << 10)));
        assertEquals(ReleasedTls.BAD_RECORD_MAC, alert.description());
        final ByteBuffer out = ByteBuffer.allocate(1 << 10);
        server.sealAlert(tools, alert.description(), out);
        final SSLException seen = assertThrows(SSLException.class,
            () -> pair.client.unwrap(out.flip(), ByteBuffer.allocate(1 << 15)));
        assertTrue(seen.getMessage().contains("bad_record_mac"), seen.getMessage());
    }

    @Test
    void anUnprotectedRecordOrAFatalAlertOfTheClientEndsTheConnection() throws Exception
    {
        final Pair pair = handshake(null);
        final ReleasedTls server = ReleasedTls.take(pair.server);
        final byte[] clear = {22, 3, 3, 0, 4, 1, 0, 0, 0};
        assertEquals(ReleasedTls.UNEXPECTED_MESSAGE, assertThrows(ReleasedTls.Alert.class,
            () -> server.open(tools, ByteBuffer.wrap(clear), ByteBuffer.allocate(64))).description());
        final Pair other = handshake(null);
        final ReleasedTls released = ReleasedTls.take(other.server);
        clientReads(other, new byte[0]);
        final ReleasedTls client = ReleasedTls.take(other.client);
        final ByteBuffer alert = ByteBuffer.allocate(64);
        client.sealAlert(tools, 40, alert); // handshake_failure, fatal
        assertEquals(-1, assertThrows(ReleasedTls.Alert.class,
            () -> released.open(tools, alert.flip(), ByteBuffer.allocate(64))).description());
        assertEquals(ReleasedTls.NEED_MORE, released.open(tools, ByteBuffer.wrap(new byte[] {23, 3, 3, 1}),
            ByteBuffer.allocate(64)));
    }

    @Test
    void aKeyUpdateMustEndItsRecordSoOneRecordCostsAtMostOneDerivation() throws Exception
    {
        final byte[] update = {24, 0, 0, 1, 1};
        final byte[][] records = {
            {24, 0, 0, 1, 1, 24, 0, 0, 1, 1}, // two KeyUpdates in one record
            {24, 0, 0, 1, 0, 'x'}};           // a KeyUpdate and a byte after it
        for (final byte[] message : records)
        {
            final Pair pair = handshake(null);
            clientReads(pair, new byte[0]);
            final ReleasedTls server = ReleasedTls.take(pair.server);
            final ReleasedTls client = ReleasedTls.take(pair.client);
            final ByteBuffer sealed = ByteBuffer.allocate(1 << 10);
            client.sealHandshake(tools, message, sealed);
            final ByteBuffer reply = ByteBuffer.allocate(1 << 10);
            assertEquals(ReleasedTls.UNEXPECTED_MESSAGE, assertThrows(ReleasedTls.Alert.class,
                () -> server.open(tools, sealed.flip(), reply)).description());
            assertEquals(0, reply.position(), "no answer sealed for a refused record");
        }
        // One KeyUpdate alone in its record is taken and answered once.
        final Pair pair = handshake(null);
        clientReads(pair, new byte[0]);
        final ReleasedTls server = ReleasedTls.take(pair.server);
        final ByteBuffer sealed = ByteBuffer.allocate(1 << 10);
        ReleasedTls.take(pair.client).sealHandshake(tools, update, sealed);
        final ByteBuffer reply = ByteBuffer.allocate(1 << 10);
        assertEquals(0, server.open(tools, sealed.flip(), reply));
        assertEquals(5 + 5 + 1 + 16, reply.position(), "one KeyUpdate record: header, message, type, tag");
    }

    @Test
    void tls12AndChaCha20KeepTheirEngine() throws Exception
    {
        final TlsReleases releases = tls.releases();
        final Pair tls12 = handshake(null, "TLSv1.2");
        assertSame(TlsReleases.NEVER, releases.take(tls12.server));
        final Pair chacha = handshake("TLS_CHACHA20_POLY1305_SHA256", "TLSv1.3");
        assertSame(TlsReleases.NEVER, releases.take(chacha.server));
        final Pair gcm = handshake(null);
        assertNotNull(releases.take(gcm.server));
    }

    @Test
    void anEngineWithAHandshakeGoingOnIsNotTaken() throws Exception
    {
        final SSLEngine server = tls.newEngine();
        server.beginHandshake();
        assertNull(ReleasedTls.take(server));
    }

    // ---- the in-memory pair ----

    private record Pair(SSLEngine client, SSLEngine server, ByteBuffer toClient, ByteBuffer toServer)
    {
    }

    private Pair handshake(final String suite) throws Exception
    {
        return handshake(suite, "TLSv1.3");
    }

    private Pair handshake(final String suite, final String protocol) throws Exception
    {
        final SSLContext context = pki.client();
        final SSLEngine client = context.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        final SSLParameters parameters = client.getSSLParameters();
        parameters.setProtocols(new String[] {protocol});
        if (suite != null)
        {
            parameters.setCipherSuites(new String[] {suite});
        }
        client.setSSLParameters(parameters);
        final SSLEngine server = tls.newEngine();
        final Pair pair = new Pair(client, server, ByteBuffer.allocate(1 << 18), ByteBuffer.allocate(1 << 18));
        client.beginHandshake();
        server.beginHandshake();
        final ByteBuffer plain = ByteBuffer.allocate(1 << 18);
        for (int round = 0; round < 100 && !(idle(client) && idle(server)); round++)
        {
            step(client, pair.toClient, pair.toServer, plain);
            step(server, pair.toServer, pair.toClient, plain);
        }
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, server.getHandshakeStatus());
        assertEquals(protocol, server.getSession().getProtocol());
        assertEquals(0, pair.toServer.position(), "the server read all the client sent");
        return pair;
    }

    private static boolean idle(final SSLEngine engine)
    {
        return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
    }

    private static void step(final SSLEngine engine, final ByteBuffer in, final ByteBuffer out, final ByteBuffer plain)
        throws Exception
    {
        for (int i = 0; i < 20; i++)
        {
            switch (engine.getHandshakeStatus())
            {
                case NEED_TASK ->
                {
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask())
                    {
                        task.run();
                    }
                }
                case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN ->
                {
                    in.flip();
                    final int before = in.remaining();
                    engine.unwrap(in, plain);
                    final boolean consumed = in.remaining() != before;
                    in.compact();
                    if (!consumed)
                    {
                        return;
                    }
                }
                default ->
                {
                    return;
                }
            }
        }
    }

    private byte[] clientWrites(final Pair pair, final byte[] data) throws Exception
    {
        final ByteBuffer src = ByteBuffer.wrap(data);
        final ByteBuffer net = ByteBuffer.allocate(data.length * 2 + (1 << 16));
        do
        {
            final SSLEngineResult result = pair.client.wrap(src, net);
            assertEquals(SSLEngineResult.Status.OK, result.getStatus());
        }
        while (src.hasRemaining() || pair.client.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
        return bytes(net.flip());
    }

    /** The client's records in pieces of {@code piece} bytes, as reads would bring them. */
    private byte[] serverReads(final ReleasedTls server, final byte[] records, final int piece) throws Exception
    {
        return serverReads(server, records, piece, ByteBuffer.allocate(1 << 10));
    }

    private byte[] serverReads(final ReleasedTls server, final byte[] records, final int piece, final ByteBuffer reply)
        throws Exception
    {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final ByteBuffer net = ByteBuffer.allocate(1 << 18);
        for (int at = 0; at < records.length; at += piece)
        {
            net.put(records, at, Math.min(piece, records.length - at)).flip();
            int opened;
            while ((opened = server.open(tools, net, reply)) != ReleasedTls.NEED_MORE)
            {
                assertTrue(opened >= 0);
                got.write(tools.plaintext(), 0, opened);
            }
            net.compact();
        }
        assertEquals(0, net.position(), "no record left half read");
        return got.toByteArray();
    }

    private byte[] serverWrites(final ReleasedTls server, final byte[] data) throws Exception
    {
        final ByteBuffer src = ByteBuffer.wrap(data);
        final ByteBuffer out = ByteBuffer.allocate(data.length * 2 + (1 << 16));
        while (src.hasRemaining())
        {
            server.seal(tools, src, out);
        }
        return bytes(out.flip());
    }

    /** What the JDK client decrypts of {@code records} (and of what it was still owed). */
    private static byte[] clientReads(final Pair pair, final byte[] records) throws Exception
    {
        pair.toClient.put(records).flip();
        final ByteBuffer plain = ByteBuffer.allocate(1 << 18);
        while (pair.toClient.hasRemaining())
        {
            final SSLEngineResult result = pair.client.unwrap(pair.toClient, plain);
            assertEquals(SSLEngineResult.Status.OK, result.getStatus());
        }
        pair.toClient.clear();
        return bytes(plain.flip());
    }

    private byte[] bytes(final int n)
    {
        final byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytes(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
