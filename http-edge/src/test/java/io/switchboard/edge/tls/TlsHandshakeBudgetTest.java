package io.switchboard.edge.tls;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crypto CPU budget on the real appliance, over real sockets: a connection to a TLS listener holds a place from
 * accept (after its PROXY header under {@code --proxy-protocol}) until its handshake completes or fails. Past
 * {@code --tls-max-handshakes-per-host} for its client host, or {@code --tls-max-handshakes} over every TLS listener,
 * a connection is closed before a byte of TLS and counted refused, on the PeerJS port (our acceptor) and on the
 * Undertow listeners alike; each place comes back when its handshake ends, so the gauge returns to 0 (no leak).
 */
class TlsHandshakeBudgetTest
{
    private static final int TOTAL = 4;
    private static final int PER_HOST = 2;
    private static final String IN_PROGRESS = "switchboard_tls_handshakes_in_progress";
    /** Long enough that no silent connection of a test is cut by the handshake timeout meanwhile. */
    private static final int PARSE_TIMEOUT_MS = 30_000;

    @TempDir
    static Path dir;
    private static SSLContext trusting;
    private static Path cert;
    private static Path key;
    private static Appliance appliance;
    private final List<Socket> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception
    {
        final TestPki pki = TestPki.ca("EC");
        trusting = pki.client();
        final TestPki.Issued server = pki.server("budget.test", "EC");
        cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(server.certificate()));
        key = Files.writeString(dir.resolve("key.pem"), TestPki.pkcs8(server.keys().getPrivate()));
        appliance = start("plain");
    }

    private static Appliance start(final String name, final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("--data-dir=" + dir.resolve("data-" + name),
            "--tls-cert=" + cert, "--tls-key=" + key, "--tls-listeners=peerjs,metaverse",
            "--tls-max-handshakes=" + TOTAL, "--tls-max-handshakes-per-host=" + PER_HOST,
            "--http-request-parse-timeout-ms=" + PARSE_TIMEOUT_MS));
        args.addAll(List.of(extra));
        return Appliance.start(Options.parse(AnyPorts.with(args.toArray(String[]::new))));
    }

    @AfterAll
    static void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    @AfterEach
    void closeSockets() throws Exception
    {
        for (final Socket socket : open)
        {
            socket.close();
        }
        open.clear();
        assertEquals(0, Scrape.awaitValue(appliance.port("admin"), IN_PROGRESS, 0), "every place given back");
    }

    @Test
    void aHostPastItsHandshakesIsRefusedBeforeAnyCryptoOnThePeerJsPortAndItsPlacesComeBack() throws Exception
    {
        final int port = appliance.port("peerjs");
        final long refused = value(refused("peerjs"));
        final long failed = value(failed("peerjs"));
        silent("127.0.0.41", port);
        silent("127.0.0.41", port);
        assertEquals(PER_HOST, Scrape.awaitValue(appliance.port("admin"), IN_PROGRESS, PER_HOST));

        assertClosedWithoutAByte(silent("127.0.0.41", port));
        assertEquals(refused + 1, Scrape.awaitValue(appliance.port("admin"), refused("peerjs"), refused + 1));
        assertEquals(PER_HOST, value(IN_PROGRESS), "a refusal takes no place");

        try (SSLSocket other = TlsSockets.connect(trusting, "127.0.0.42", port, "http/1.1"))
        {
            assertTrue(TlsSockets.get(other, "/peerjs/id").startsWith("HTTP/1.1 200"), "another host shakes hands");
            assertEquals(PER_HOST, Scrape.awaitValue(appliance.port("admin"), IN_PROGRESS, PER_HOST),
                "a completed handshake gives its place back while its connection stays open");
        }
        closeAll();
        assertEquals(0, Scrape.awaitValue(appliance.port("admin"), IN_PROGRESS, 0), "failed ones give theirs back");
        assertEquals(failed + PER_HOST, Scrape.awaitValue(appliance.port("admin"), failed("peerjs"), failed + PER_HOST));
        try (SSLSocket again = TlsSockets.connect(trusting, "127.0.0.41", port, "http/1.1"))
        {
            assertTrue(TlsSockets.get(again, "/peerjs/id").startsWith("HTTP/1.1 200"), "the host has room again");
        }
    }

    @Test
    void everyTlsListenerDrawsOnOneTotalAndAnUndertowListenerRefusesPastIt() throws Exception
    {
        final long refused = value(refused("metaverse"));
        silent("127.0.0.51", appliance.port("peerjs"));
        silent("127.0.0.52", appliance.port("peerjs"));
        silent("127.0.0.53", appliance.port("metaverse"));
        silent("127.0.0.54", appliance.port("metaverse"));
        assertEquals(TOTAL, Scrape.awaitValue(appliance.port("admin"), IN_PROGRESS, TOTAL));

        assertClosedWithoutAByte(silent("127.0.0.55", appliance.port("metaverse")));
        assertEquals(refused + 1, Scrape.awaitValue(appliance.port("admin"), refused("metaverse"), refused + 1));
        final long peerJsRefused = value(refused("peerjs"));
        assertClosedWithoutAByte(silent("127.0.0.56", appliance.port("peerjs")));
        assertEquals(peerJsRefused + 1,
            Scrape.awaitValue(appliance.port("admin"), refused("peerjs"), peerJsRefused + 1));

        open.remove(0).close();
        assertEquals(TOTAL - 1, Scrape.awaitValue(appliance.port("admin"), IN_PROGRESS, TOTAL - 1));
        try (SSLSocket next = TlsSockets.connect(trusting, "127.0.0.57", appliance.port("metaverse"), "http/1.1"))
        {
            assertTrue(TlsSockets.get(next, "/api/metaverse_info").startsWith("HTTP/1.1 200"), "a freed place is used");
        }
    }

    @Test
    void aTls12ClientsRenegotiationIsRefusedOnThePeerJsPortForItWouldBeAHandshakeOutsideTheBudget() throws Exception
    {
        try (SSLSocket socket = TlsSockets.connect(trusting, "127.0.0.61", appliance.port("peerjs"), "http/1.1"))
        {
            final SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.2"});
            socket.setSSLParameters(parameters);
            assertTrue(TlsSockets.get(socket, "/peerjs/id").startsWith("HTTP/1.1 200"));
            socket.startHandshake(); // a second handshake on an established TLS 1.2 connection: a renegotiation
            assertThrows(IOException.class, () -> TlsSockets.get(socket, "/peerjs/id"));
        }
    }

    @Test
    void aTls12ClientsRenegotiationIsRefusedOnAnUndertowListenerToo() throws Exception
    {
        try (SSLSocket socket = TlsSockets.connect(trusting, "127.0.0.62", appliance.port("metaverse"), "http/1.1"))
        {
            final SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.2"});
            socket.setSSLParameters(parameters);
            assertTrue(TlsSockets.get(socket, "/api/metaverse_info").startsWith("HTTP/1.1 200"));
            socket.startHandshake(); // a renegotiation, which Undertow's engine would otherwise go through with
            final IOException refused =
                assertThrows(IOException.class, () -> TlsSockets.get(socket, "/api/metaverse_info"));
            assertFalse(refused instanceof SocketTimeoutException, "refused at once, not left hanging: " + refused);
        }
    }

    /** Here the handshakes' tasks run on the signaling agent ({@code --tls-handshake-threads=0}), as they may. */
    @Test
    void behindATrustedProxyThePerHostCapIsTheClientsThePROXYHeaderNames() throws Exception
    {
        try (Appliance proxied = start("proxied", "--trusted-proxies=127.0.0.1", "--proxy-protocol=true",
            "--tls-handshake-threads=0"))
        {
            final int port = proxied.port("peerjs");
            final int admin = proxied.port("admin");
            final String refused = refused("peerjs");
            silentBehindProxy("203.0.113.5", port);
            silentBehindProxy("203.0.113.5", port);
            assertEquals(PER_HOST, Scrape.awaitValue(admin, IN_PROGRESS, PER_HOST));
            assertClosedWithoutAByte(silentBehindProxy("203.0.113.5", port));
            assertEquals(1, Scrape.awaitValue(admin, refused, 1));
            silentBehindProxy("203.0.113.6", port);
            assertEquals(PER_HOST + 1, Scrape.awaitValue(admin, IN_PROGRESS, PER_HOST + 1),
                "another client behind the same proxy has its own places");
            try (SSLSocket secured = (SSLSocket)trusting.getSocketFactory().createSocket(
                silentBehindProxy("203.0.113.7", port), "127.0.0.1", port, true))
            {
                secured.setSoTimeout(TlsSockets.READ_TIMEOUT_MS);
                final SSLParameters parameters = secured.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"http/1.1"});
                secured.setSSLParameters(parameters);
                assertTrue(TlsSockets.get(secured, "/peerjs/id").startsWith("HTTP/1.1 200"),
                    "a handshake behind the proxy completes, its tasks on the agent");
                assertEquals(1, Scrape.awaitValue(admin, "switchboard_tls_handshakes_total{listener=\"peerjs\"," +
                    "result=\"completed\"}", 1));
            }
            closeAll();
            assertEquals(0, Scrape.awaitValue(admin, IN_PROGRESS, 0));
        }
    }

    /** A connection from {@code host} that sends nothing: its handshake is in progress until it closes. */
    private Socket silent(final String host, final int port) throws IOException
    {
        final Socket socket = new Socket();
        open.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        return socket;
    }

    /** As {@link #silent}, from the trusted proxy at 127.0.0.1, after a PROXY v1 header naming {@code client}. */
    private Socket silentBehindProxy(final String client, final int port) throws IOException
    {
        final Socket socket = silent("127.0.0.1", port);
        socket.getOutputStream().write(("PROXY TCP4 " + client + " 127.0.0.1 40000 " + port + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The server closes {@code socket} at once, having sent nothing (no TLS alert, no handshake). */
    private static void assertClosedWithoutAByte(final Socket socket) throws IOException
    {
        socket.setSoTimeout(5_000);
        final InputStream in = socket.getInputStream();
        try
        {
            assertEquals(-1, in.read(), "closed without a byte");
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("not closed", ex);
        }
        catch (final IOException ex)
        {
            // Reset: closed without a byte.
        }
    }

    private void closeAll() throws IOException
    {
        for (final Socket socket : open)
        {
            socket.close();
        }
        open.clear();
    }

    private static String refused(final String listener)
    {
        return "switchboard_tls_handshakes_total{listener=\"" + listener + "\",result=\"refused\"}";
    }

    private static String failed(final String listener)
    {
        return "switchboard_tls_handshakes_total{listener=\"" + listener + "\",result=\"failed\"}";
    }

    private static long value(final String series) throws Exception
    {
        return Scrape.value(appliance.port("admin"), series);
    }
}
