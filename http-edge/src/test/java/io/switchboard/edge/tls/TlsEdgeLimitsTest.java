package io.switchboard.edge.tls;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP listeners' limits hold over TLS: a handshake that stalls is cut at the request-parse timeout (the
 * handshake and the first request head share it), a kept-alive TLS connection at the idle timeout after its last
 * response, neither early nor much late; the per-host cap closes one connection too many on accept.
 */
class TlsEdgeLimitsTest
{
    private static final long PARSE_TIMEOUT_MS = 1_000;
    private static final long IDLE_TIMEOUT_MS = 1_500;
    /** The scheduling of a loaded 2-core box. */
    private static final long LATE_MS = 500;
    private static final int PER_HOST = 2;

    @TempDir
    static Path dir;
    private static SSLContext trusting;
    private static Appliance appliance;

    @BeforeAll
    static void start() throws Exception
    {
        final TestPki pki = TestPki.ca("EC");
        trusting = pki.client();
        final TestPki.Issued server = pki.server("limits.test", "EC");
        final Path cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(server.certificate()));
        final Path key = Files.writeString(dir.resolve("key.pem"), TestPki.pkcs8(server.keys().getPrivate()));
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dir.resolve("data"),
            "--tls-cert=" + cert, "--tls-key=" + key, "--tls-listeners=metaverse,rendezvous,admin",
            "--http-request-parse-timeout-ms=" + PARSE_TIMEOUT_MS, "--http-idle-timeout-ms=" + IDLE_TIMEOUT_MS,
            "--max-connections-per-host=" + PER_HOST)));
    }

    @AfterAll
    static void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    @Test
    void aStalledHandshakeIsCutAtTheParseTimeoutAndCountedAsFailed() throws Exception
    {
        final String parse = "switchboard_http_timeouts_total{listener=\"metaverse\",kind=\"parse\"}";
        final String failed = "switchboard_tls_handshakes_total{listener=\"metaverse\",result=\"failed\"}";
        final long parseBefore = scrape(parse);
        final long failedBefore = scrape(failed);
        try (Socket socket = new Socket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.31"), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", appliance.port("metaverse")));
            // The first bytes of a TLS record carrying a ClientHello, and then nothing.
            final long sentNs = System.nanoTime();
            socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00});
            socket.getOutputStream().flush();
            final long cutMs = msUntilClosed(socket, PARSE_TIMEOUT_MS + LATE_MS, sentNs);
            assertTrue(cutMs >= PARSE_TIMEOUT_MS, "cut early, after " + cutMs + " ms");
        }
        assertEquals(parseBefore + 1, awaitScrape(parse, parseBefore + 1));
        assertEquals(failedBefore + 1, awaitScrape(failed, failedBefore + 1));
    }

    @Test
    void aKeptAliveTlsConnectionIsCutAtTheIdleTimeoutAfterItsLastResponse() throws Exception
    {
        try (SSLSocket socket = TlsSockets.connect(trusting, "127.0.0.32", appliance.port("rendezvous"), "http/1.1"))
        {
            final long sentNs = System.nanoTime();
            assertTrue(TlsSockets.get(socket, "/no/such/path").startsWith("HTTP/1.1 404"));
            final long cutMs = msUntilClosed(socket, IDLE_TIMEOUT_MS + LATE_MS, sentNs);
            assertTrue(cutMs >= IDLE_TIMEOUT_MS, "cut early, after " + cutMs + " ms");
        }
    }

    @Test
    void oneTlsConnectionPastThePerHostCapIsClosedOnAcceptAndCounted() throws Exception
    {
        final String refused = "switchboard_http_connections_refused_total{listener=\"metaverse\",reason=\"per_host\"}";
        final long before = scrape(refused);
        final int port = appliance.port("metaverse");
        try (SSLSocket first = TlsSockets.connect(trusting, "127.0.0.33", port, "http/1.1");
             SSLSocket second = TlsSockets.connect(trusting, "127.0.0.33", port, "http/1.1"))
        {
            assertTrue(TlsSockets.get(first, "/api/metaverse_info").startsWith("HTTP/1.1 200"));
            assertTrue(TlsSockets.get(second, "/api/metaverse_info").startsWith("HTTP/1.1 200"));
            try (SSLSocket third = TlsSockets.connect(trusting, "127.0.0.33", port, "http/1.1"))
            {
                assertThrows(IOException.class, third::startHandshake);
            }
            assertEquals(before + 1, awaitScrape(refused, before + 1));
            try (SSLSocket otherHost = TlsSockets.connect(trusting, "127.0.0.34", port, "http/1.1"))
            {
                assertTrue(TlsSockets.get(otherHost, "/api/metaverse_info").startsWith("HTTP/1.1 200"));
            }
        }
    }

    /** Reads until the server closes; the ms from {@code sinceNs}, at most {@code withinMs} or the test fails. */
    private static long msUntilClosed(final Socket socket, final long withinMs, final long sinceNs) throws IOException
    {
        socket.setSoTimeout((int)(withinMs + LATE_MS));
        final InputStream in = socket.getInputStream();
        try
        {
            while (in.read() >= 0)
            {
                // Nothing is expected; a TLS alert would end with the close.
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("not cut within " + withinMs + " ms");
        }
        catch (final IOException ex)
        {
            // Reset or an alert: cut.
        }
        final long cutMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNs);
        assertTrue(cutMs <= withinMs, "cut late, after " + cutMs + " ms");
        return cutMs;
    }

    /** The admin listener speaks TLS here too: scraped over a socket trusting the test CA. */
    private static long scrape(final String series) throws IOException
    {
        try (SSLSocket socket = TlsSockets.connect(trusting, "127.0.0.1", appliance.port("admin"), "http/1.1"))
        {
            for (final String line : TlsSockets.get(socket, "/metrics").split("\n"))
            {
                if (line.startsWith(series + " "))
                {
                    return Long.parseLong(line.substring(series.length() + 1).trim());
                }
            }
        }
        throw new AssertionError("no series " + series);
    }

    private static long awaitScrape(final String series, final long expected) throws Exception
    {
        final long deadline = System.currentTimeMillis() + 5_000;
        long value = scrape(series);
        while (value != expected && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
            value = scrape(series);
        }
        return value;
    }
}
