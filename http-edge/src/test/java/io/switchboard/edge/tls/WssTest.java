package io.switchboard.edge.tls;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.RawSocket;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wss and https on the PeerJS/dop port with a certificate (the default --tls-listeners): the PeerJS HTTP API over
 * https and a PeerJS socket over wss on the same port, relaying; dop over wss; plain ws to the port refused and
 * counted as a failed handshake; a certificate swapped on disk served to the next wss connection while open ones
 * keep relaying; a reader too slow for what is sent to it over wss closed by the send budget; and behind a trusted
 * proxy, the PROXY header read before the handshake (alone, or in one segment with the ClientHello).
 */
class WssTest
{
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final String FAILED = "switchboard_tls_handshakes_total{listener=\"peerjs\",result=\"failed\"}";
    private static final String COMPLETED =
        "switchboard_tls_handshakes_total{listener=\"peerjs\",result=\"completed\"}";
    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static SSLContext trusting;
    private static HttpClient https;
    private static Path certFile;
    private static Path keyFile;
    private static Appliance appliance;
    private final List<RawSocket> sockets = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception
    {
        pki = TestPki.ca("EC");
        trusting = pki.client();
        https = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(10)).build();
        certFile = dir.resolve("server.pem");
        keyFile = dir.resolve("server-key.pem");
        final TestPki.Issued first = pki.server("wss.test", "EC");
        Files.writeString(certFile, TestPki.pem(first.certificate(), pki.certificate()));
        Files.writeString(keyFile, TestPki.pkcs8(first.keys().getPrivate()));
        appliance = start("--data-dir=" + dir.resolve("data"));
    }

    private static Appliance start(final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("--tls-cert=" + certFile, "--tls-key=" + keyFile,
            "--tls-check-interval-ms=100"));
        args.addAll(List.of(extra));
        return Appliance.start(Options.parse(AnyPorts.with(args.toArray(String[]::new))));
    }

    @AfterEach
    void closeSockets()
    {
        sockets.forEach(RawSocket::abort);
        sockets.clear();
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
    void theDefaultListenersIncludePeerJsAndTheReadyLineSaysHttps()
    {
        final String line = appliance.readyLine();
        assertTrue(line.matches(".* peerjs=https:\\d+ .*"), line);
    }

    @Test
    void thePeerJsHttpApiAnswersOverHttpsOnTheSamePort() throws Exception
    {
        final HttpResponse<String> id = https.send(HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + port() + "/peerjs/id")).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());

        assertEquals(200, id.statusCode(), id.body());
        assertTrue(id.body().matches("[0-9a-f-]{36}"), id.body());
        assertEquals("TLSv1.3", id.sslSession().orElseThrow().getProtocol());
    }

    @Test
    void pipelinedRequestsWithALargeHeadAreAnsweredInOrderOverHttps() throws Exception
    {
        try (SSLSocket socket = TlsSockets.connect(trusting, "127.0.0.1", port(), "http/1.1"))
        {
            // A head larger than what a connection first reads into, and a second request in the same record.
            final String large = "GET /peerjs/id HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + "p".repeat(10_000) +
                "\r\n\r\n";
            final String small = "GET /peerjs/peers HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            socket.getOutputStream().write((large + small).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final String first = readResponse(socket);
            final String second = readResponse(socket);
            assertTrue(first.startsWith("HTTP/1.1 200"), first);
            assertTrue(first.matches("(?s).*\r\n\r\n[0-9a-f-]{36}"), first);
            assertTrue(second.startsWith("HTTP/1.1 "), second);
            assertTrue(!second.matches("(?s).*\r\n\r\n[0-9a-f-]{36}"), "answered in order: " + second);
        }
    }

    /** One response (head and Content-Length body) from {@code socket}. */
    private static String readResponse(final SSLSocket socket) throws IOException
    {
        final java.io.InputStream in = socket.getInputStream();
        final StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("closed after " + head);
            }
            head.append((char)b);
        }
        final java.util.regex.Matcher length =
            java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        final int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }

    @Test
    void tls12NegotiatesOnThePeerJsPortToo() throws Exception
    {
        final javax.net.ssl.SSLParameters only = new javax.net.ssl.SSLParameters();
        only.setProtocols(new String[] {"TLSv1.2"});
        final HttpResponse<String> id = HttpClient.newBuilder().sslContext(trusting).sslParameters(only)
            .connectTimeout(Duration.ofSeconds(10)).build()
            .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/peerjs/id"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, id.statusCode(), id.body());
        assertEquals("TLSv1.2", id.sslSession().orElseThrow().getProtocol());
    }

    @Test
    void aMalformedRequestOverHttpsIsAnswered400AndTheConnectionEnds() throws Exception
    {
        try (SSLSocket socket = TlsSockets.connect(trusting, "127.0.0.1", port(), "http/1.1"))
        {
            socket.getOutputStream().write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        }
    }

    @Test
    void twoPeerJsClientsOverWssOpenAndRelay()
    {
        final RawSocket a = peer("a1", "ta");
        final RawSocket b = peer("b1", "tb");
        a.send(offer("b1", "over-wss"));
        assertTrue(b.next().contains("\"over-wss\""));
        b.send(offer("a1", "x".repeat(100_000))); // larger than a record: several, reassembled by the client
        assertTrue(a.next().contains("\"src\":\"b1\""));
    }

    @Test
    void dopOverWssExchangesTokensOpensAndRelays()
    {
        final RawSocket socket = wss("/dop?key=peerjs&id=dop1");
        final String serverToken = socket.next();
        assertTrue(serverToken.matches("[A-Za-z0-9]{16}"), serverToken);
        socket.send("Bf8TqW1eR5uIo0Lp");
        socket.expect(serverToken);
        socket.send("Bf8TqW1eR5uIo0Lp");
        socket.expect(OPEN);
        socket.send(offer("dop1", "to-myself"));
        assertTrue(socket.next().contains("\"to-myself\""));
    }

    @Test
    void plainWsToTheTlsPortFailsAndIsCountedAsAFailedHandshake() throws Exception
    {
        final long before = Scrape.value(adminPort(), FAILED);
        try (Socket plain = new Socket("127.0.0.1", port()))
        {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(("GET /peerjs?key=peerjs&id=p&token=t HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final byte[] answer = readToEnd(plain);
            // No HTTP answer: at most a TLS alert record (content type 21), then the connection ends.
            assertTrue(answer.length == 0 || answer[0] == 21, new String(answer, StandardCharsets.ISO_8859_1));
        }
        assertEquals(before + 1, Scrape.awaitValue(adminPort(), FAILED, before + 1));
        assertThrows(CompletionException.class, () -> RawSocket.open(URI.create("ws://127.0.0.1:" + port() + "/peerjs")));
    }

    @Test
    void aHandshakeRecordOfJunkIsRefusedCountedAndThePortServesOn() throws Exception
    {
        final long before = Scrape.value(adminPort(), FAILED);
        final byte[] junk = new byte[300];
        new java.util.Random(17).nextBytes(junk);
        junk[0] = 22; // handshake
        junk[1] = 3;
        junk[2] = 3;
        junk[3] = 1; // a record of 295 bytes
        junk[4] = 39;
        try (Socket socket = new Socket("127.0.0.1", port()))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(junk);
            final byte[] answer = readToEnd(socket);
            assertTrue(answer.length == 0 || answer[0] == 21, "at most an alert, then the end");
        }
        assertEquals(before + 1, Scrape.awaitValue(adminPort(), FAILED, before + 1));
        peer("after-junk", "t");
    }

    private static byte[] readToEnd(final Socket socket) throws IOException
    {
        try
        {
            return socket.getInputStream().readAllBytes();
        }
        catch (final java.net.SocketException reset)
        {
            return new byte[0];
        }
    }

    @Test
    void aSwappedCertificateGoesToTheNextWssConnectionWhileOpenOnesKeepRelaying() throws Exception
    {
        final RawSocket a = peer("swap-a", "ta");
        final RawSocket b = peer("swap-b", "tb");
        final long completed = Scrape.value(adminPort(), COMPLETED);

        final TestPki.Issued next = pki.server("next-" + UUID.randomUUID() + ".test", "RSA");
        final String reloads = "switchboard_tls_reloads_total{result=\"ok\"}";
        final long reloaded = Scrape.value(adminPort(), reloads);
        replace(keyFile, TestPki.pkcs8(next.keys().getPrivate()));
        replace(certFile, TestPki.pem(next.certificate(), pki.certificate()));
        assertEquals(reloaded + 1, Scrape.awaitValue(adminPort(), reloads, reloaded + 1));

        try (SSLSocket fresh = TlsSockets.connect(trusting, "127.0.0.1", port(), "http/1.1"))
        {
            fresh.startHandshake();
            assertEquals(next.certificate(), fresh.getSession().getPeerCertificates()[0]);
        }
        final RawSocket c = peer("swap-c", "tc");
        a.send(offer("swap-b", "still-here"));
        assertTrue(b.next().contains("\"still-here\""));
        c.send(offer("swap-a", "from-the-new-certificate"));
        assertTrue(a.next().contains("\"from-the-new-certificate\""));
        assertTrue(Scrape.value(adminPort(), COMPLETED) >= completed + 2);
    }

    @Test
    void aWssSocketLetsItsEngineGoThenRelaysBothWaysAndClosesCleanly() throws Exception
    {
        final String released = "switchboard_tls_released_total{result=\"released\"}";
        final long before = Scrape.value(adminPort(), released);
        final int port = appliance.port("peerjs");
        final TcpWebSocket a = tcp(port, "rel-a", 0);
        final TcpWebSocket b = tcp(port, "rel-b", 0);
        assertTrue(Scrape.awaitValue(adminPort(), released, before + 2) >= before + 2);
        for (final int size : new int[] {10, 20_000, 200_000})
        {
            a.send(FIN | TEXT, offer("rel-b", "ab" + size + "x".repeat(size)).getBytes(StandardCharsets.UTF_8), true);
            assertTrue(b.read().text().contains("\"ab" + size + "x"));
            b.send(FIN | TEXT, offer("rel-a", "ba" + size + "y".repeat(size)).getBytes(StandardCharsets.UTF_8), true);
            assertTrue(a.read().text().contains("\"ba" + size + "y"));
        }
        // A clean close: our close frame is answered, then close_notify and FIN end the TLS stream without error.
        a.send(FIN | 0x8, new byte[] {0x03, (byte)0xE8}, true);
        final TcpWebSocket.Frame answer = a.read();
        assertEquals(0x8, answer.opcode());
        assertEquals(-1, a.in.read());
        a.socket.close();
        b.socket.close();
        assertEquals(0, Scrape.value(adminPort(),
            "switchboard_tls_released_closes_total{reason=\"bad_record_mac\"}"));
    }

    @Test
    void aReaderTooSlowForWhatIsSentOverWssIsClosedByTheSendBudget() throws Exception
    {
        try (Appliance budgeted = start("--data-dir=" + dir.resolve("budgeted"),
            "--peerjs-max-frame-bytes=300000", "--peerjs-max-send-buffer-bytes=500000"))
        {
            final int port = budgeted.port("peerjs");
            final TcpWebSocket a = tcp(port, "slow-a", 0);
            final TcpWebSocket b = tcp(port, "slow-b", 4_096);
            final String filler = "x".repeat(100_000);
            for (int i = 0; i < 60; i++)
            {
                a.send(FIN | TEXT, offer("slow-b", "q" + i + "-" + filler).getBytes(StandardCharsets.UTF_8), true);
            }
            assertEquals(1, Scrape.awaitValue(budgeted.port("admin"),
                "switchboard_peerjs_server_closes_total{cause=\"slow_consumer\"}", 1));
            a.close();
            b.socket.close();
        }
    }

    @Test
    void aProxyHeaderComesBeforeTheHandshakeAndNamesTheClientOfTheWssSocket() throws Exception
    {
        try (Appliance proxied = start("--data-dir=" + dir.resolve("proxied"), "--trusted-proxies=127.0.0.1",
            "--proxy-protocol=true", "--peerjs-max-ids-per-host=1"))
        {
            final int port = proxied.port("peerjs");
            // The header alone, then the handshake; and the header in the same write as the ClientHello.
            final TcpWebSocket a = behindProxy(port, "203.0.113.7", "pa", false);
            assertTrue(a.read().text().contains("\"OPEN\""));
            final TcpWebSocket b = behindProxy(port, "203.0.113.7", "pb", true);
            assertTrue(b.read().text().contains("Too many ids are registered from your address"),
                "the same client behind the proxy: its share is taken");
            final TcpWebSocket c = behindProxy(port, "203.0.113.8", "pc", true);
            assertTrue(c.read().text().contains("\"OPEN\""), "another client behind the same proxy");
            for (final TcpWebSocket socket : List.of(a, b, c))
            {
                socket.socket.close();
            }
        }
    }

    /** A wss client behind a proxy that sends a PROXY v1 header for {@code client}, alone or with the ClientHello. */
    private static TcpWebSocket behindProxy(final int port, final String client, final String id, final boolean together)
        throws IOException
    {
        final byte[] header = ("PROXY TCP4 " + client + " 127.0.0.1 40000 " + port + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        final Socket raw = together ? new HeaderFirstSocket(header) : new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        if (!together)
        {
            raw.getOutputStream().write(header);
            raw.getOutputStream().flush();
        }
        final SSLSocket tls = (SSLSocket)trusting.getSocketFactory().createSocket(raw, "127.0.0.1", port, true);
        tls.startHandshake();
        return TcpWebSocket.open(tls, "/peerjs?key=peerjs&id=" + id + "&token=t-" + id,
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13", new byte[0], true);
    }

    /** A socket whose first write carries {@code header} in front, in one segment. */
    private static final class HeaderFirstSocket extends Socket
    {
        private final byte[] header;
        private OutputStream out;

        HeaderFirstSocket(final byte[] header)
        {
            this.header = header;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException
        {
            if (out == null)
            {
                final OutputStream raw = super.getOutputStream();
                out = new OutputStream()
                {
                    private boolean sent;

                    @Override
                    public void write(final int b) throws IOException
                    {
                        write(new byte[] {(byte)b}, 0, 1);
                    }

                    @Override
                    public void write(final byte[] bytes, final int offset, final int length) throws IOException
                    {
                        if (!sent)
                        {
                            sent = true;
                            final byte[] both = new byte[header.length + length];
                            System.arraycopy(header, 0, both, 0, header.length);
                            System.arraycopy(bytes, offset, both, header.length, length);
                            raw.write(both);
                            return;
                        }
                        raw.write(bytes, offset, length);
                    }

                    @Override
                    public void flush() throws IOException
                    {
                        raw.flush();
                    }
                };
            }
            return out;
        }
    }

    /** A PeerJS client over wss, id and token given, past its OPEN. */
    private RawSocket peer(final String id, final String token)
    {
        final RawSocket socket = wss("/peerjs?key=peerjs&id=" + id + "&token=" + token);
        socket.expect(OPEN);
        return socket;
    }

    private RawSocket wss(final String pathAndQuery)
    {
        final RawSocket socket = RawSocket.open(URI.create("wss://127.0.0.1:" + port() + pathAndQuery), https);
        sockets.add(socket);
        return socket;
    }

    /** A wss client on raw frames; {@code receiveBufferBytes > 0} shrinks its receive buffer, so it fills soon. */
    private static TcpWebSocket tcp(final int port, final String id, final int receiveBufferBytes) throws IOException
    {
        final Socket raw = new Socket();
        if (receiveBufferBytes > 0)
        {
            raw.setReceiveBufferSize(receiveBufferBytes);
        }
        raw.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        final SSLSocket tls = (SSLSocket)trusting.getSocketFactory().createSocket(raw, "127.0.0.1", port, true);
        tls.startHandshake();
        final TcpWebSocket socket = TcpWebSocket.open(tls, "/peerjs?key=peerjs&id=" + id + "&token=t-" + id,
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13", new byte[0], true);
        final TcpWebSocket.Frame open = socket.read();
        assertTrue(open.text().contains("\"OPEN\""), open.text());
        return socket;
    }

    private static String offer(final String dst, final String data)
    {
        return "{\"type\":\"OFFER\",\"dst\":\"" + dst + "\",\"payload\":{\"sdp\":\"" + data + "\"}}";
    }

    private static void replace(final Path file, final String text) throws IOException
    {
        final Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int port()
    {
        return appliance.port("peerjs");
    }

    private static int adminPort()
    {
        return appliance.port("admin");
    }
}
