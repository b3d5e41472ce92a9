package io.switchboard.edge.websocket;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both WebSocket paths of the PeerJS port (PeerJS and dop, both on switchboard's own RFC 6455 layer) against
 * the appliance over loopback, byte by byte: unfinished messages held within the per-socket limit and the shared
 * budget (1009 past either, the bytes given back), and close codes a peer may not send answered with 1002.
 */
class WebSocketHardeningTest
{
    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    private static final int FIN = 0x80;
    private static final String KEY_AND_VERSION =
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";
    private static final int FRAGMENT = 60_000;
    private static final String HELD = "switchboard_ws_partial_bytes";

    @TempDir
    Path dir;
    private Appliance appliance;
    private final List<TcpWebSocket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException
    {
        for (final TcpWebSocket socket : sockets)
        {
            socket.close();
        }
        appliance.close();
    }

    private void start(final String... extra)
    {
        final List<String> args = new ArrayList<>(Arrays.asList(extra));
        args.add("--data-dir=" + dir);
        appliance = Appliance.start(Options.parse(AnyPorts.with(args.toArray(String[]::new))));
    }

    private TcpWebSocket open(final String target) throws IOException
    {
        final Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", appliance.port("peerjs")), 5_000);
        final TcpWebSocket socket = TcpWebSocket.open(raw, target, KEY_AND_VERSION, new byte[0], true);
        sockets.add(socket);
        return socket;
    }

    /** A registered PeerJS client, OPEN taken. */
    private TcpWebSocket peer(final String id) throws IOException
    {
        final TcpWebSocket socket = open("/peerjs?key=peerjs&id=" + id + "&token=t-" + id);
        assertTrue(socket.read().text().contains("\"OPEN\""));
        return socket;
    }

    /** A dop socket whose server token has arrived (its handshake left unfinished). */
    private TcpWebSocket dop(final String id) throws IOException
    {
        final TcpWebSocket socket = open("/dop?key=peerjs&id=" + id);
        assertEquals(TEXT, socket.read().opcode());
        return socket;
    }

    private long scrape(final String series) throws Exception
    {
        return Scrape.value(appliance.port("admin"), series);
    }

    private long awaitScrape(final String series, final long expected) throws Exception
    {
        return Scrape.awaitValue(appliance.port("admin"), series, expected);
    }

    /** Sends {@code count} fragments of {@link #FRAGMENT} bytes, the first opening a text message, none final. */
    private static void sendFragments(final TcpWebSocket socket, final int count, final boolean opening)
        throws IOException
    {
        final byte[] bytes = new byte[FRAGMENT];
        Arrays.fill(bytes, (byte)'x');
        for (int i = 0; i < count; i++)
        {
            socket.send(i == 0 && opening ? TEXT : CONTINUATION, bytes, true);
        }
    }

    /** Pings and waits for the pong: everything sent before has been handled. */
    private static void roundTrip(final TcpWebSocket socket) throws IOException
    {
        socket.send(FIN | PING, new byte[] {7}, true);
        final TcpWebSocket.Frame pong = socket.read();
        assertEquals(PONG, pong.opcode(), () -> "close " + pong.code() + " instead of a pong");
    }

    private static int closeCode(final TcpWebSocket socket) throws IOException
    {
        TcpWebSocket.Frame frame = socket.read();
        while (frame.opcode() != CLOSE)
        {
            frame = socket.read();
        }
        return frame.code();
    }

    /** A PeerJS OFFER to {@code dst} of exactly {@code length} bytes. */
    private static byte[] offerOfLength(final String dst, final int length)
    {
        final String head = "{\"type\":\"OFFER\",\"dst\":\"" + dst + "\",\"payload\":\"";
        final String tail = "\"}";
        return (head + "p".repeat(length - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    private static void sendInFragments(final TcpWebSocket socket, final byte[] message) throws IOException
    {
        for (int at = 0; at < message.length; at += FRAGMENT)
        {
            final int end = Math.min(message.length, at + FRAGMENT);
            socket.send((at == 0 ? TEXT : CONTINUATION) | (end == message.length ? FIN : 0),
                Arrays.copyOfRange(message, at, end), true);
        }
    }

    @Nested
    class PeerJsPartialMessages
    {
        @Test
        void unfinishedMessagesFillTheBudgetThenTheNextSocketGets1009AndSignalingGoesOn() throws Exception
        {
            // Eight fragments of 60,000 bytes make a 480,000-byte buffer: ten such sockets fit, an eleventh does not.
            start("--ws-partial-budget-bytes=4900000");
            final List<TcpWebSocket> holders = new ArrayList<>();
            for (int i = 0; i < 10; i++)
            {
                final TcpWebSocket holder = peer("holder" + i);
                sendFragments(holder, 8, true);
                roundTrip(holder);
                holders.add(holder);
            }
            assertEquals(4_800_000, scrape(HELD));

            final TcpWebSocket eleventh = peer("eleventh");
            sendFragments(eleventh, 2, true);
            assertEquals(1009, closeCode(eleventh));
            assertEquals(1, scrape("switchboard_ws_partial_refused_total{reason=\"budget\"}"));
            assertEquals(4_800_000, awaitScrape(HELD, 4_800_000), "the refused socket gave back what it held");

            final TcpWebSocket a = peer("a");
            final TcpWebSocket b = peer("b");
            a.send(FIN | TEXT, "{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":1}".getBytes(StandardCharsets.UTF_8), true);
            assertEquals("{\"type\":\"OFFER\",\"src\":\"a\",\"dst\":\"b\",\"payload\":1}", b.read().text());

            holders.get(0).close();
            assertEquals(4_320_000, awaitScrape(HELD, 4_320_000), "a socket that goes gives its bytes back");
            holders.get(1).send(FIN | CONTINUATION, new byte[] {'x'}, true);
            assertEquals(3_840_000, awaitScrape(HELD, 3_840_000), "a message that completes gives its bytes back");
        }

        @Test
        void aMessageMayReachThePerSocketLimitAndOneByteMoreGets1009() throws Exception
        {
            start("--ws-max-partial-bytes-per-socket=300000");
            final TcpWebSocket a = peer("a");
            final TcpWebSocket b = peer("b");
            sendInFragments(a, offerOfLength("b", 300_000));
            final String relayed = b.read().text();
            assertTrue(relayed.startsWith("{\"type\":\"OFFER\",\"src\":\"a\",\"dst\":\"b\",\"payload\":\"ppp"), relayed);
            assertEquals(0, awaitScrape(HELD, 0));

            sendInFragments(a, offerOfLength("b", 300_001));
            assertEquals(1009, closeCode(a));
            assertEquals(1, scrape("switchboard_ws_partial_refused_total{reason=\"socket_limit\"}"));
            assertEquals(0, awaitScrape(HELD, 0));
        }
    }

    @Nested
    class DopPartialMessages
    {
        @Test
        void anUnfinishedMessageIsHeldWithinTheBudgetAndGivenBackWhenTheSocketGoes() throws Exception
        {
            // dop sockets hold messages as PeerJS ones do: 200,000 bytes fill a buffer doubled from the first
            // fragment's 60,000 to 240,000; a second one past 120,000 would pass 400,000.
            start("--ws-partial-budget-bytes=400000");
            final TcpWebSocket first = dop("first");
            sendFragments(first, 3, true);
            first.send(CONTINUATION, new byte[20_000], true);
            roundTrip(first);
            assertEquals(240_000, scrape(HELD));

            final TcpWebSocket second = dop("second");
            // Its third fragment takes it past 120,000: the doubled buffer would pass the budget, so it is refused
            // there (a write after it could meet the closed socket).
            sendFragments(second, 3, true);
            assertEquals(1009, closeCode(second));
            assertEquals(1, scrape("switchboard_ws_partial_refused_total{reason=\"budget\"}"));
            assertEquals(240_000, awaitScrape(HELD, 240_000));

            first.close();
            assertEquals(0, awaitScrape(HELD, 0));
        }

        @Test
        void aMessageOverThePerSocketLimitGets1009() throws Exception
        {
            start("--ws-max-partial-bytes-per-socket=100000");
            final TcpWebSocket socket = dop("long");
            sendFragments(socket, 1, true);
            socket.send(CONTINUATION, new byte[40_000], true);
            roundTrip(socket);
            socket.send(CONTINUATION, new byte[1], true);
            assertEquals(1009, closeCode(socket));
            assertEquals(1, scrape("switchboard_ws_partial_refused_total{reason=\"socket_limit\"}"));
            assertEquals(0, awaitScrape(HELD, 0));
        }
    }

    @Nested
    class CloseCodes
    {
        @ParameterizedTest
        @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000})
        void aCloseCodeAPeerMayNotSendGets1002OnPeerJs(final int code) throws Exception
        {
            start();
            final TcpWebSocket socket = peer("p");
            socket.send(FIN | CLOSE, new byte[] {(byte)(code >>> 8), (byte)code}, true);
            assertEquals(1002, closeCode(socket));
            assertEquals(1, scrape("switchboard_peerjs_server_closes_total{cause=\"protocol_error\"}"));
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000})
        void aCloseCodeAPeerMayNotSendGets1002OnDop(final int code) throws Exception
        {
            start();
            final TcpWebSocket socket = dop("d");
            socket.send(FIN | CLOSE, new byte[] {(byte)(code >>> 8), (byte)code}, true);
            assertEquals(1002, closeCode(socket));
        }

        @Test
        void validCodesAreEchoedAndABrokenClosePayloadIsRefused() throws Exception
        {
            start();
            final TcpWebSocket registered = peer("registered");
            registered.send(FIN | CLOSE, new byte[] {0x03, (byte)0xF4}, true);
            assertEquals(1012, closeCode(registered));
            final TcpWebSocket application = peer("application");
            application.send(FIN | CLOSE, new byte[] {0x0F, (byte)0xA0, 'o', 'k'}, true);
            assertEquals(4000, closeCode(application));
            final TcpWebSocket oneByte = peer("oneByte");
            oneByte.send(FIN | CLOSE, new byte[] {0x03}, true);
            assertEquals(1002, closeCode(oneByte));
            final TcpWebSocket badReason = peer("badReason");
            badReason.send(FIN | CLOSE, new byte[] {0x03, (byte)0xE8, (byte)0xC0, (byte)0x80}, true);
            assertEquals(1007, closeCode(badReason));
            final TcpWebSocket dop = dop("d");
            dop.send(FIN | CLOSE, new byte[] {0x0F, (byte)0xA0}, true);
            assertEquals(4000, closeCode(dop));
        }
    }
}
