package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 6455 framing of the PeerJS listener, driven byte by byte over plain TCP: fragments, control frames between
 * them, frames split across reads or larger than the read buffer, and every protocol violation answered with its
 * close code before the connection is cut.
 */
class PeerJsFramingTest
{
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    private static final int FIN = 0x80;

    @TempDir
    Path dir;
    private PeerJsAppliance appliance;
    private final List<TcpWebSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start()
    {
        appliance = PeerJsAppliance.start(dir, "--peerjs-max-frame-bytes=300000");
    }

    @AfterEach
    void stop() throws IOException
    {
        for (final TcpWebSocket socket : sockets)
        {
            socket.close();
        }
        appliance.close();
    }

    private TcpWebSocket open(final String id) throws IOException
    {
        return open(id, 0);
    }

    /** A registered client; {@code receiveBufferBytes > 0} shrinks its socket's receive buffer, so it fills soon. */
    private TcpWebSocket open(final String id, final int receiveBufferBytes) throws IOException
    {
        final Socket raw = new Socket();
        if (receiveBufferBytes > 0)
        {
            raw.setReceiveBufferSize(receiveBufferBytes);
        }
        raw.connect(new java.net.InetSocketAddress("127.0.0.1", appliance.port()), 5_000);
        final TcpWebSocket socket = TcpWebSocket.open(raw, "/peerjs?key=peerjs&id=" + id + "&token=t-" + id,
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13", new byte[0], true);
        sockets.add(socket);
        final TcpWebSocket.Frame open = socket.read();
        assertEquals(TEXT, open.opcode());
        assertTrue(open.text().contains("\"OPEN\""), open.text());
        return socket;
    }

    private static byte[] offer(final String dst, final String data)
    {
        return ("{\"type\":\"OFFER\",\"dst\":\"" + dst + "\",\"payload\":{\"sdp\":\"" + data + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fragmentsWithAPingBetweenArriveAsOneMessageAndThePingIsAnswered() throws IOException
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b");
        final byte[] message = offer("b", "fragmented");
        a.send(TEXT, slice(message, 0, 10), true);
        a.send(FIN | PING, "are you there".getBytes(StandardCharsets.US_ASCII), true);
        a.send(0, slice(message, 10, 30), true);
        a.send(FIN, slice(message, 30, message.length), true);

        final TcpWebSocket.Frame pong = a.read();
        assertEquals(PONG, pong.opcode());
        assertEquals("are you there", pong.text());
        final TcpWebSocket.Frame relayed = b.read();
        assertEquals(TEXT, relayed.opcode());
        assertTrue(relayed.text().contains("\"src\":\"a\"") && relayed.text().contains("fragmented"), relayed.text());
    }

    @Test
    void aFrameWrittenByteByByteAndBinaryFramesAreRelayed() throws Exception
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b");
        final byte[] frame = TcpWebSocket.frame(FIN | TEXT, offer("b", "slowly"), true);
        for (final byte octet : frame)
        {
            a.out.write(octet);
            a.out.flush();
            Thread.sleep(1);
        }
        assertTrue(b.read().text().contains("slowly"));
        a.send(FIN | BINARY, offer("b", "as binary"), true);
        assertTrue(b.read().text().contains("as binary"));
    }

    @Test
    void messagesOfOneReadKeepTheirOrderPerPeerWhenWrittenTogether() throws IOException
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b");
        final TcpWebSocket c = open("c");
        final ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++)
        {
            burst.writeBytes(TcpWebSocket.frame(FIN | TEXT, offer(i % 5 == 4 ? "c" : "b", "n" + i), true));
        }
        burst.writeBytes(TcpWebSocket.frame(FIN | PING, new byte[] {7}, true));
        a.out.write(burst.toByteArray());
        a.out.flush();
        for (int i = 0; i < 50; i++)
        {
            final TcpWebSocket to = i % 5 == 4 ? c : b;
            assertTrue(to.read().text().contains("\"n" + i + "\""), "message " + i);
        }
        assertEquals(PONG, a.read().opcode());
    }

    @Test
    void framesCutAtRandomPlacesAcrossWritesArriveWholeAndInOrder() throws Exception
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b");
        final java.util.Random random = new java.util.Random(42);
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        final int messages = 300;
        for (int i = 0; i < messages; i++)
        {
            final String padding = "p".repeat(random.nextInt(random.nextBoolean() ? 100 : 70_000));
            final byte[] message = offer("b", "m" + i + "-" + padding);
            if (random.nextInt(4) == 0)
            {
                final int cut = 1 + random.nextInt(message.length - 1);
                stream.writeBytes(TcpWebSocket.frame(TEXT, slice(message, 0, cut), true));
                stream.writeBytes(TcpWebSocket.frame(FIN, slice(message, cut, message.length), true));
            }
            else
            {
                stream.writeBytes(TcpWebSocket.frame(FIN | TEXT, message, true));
            }
        }
        final byte[] bytes = stream.toByteArray();
        final Thread writer = new Thread(() ->
        {
            try
            {
                for (int at = 0; at < bytes.length; )
                {
                    final int chunk = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 40 : 90_000));
                    a.out.write(bytes, at, chunk);
                    a.out.flush();
                    at += chunk;
                    if (random.nextInt(8) == 0)
                    {
                        Thread.sleep(1);
                    }
                }
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        writer.start();
        for (int i = 0; i < messages; i++)
        {
            final String text = b.read().text();
            assertTrue(text.contains("\"sdp\":\"m" + i + "-"), "message " + i + " out of order or lost");
        }
        writer.join();
    }

    @Test
    void framesForAPeerThatIsNotReadingWaitInOrderAndFollowOnceItReads() throws IOException
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b", 4_096);
        sendLargeOffers(a, "b", 20);
        a.send(FIN | PING, new byte[] {1}, true);
        assertEquals(PONG, a.read().opcode(), "the sender is served while the receiver's frames wait");
        for (int i = 0; i < 20; i++)
        {
            assertTrue(b.read().text().contains("\"q" + i + "-x"), "message " + i);
        }
        b.send(FIN | PING, new byte[] {2}, true);
        assertEquals(PONG, b.read().opcode());
    }

    @Test
    void withTwoSocketThreadsFramesCrossThreadsInOrderAndQueuedOnesFollow() throws IOException
    {
        appliance.close();
        appliance = PeerJsAppliance.start(dir, "--peerjs-max-frame-bytes=300000", "--peerjs-io-threads=2");
        // Each id is owned by one thread (a stable hash of the id): "a" and "b" are owned by different ones.
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b", 4_096);
        sendLargeOffers(a, "b", 20);
        a.send(FIN | PING, new byte[] {1}, true);
        assertEquals(PONG, a.read().opcode());
        for (int i = 0; i < 20; i++)
        {
            assertTrue(b.read().text().contains("\"q" + i + "-x"), "message " + i);
        }
        for (int i = 0; i < 50; i++)
        {
            b.send(FIN | TEXT, offer("a", "n" + i), true);
        }
        for (int i = 0; i < 50; i++)
        {
            assertTrue(a.read().text().contains("\"n" + i + "\""), "message " + i);
        }
    }

    @Test
    void aPeerThatReadsTooSlowlyIsClosedAsASlowConsumer() throws Exception
    {
        appliance.close();
        appliance = PeerJsAppliance.start(dir, "--peerjs-max-frame-bytes=300000", "--peerjs-max-send-buffer-bytes=500000");
        final TcpWebSocket a = open("a");
        open("b", 4_096);
        sendLargeOffers(a, "b", 60);
        assertEquals(1, Scrape.awaitValue(appliance.adminPort(),
            "switchboard_peerjs_server_closes_total{cause=\"slow_consumer\"}", 1));
        expectPongAfterNewsOfB(a);
    }

    @Test
    void aPeerThatFailsItsConnectionWhileFramesWaitForItIsCutAfterTheGrace() throws Exception
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b", 4_096);
        sendLargeOffers(a, "b", 80);
        a.send(FIN | PING, new byte[] {1}, true);
        assertEquals(PONG, a.read().opcode(), "b's frames are queued by now");
        b.send(FIN | TEXT, offer("a", "unmasked"), false);
        // b reads nothing, so its queue (and the close frame behind it) never drains: the grace cuts it.
        long open = -1;
        for (int i = 0; i < 300 && open != 1; i++)
        {
            Thread.sleep(20);
            open = Scrape.value(appliance.adminPort(), "switchboard_peerjs_open_connections");
        }
        assertEquals(1, open);
        expectPongAfterNewsOfB(a);
    }

    /** {@code count} OFFERs of 100 KB each, numbered q0, q1, ... */
    private static void sendLargeOffers(final TcpWebSocket from, final String dst, final int count) throws IOException
    {
        final String filler = "x".repeat(100_000);
        for (int i = 0; i < count; i++)
        {
            from.send(FIN | TEXT, offer(dst, "q" + i + "-" + filler), true);
        }
    }

    /** Pings; once b is gone, a hears so first (LEAVE, or EXPIRE for offers still on their way), then the pong. */
    private static void expectPongAfterNewsOfB(final TcpWebSocket a) throws IOException
    {
        a.send(FIN | PING, new byte[] {9}, true);
        TcpWebSocket.Frame reply = a.read();
        while (reply.opcode() == TEXT)
        {
            assertTrue(reply.text().matches(".*\"(LEAVE|EXPIRE)\".*"), reply.text());
            reply = a.read();
        }
        assertEquals(PONG, reply.opcode());
    }

    @Test
    void aMessageLargerThanTheReadBufferArrivesWhole() throws IOException
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b");
        final String big = "x".repeat(200_000);
        a.send(FIN | TEXT, offer("b", big), true);
        final TcpWebSocket.Frame relayed = b.read();
        assertTrue(relayed.text().contains(big));
    }

    /**
     * One write carries more than the socket loop defers per batch (small, 270 KB, small, then seven of 70 KB): the
     * large one is written at once behind what was deferred before it, the others flush early; all keep their order.
     */
    @Test
    void messagesPastWhatABatchDefersKeepTheirOrder() throws IOException
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b");
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        final String[] paddings = {"s", "L".repeat(270_000), "s", "m".repeat(70_000), "m".repeat(70_000),
            "m".repeat(70_000), "m".repeat(70_000), "m".repeat(70_000), "m".repeat(70_000), "m".repeat(70_000), "s"};
        for (int i = 0; i < paddings.length; i++)
        {
            stream.writeBytes(TcpWebSocket.frame(FIN | TEXT, offer("b", "m" + i + "-" + paddings[i]), true));
        }
        a.out.write(stream.toByteArray());
        a.out.flush();
        for (int i = 0; i < paddings.length; i++)
        {
            assertTrue(b.read().text().contains("\"sdp\":\"m" + i + "-" + paddings[i] + "\""), "message " + i);
        }
    }

    @Test
    void theClientsCloseIsEchoedThenTheConnectionEnds() throws IOException
    {
        final TcpWebSocket a = open("a");
        a.send(FIN | CLOSE, new byte[] {0x03, (byte)0xE9}, true);
        final TcpWebSocket.Frame close = a.read();
        assertEquals(CLOSE, close.opcode());
        assertEquals(1001, close.code());
        assertThrows(EOFException.class, a::read);
    }

    @Test
    void anUnmaskedFrameIsAProtocolError() throws Exception
    {
        expectClose(TEXT | FIN, offer("a", "unmasked"), false, 1002);
    }

    @Test
    void reservedBitsAndOpcodesAreProtocolErrors() throws Exception
    {
        expectClose(FIN | 0x40 | TEXT, offer("a", "rsv1"), true, 1002);
        expectClose(FIN | 0x3, offer("a", "opcode 3"), true, 1002);
        expectClose(FIN, offer("a", "continuation of nothing"), true, 1002);
        expectClose(PING, new byte[0], true, 1002);
        expectClose(FIN | PING, new byte[126], true, 1002);
    }

    @Test
    void invalidUtf8TextIsClosedWith1007() throws Exception
    {
        expectClose(FIN | TEXT, new byte[] {'{', (byte)0xC0, (byte)0x80, '}'}, true, 1007);
    }

    @Test
    void aMessageOverTheLimitIsRefusedFromItsHeader() throws IOException
    {
        final TcpWebSocket a = open("a");
        // Only the header of a 400 KB frame: the close comes before any of its payload.
        final byte[] header = {(byte)(FIN | TEXT), (byte)(0x80 | 127), 0, 0, 0, 0, 0, 0x06, 0x1A, (byte)0x80, 1, 2, 3, 4};
        a.out.write(header);
        a.out.flush();
        assertEquals(1009, a.read().code());
    }

    @Test
    void handshakeProblemsAreAnsweredOverHttp() throws IOException
    {
        try (TcpWebSocket old = TcpWebSocket.open(appliance.port(), "/peerjs?key=peerjs&id=x&token=t", "8", false))
        {
            assertTrue(old.status.startsWith("HTTP/1.1 426"), old.status);
            assertTrue(old.headers.toLowerCase().contains("sec-websocket-version: 13"), old.headers);
        }
        try (TcpWebSocket keyless = TcpWebSocket.open(appliance.port(), "/peerjs?key=peerjs&id=x&token=t", "Sec-WebSocket-Version: 13",
            new byte[0], false))
        {
            assertTrue(keyless.status.startsWith("HTTP/1.1 400"), keyless.status);
        }
    }

    @Test
    void framesSentWithTheUpgradeRequestAreReadAfterIt() throws Exception
    {
        // Bytes read past the upgrade request with it are the WebSocket's first bytes.
        final byte[] ping = TcpWebSocket.frame(FIN | PING, "early".getBytes(StandardCharsets.US_ASCII), true);
        try (TcpWebSocket early = TcpWebSocket.open(appliance.port(), "/peerjs?key=peerjs&id=e&token=t-e",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13", ping, true))
        {
            final TcpWebSocket.Frame open = early.read();
            assertTrue(open.text().contains("\"OPEN\""), open.text());
            final TcpWebSocket.Frame pong = early.read();
            assertEquals(PONG, pong.opcode());
            assertEquals("early", pong.text());
        }
        final TcpWebSocket later = open("later");
        later.send(FIN | PING, new byte[] {1}, true);
        assertEquals(PONG, later.read().opcode());
        assertEquals(2, Scrape.value(appliance.adminPort(), "switchboard_peerjs_connections_opened_total"));
    }

    @Test
    void upgradedConnectionsRelayAndClose() throws Exception
    {
        final TcpWebSocket a = open("a");
        final TcpWebSocket b = open("b");
        a.send(FIN | TEXT, offer("b", "after the release"), true);
        assertTrue(b.read().text().contains("after the release"));
        a.close();
        b.send(FIN | CLOSE, new byte[] {0x03, (byte)0xE8}, true);
        assertEquals(2, Scrape.awaitValue(appliance.adminPort(), "switchboard_peerjs_connections_closed_total", 2));
        assertEquals(0, Scrape.awaitValue(appliance.adminPort(), "switchboard_peerjs_open_connections", 0));
        assertEquals(0, Scrape.awaitValue(appliance.adminPort(), "switchboard_peerjs_clients", 0));
    }

    @Test
    void stoppingTheApplianceEndsOpenSockets() throws IOException
    {
        final TcpWebSocket a = open("a");
        appliance.close();
        // Frames (a close) may come first; then the end of the stream or a reset, never the 5 s read timeout.
        final IOException end = assertThrows(IOException.class, () ->
        {
            while (true)
            {
                a.read();
            }
        });
        assertTrue(end instanceof EOFException || end instanceof java.net.SocketException, end.toString());
    }

    private void expectClose(final int b0, final byte[] payload, final boolean masked, final int code)
        throws IOException, InterruptedException
    {
        final TcpWebSocket socket = open("p" + ThreadLocalRandom.current().nextInt(1_000_000));
        socket.send(b0, payload, masked);
        final TcpWebSocket.Frame close = socket.read();
        assertEquals(CLOSE, close.opcode());
        assertEquals(code, close.code());
        assertThrows(EOFException.class, socket::read);
        if (code != 1009)
        {
            assertTrue(Scrape.value(appliance.adminPort(),
                "switchboard_peerjs_server_closes_total{cause=\"protocol_error\"}") > 0);
        }
    }

    private static byte[] slice(final byte[] bytes, final int from, final int to)
    {
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }
}
