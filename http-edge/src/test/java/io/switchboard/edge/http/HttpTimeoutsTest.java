package io.switchboard.edge.http;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.RawSocket;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.switchboard.edge.http.HostSocket.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every HTTP listener cuts a request head that stalls at the parse timeout and an idle connection at the idle
 * timeout, neither early nor much late; a stalled body is cut at the parse timeout; upgraded WebSockets are never cut
 * by either. An absurd chunk size gets 400 at once.
 */
final class HttpTimeoutsTest
{
    private static final long PARSE_TIMEOUT_MS = 1_000;
    private static final long IDLE_TIMEOUT_MS = 1_500;
    /** The scheduling of a loaded 2-core box. */
    private static final long LATE_MS = 500;
    /** A worker reading a body notices the cut within one wait slice (MetaverseServer). */
    private static final long BODY_SLICE_MS = 100;

    @TempDir
    static Path dataDir;
    private static Appliance appliance;

    @BeforeAll
    static void start()
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir,
            "--http-request-parse-timeout-ms=" + PARSE_TIMEOUT_MS, "--http-idle-timeout-ms=" + IDLE_TIMEOUT_MS)));
    }

    @AfterAll
    static void stop()
    {
        appliance.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "metaverse", "peerjs", "admin"})
    void aHalfSentRequestLineIsCutAtTheParseTimeoutAndCounted(final String listener) throws Exception
    {
        final long before = Scrape.value(appliance.port("admin"), timeouts(listener, "parse"));
        try (HostSocket slowloris = HostSocket.connect(LOOPBACK, appliance.port(listener)))
        {
            slowloris.send("GET /api/v1/metaverse_in");
            assertCutWithin(slowloris, PARSE_TIMEOUT_MS, PARSE_TIMEOUT_MS + LATE_MS);
        }
        assertEquals(before + 1, Scrape.awaitValue(appliance.port("admin"), timeouts(listener, "parse"), before + 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "metaverse", "peerjs", "admin"})
    void aSilentConnectionIsCutAtTheIdleTimeoutAndCounted(final String listener) throws Exception
    {
        final long before = Scrape.value(appliance.port("admin"), timeouts(listener, "idle"));
        try (HostSocket silent = HostSocket.connect(LOOPBACK, appliance.port(listener)))
        {
            assertCutWithin(silent, IDLE_TIMEOUT_MS, IDLE_TIMEOUT_MS + LATE_MS);
        }
        // The admin listener's own scrapes are kept alive by the client and may be cut too: at least this one.
        assertTrue(Scrape.awaitValue(appliance.port("admin"), timeouts(listener, "idle"), before + 1) >= before + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "metaverse", "peerjs", "admin"})
    void aKeptAliveConnectionIsCutAtTheIdleTimeoutAfterItsLastResponse(final String listener) throws Exception
    {
        try (HostSocket client = HostSocket.connect(LOOPBACK, appliance.port(listener)))
        {
            // From before the request: the idle time starts when the response is done, before this side has read it.
            final long sentNs = System.nanoTime();
            assertEquals(404, client.exchange(HostSocket.get("/no/such/path")));
            assertTrue(client.msUntilClosed(IDLE_TIMEOUT_MS + LATE_MS) >= 0, "not cut within the idle timeout");
            final long cutMs = msSince(sentNs);
            assertTrue(cutMs >= IDLE_TIMEOUT_MS, "cut early, after " + cutMs + " ms");
            assertTrue(cutMs <= IDLE_TIMEOUT_MS + LATE_MS, "cut late, after " + cutMs + " ms");
        }
    }

    @Test
    void aStalledBodyIsCutAtTheParseTimeoutAndGivesItsWorkerBack() throws Exception
    {
        final int port = appliance.port("metaverse");
        final String series = timeouts("metaverse", "body");
        final long cutBefore = Scrape.value(appliance.port("admin"), series);
        // More stalled bodies than the listener has workers (2 per core), each from its own host.
        final int stalled = 2 * Runtime.getRuntime().availableProcessors() + 2;
        final List<HostSocket> stalls = new ArrayList<>();
        final long firstSentNs = System.nanoTime();
        try
        {
            for (int i = 0; i < stalled; i++)
            {
                final HostSocket stall = HostSocket.connect("127.0.0." + (10 + i), port);
                stall.send("POST /api/v1/domains/temporary HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 100\r\n" +
                    "\r\n{\"domain\":");
                stalls.add(stall);
            }
            final CompletableFuture<Integer> created = CompletableFuture.supplyAsync(() ->
            {
                try (HostSocket client = HostSocket.connect(LOOPBACK, port))
                {
                    return client.exchange("POST /api/v1/domains/temporary HTTP/1.1\r\nHost: switchboard\r\n" +
                        "Content-Length: 0\r\n\r\n");
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            // Measured from before the first stalled head was sent: its deadline started once the appliance read it.
            assertTrue(stalls.get(0).msUntilClosed(PARSE_TIMEOUT_MS + LATE_MS) >= 0, "the first stalled body is cut");
            final long cutMs = msSince(firstSentNs);
            assertTrue(cutMs >= PARSE_TIMEOUT_MS, "cut early, after " + cutMs + " ms");
            assertTrue(cutMs <= PARSE_TIMEOUT_MS + LATE_MS, "cut late, after " + cutMs + " ms");
            assertEquals(200, created.get(PARSE_TIMEOUT_MS + BODY_SLICE_MS + LATE_MS, TimeUnit.MILLISECONDS));
            for (final HostSocket stall : stalls)
            {
                assertTrue(stall.isRefused(LATE_MS), "every stalled body is cut");
            }
        }
        finally
        {
            for (final HostSocket stall : stalls)
            {
                stall.close();
            }
        }
        assertEquals(cutBefore + stalled, Scrape.awaitValue(appliance.port("admin"), series, cutBefore + stalled));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/peerjs?key=peerjs&id=idle-peer&token=t", "/dop?key=peerjs&id=idle-dop"})
    void anUpgradedWebSocketOutlivesTheIdleTimeout(final String pathAndQuery) throws Exception
    {
        final RawSocket socket =
            RawSocket.open(URI.create("ws://127.0.0.1:" + appliance.port("peerjs") + pathAndQuery));
        try
        {
            // Silence both ways for twice the idle timeout (the dop handshake timeout, 10 s, is longer).
            Thread.sleep(2 * IDLE_TIMEOUT_MS);
            assertFalse(socket.isClosed(), "the WebSocket was cut while idle");
            socket.roundTrip();
        }
        finally
        {
            socket.abort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "metaverse", "peerjs", "admin"})
    void anAbsurdChunkSizeGets400AtOnce(final String listener) throws Exception
    {
        final String series =
            "switchboard_http_requests_refused_total{listener=\"" + listener + "\",reason=\"chunk_size\"}";
        final long before = Scrape.value(appliance.port("admin"), series);
        for (final String size : List.of("fffffffffffffffffff", "80000000", "zz"))
        {
            try (HostSocket client = HostSocket.connect(LOOPBACK, appliance.port(listener)))
            {
                final long startNs = System.nanoTime();
                assertEquals(400, client.exchange("POST /api/v1/domains/temporary HTTP/1.1\r\nHost: switchboard\r\n" +
                    "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n{}"), size);
                assertTrue(msSince(startNs) < PARSE_TIMEOUT_MS, "answered at once");
                assertTrue(client.isRefused(LATE_MS), "the connection is closed after the 400");
            }
        }
        assertEquals(before + 3, Scrape.awaitValue(appliance.port("admin"), series, before + 3));
    }

    private static void assertCutWithin(final HostSocket socket, final long earliestMs, final long latestMs)
        throws Exception
    {
        final long ms = socket.msUntilClosed(latestMs + 2_000);
        assertTrue(ms >= 0, "not cut within " + (latestMs + 2_000) + " ms");
        assertTrue(ms >= earliestMs, "cut early, after " + ms + " ms (not before " + earliestMs + ")");
        assertTrue(ms <= latestMs, "cut late, after " + ms + " ms (at most " + latestMs + ")");
    }

    private static String timeouts(final String listener, final String kind)
    {
        return "switchboard_http_timeouts_total{listener=\"" + listener + "\",kind=\"" + kind + "\"}";
    }

    private static long msSince(final long startNs)
    {
        return (System.nanoTime() - startNs) / 1_000_000;
    }
}
