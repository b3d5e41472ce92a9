package io.switchboard.edge.http;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.switchboard.edge.http.HostSocket.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PeerJS port's own HTTP/1.1 against the running appliance over real sockets: limits answered with their status
 * and counted (431, 413, 400), keep-alive and pipelined requests answered in order, bodies read and discarded (after
 * a 100 Continue when the client waits for one), and a WebSocket handshake whose first frame came in the same TCP
 * segment.
 */
final class SignalingHttpTest
{
    private static final long LATE_MS = 500;
    private static final String KEY_AND_VERSION =
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";

    @TempDir
    static Path dataDir;
    private static Appliance appliance;

    @BeforeAll
    static void start()
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir)));
    }

    @AfterAll
    static void stop()
    {
        appliance.close();
    }

    @Test
    void aHeadOver16KiBIsAnswered431AndCounted() throws Exception
    {
        final String series = refused("head_too_large");
        final long before = Scrape.value(admin(), series);
        try (HostSocket client = HostSocket.connect(LOOPBACK, port()))
        {
            assertEquals(431, client.exchange("GET / HTTP/1.1\r\nHost: switchboard\r\nX-Pad: " + "a".repeat(17_000) +
                "\r\n\r\n"));
            assertTrue(client.isRefused(LATE_MS), "the connection ends after the 431");
        }
        assertEquals(before + 1, Scrape.awaitValue(admin(), series, before + 1));
    }

    @Test
    void aBodyOver64KiBIsAnswered413AtOnceAndCounted() throws Exception
    {
        final String series = refused("body_too_large");
        final long before = Scrape.value(admin(), series);
        for (final String framing : new String[]{"Content-Length: 65537\r\n", "Transfer-Encoding: chunked\r\n"})
        {
            try (HostSocket client = HostSocket.connect(LOOPBACK, port()))
            {
                final String body = framing.startsWith("Content") ? "" : "10001\r\n";
                assertEquals(413, client.exchange("POST /peerjs/id HTTP/1.1\r\nHost: switchboard\r\n" + framing +
                    "\r\n" + body), framing);
                assertTrue(client.isRefused(LATE_MS), "the connection ends after the 413");
            }
        }
        assertEquals(before + 2, Scrape.awaitValue(admin(), series, before + 2));
    }

    @Test
    void aMalformedHeadIsAnswered400AndCounted() throws Exception
    {
        final String series = refused("malformed");
        final long before = Scrape.value(admin(), series);
        for (final String head : new String[]{
            "GET / HTTP/1.1\r\nHost: switchboard\r\nX-A: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "GARBAGE\r\n\r\n"})
        {
            try (HostSocket client = HostSocket.connect(LOOPBACK, port()))
            {
                assertEquals(400, client.exchange(head), head);
                assertTrue(client.isRefused(LATE_MS), "the connection ends after the 400");
            }
        }
        assertEquals(before + 3, Scrape.awaitValue(admin(), series, before + 3));
    }

    @Test
    void aKeptAliveConnectionServesOneRequestAfterAnother() throws Exception
    {
        try (HostSocket client = HostSocket.connect(LOOPBACK, port()))
        {
            assertEquals(200, client.exchange(HostSocket.get("/")));
            assertEquals(200, client.exchange(HostSocket.get("/peerjs/id")));
            assertEquals(404, client.exchange(HostSocket.get("/no/such/path")));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception
    {
        try (HostSocket client = HostSocket.connect(LOOPBACK, port()))
        {
            client.send(HostSocket.get("/peerjs/peers") + HostSocket.get("/") + HostSocket.get("/no/such/path") +
                "HEAD /peerjs/id HTTP/1.1\r\nHost: switchboard\r\n\r\n" + HostSocket.get("/peerjs/id"));
            assertEquals(401, client.readResponse());
            assertEquals(200, client.readResponse());
            assertEquals(404, client.readResponse());
            assertTrue(client.readHead().startsWith("HTTP/1.1 200 OK\r\n"), "HEAD: a head without a body");
            assertEquals(200, client.readResponse());
        }
    }

    @Test
    void smallBodiesAreReadAndDiscardedBeforeTheNextRequest() throws Exception
    {
        try (HostSocket client = HostSocket.connect(LOOPBACK, port()))
        {
            client.send("POST /peerjs/id HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 5\r\n\r\nGET /" +
                "POST /peerjs/id HTTP/1.1\r\nHost: switchboard\r\nTransfer-Encoding: chunked\r\n\r\n" +
                "4\r\nGET \r\n1;x=y\r\n/\r\n0\r\nTrailer: t\r\n\r\n" + HostSocket.get("/"));
            assertEquals(404, client.readResponse(), "a POST is not found; its body is not a request");
            assertEquals(404, client.readResponse(), "nor is a chunked one's");
            assertEquals(200, client.readResponse(), "the request after the bodies");
        }
    }

    @Test
    void aClientExpecting100ContinueIsToldToSendItsBody() throws Exception
    {
        try (HostSocket client = HostSocket.connect(LOOPBACK, port()))
        {
            assertEquals(100, client.exchange("POST /peerjs/id HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 5\r\n" +
                "Expect: 100-continue\r\n\r\n"));
            assertEquals(404, client.exchange("hello"), "the answer once the body is in");
        }
    }

    @Test
    void aHandshakeAndAFrameInOneSegmentBothArrive() throws Exception
    {
        final byte[] ping = TcpWebSocket.frame(0x80 | 0x9, "early".getBytes(StandardCharsets.US_ASCII), true);
        try (TcpWebSocket dop = TcpWebSocket.open(port(), "/dop?key=peerjs&id=early-dop", KEY_AND_VERSION, ping, true))
        {
            TcpWebSocket.Frame frame = dop.read();
            if (frame.opcode() != 0xA)
            {
                frame = dop.read(); // the session token comes first
            }
            assertEquals(0xA, frame.opcode());
            assertEquals("early", frame.text());
        }
    }

    private static int port()
    {
        return appliance.port("peerjs");
    }

    private static int admin()
    {
        return appliance.port("admin");
    }

    private static String refused(final String reason)
    {
        return "switchboard_http_requests_refused_total{listener=\"peerjs\",reason=\"" + reason + "\"}";
    }
}
