package io.switchboard.edge.tls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.ToolRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metaverse and rendezvous listeners with a certificate: https with a stock client trusting a test CA, TLS 1.3 and
 * 1.2, ALPN http/1.1, plain HTTP refused; a certificate swapped on disk goes to the next connection while an open
 * keep-alive connection goes on, and a bad one is counted and the one in use kept.
 */
class TlsListenersTest
{
    private static final long CHECK_INTERVAL_MS = 100;
    private static final long RELOAD_WAIT_MS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static SSLContext trusting;
    private static Path certFile;
    private static Path keyFile;
    private static Appliance appliance;

    @BeforeAll
    static void start() throws Exception
    {
        pki = TestPki.ca("RSA");
        trusting = pki.client();
        certFile = dir.resolve("server.pem");
        keyFile = dir.resolve("server-key.pem");
        final TestPki.Issued first = pki.server("first.test", "RSA");
        Files.writeString(certFile, TestPki.pem(first.certificate(), pki.certificate()));
        Files.writeString(keyFile, TestPki.traditional(first.keys().getPrivate()));
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dir.resolve("data"),
            "--tls-cert=" + certFile, "--tls-key=" + keyFile, "--tls-listeners=metaverse,rendezvous",
            "--tls-check-interval-ms=" + CHECK_INTERVAL_MS)));
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
    void theReadyLineSaysWhichListenersSpeakTls()
    {
        final String line = appliance.readyLine();
        assertTrue(line.matches(".* rendezvous=https:\\d+ metaverse=https:\\d+ peerjs=http:\\d+ admin=http:\\d+"), line);
    }

    @Test
    void theTemporaryDomainFlowWorksOverHttps() throws Exception
    {
        final HttpClient client = client(null);
        final HttpResponse<String> created = client.send(request("metaverse", "/api/v1/domains/temporary")
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, created.statusCode(), created.body());
        final JsonNode domain = JSON.readTree(created.body()).path("data").path("domain");
        final String id = domain.path("id").asText();

        final HttpResponse<String> heartbeat = client.send(request("metaverse", "/api/v1/domains/" + id)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + domain.path("api_key").asText())
            .PUT(HttpRequest.BodyPublishers.ofString("{\"domain\":{\"heartbeat\":{\"num_users\":3}}}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, heartbeat.statusCode(), heartbeat.body());

        final HttpResponse<String> read = client.send(
            request("metaverse", "/api/v1/domains/" + id).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(id, JSON.readTree(read.body()).path("data").path("domain").path("id").asText());
        assertEquals(3, JSON.readTree(read.body()).path("data").path("domain").path("num_users").asInt(), read.body());
        assertEquals(HttpClient.Version.HTTP_1_1, read.version());
    }

    @Test
    void theRendezvousApiWorksOverHttps() throws Exception
    {
        final HttpClient client = client(null);
        final HttpResponse<String> registered = client.send(request("rendezvous", "/register")
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, registered.statusCode(), registered.body());
        final JsonNode ids = JSON.readTree(registered.body());
        final String clientId = ids.path("client_id").asText();
        assertTrue(clientId.matches("[0-9a-f]{32}"), registered.body());

        final HttpResponse<String> status = client.send(request("rendezvous", "/peer/" + clientId + "/udp/status")
            .header("Authorization", "Bearer " + ids.path("private_id").asText()).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode(), status.body());
        assertEquals("Online", JSON.readTree(status.body()).path("status").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void eachOfTls13AndTls12Negotiates(final String protocol) throws Exception
    {
        final SSLParameters only = new SSLParameters();
        only.setProtocols(new String[] {protocol});
        final HttpResponse<String> info = client(only).send(
            request("metaverse", "/api/metaverse_info").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, info.statusCode());
        assertEquals(protocol, info.sslSession().orElseThrow().getProtocol());
    }

    @Test
    void alpnSelectsHttp11AmongTheClientsOffers() throws Exception
    {
        try (SSLSocket socket = connect("metaverse", "h2", "http/1.1"))
        {
            socket.startHandshake();
            assertEquals("http/1.1", socket.getApplicationProtocol());
        }
    }

    @Test
    void aClientThatOffersOnlyH2IsRefusedInTheHandshake() throws Exception
    {
        try (SSLSocket socket = connect("rendezvous", "h2"))
        {
            assertThrows(SSLHandshakeException.class, socket::startHandshake);
        }
    }

    @Test
    void plainHttpToATlsPortFailsAndCountsAFailedHandshake() throws Exception
    {
        final String failed = "switchboard_tls_handshakes_total{listener=\"metaverse\",result=\"failed\"}";
        final long before = Scrape.value(adminPort(), failed);
        final HttpRequest plain = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + appliance.port("metaverse") + "/api/metaverse_info"))
            .timeout(Duration.ofSeconds(10)).GET().build();

        assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(plain, HttpResponse.BodyHandlers.ofString()));
        assertEquals(before + 1, await(failed, before + 1));
    }

    @Test
    void completedHandshakesAreCountedPerListener() throws Exception
    {
        final String completed = "switchboard_tls_handshakes_total{listener=\"rendezvous\",result=\"completed\"}";
        final long before = Scrape.value(adminPort(), completed);
        try (SSLSocket socket = connect("rendezvous", "http/1.1"))
        {
            socket.startHandshake();
            assertEquals(before + 1, await(completed, before + 1));
        }
    }

    @Test
    void aSwappedCertificateGoesToTheNextConnectionWhileAnOpenOneKeepsWorking() throws Exception
    {
        try (SSLSocket open = connect("metaverse", "http/1.1"))
        {
            final String before = getOver(open);
            assertTrue(before.startsWith("HTTP/1.1 200"), before);
            final X509Certificate oldLeaf = (X509Certificate)open.getSession().getPeerCertificates()[0];

            final TestPki.Issued next = pki.server("next-" + UUID.randomUUID() + ".test", "EC");
            swap(TestPki.pem(next.certificate()), TestPki.pkcs8(next.keys().getPrivate()), "ok");

            assertEquals(next.certificate(), servedLeaf("metaverse"));
            assertEquals(next.certificate(), servedLeaf("rendezvous"));
            final String after = getOver(open);
            assertTrue(after.startsWith("HTTP/1.1 200"), after);
            assertEquals(oldLeaf, open.getSession().getPeerCertificates()[0]);
        }
    }

    @Test
    void aBadSwappedKeyIsCountedAndTheCertificateInUseKept() throws Exception
    {
        final X509Certificate inUse = servedLeaf("metaverse");
        final TestPki.Issued other = pki.server("other.test", "RSA");
        // A new certificate with a key that is not its own: refused as a pair.
        swap(TestPki.pem(other.certificate()), TestPki.pkcs8(TestPki.keyPair("RSA").getPrivate()), "failed");
        assertEquals(inUse, servedLeaf("metaverse"));

        swap(TestPki.pem(other.certificate()), "not a key at all\n", "failed");
        assertEquals(inUse, servedLeaf("metaverse"));
        assertEquals(200, client(null).send(request("metaverse", "/api/metaverse_info").GET().build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void theHandshakeLoadToolCountsFullHandshakesAgainstTheMetaverseListener() throws Exception
    {
        final String completed = "switchboard_tls_handshakes_total{listener=\"metaverse\",result=\"completed\"}";
        final long before = Scrape.value(adminPort(), completed);
        final Path ca = Files.writeString(dir.resolve("ca.pem"), TestPki.pem(pki.certificate()));
        final String line = ToolRun.ok("tls-handshake-load", "--target=127.0.0.1:" + appliance.port("metaverse"),
            "--ca=" + ca, "--threads=1", "--warmup-s=0", "--duration-s=1", "--protocol=TLSv1.2");

        assertTrue(line.matches("(?s)tls-handshake-load label=tls-handshakes protocol=TLSv1.2 threads=1 .*" +
            "handshakes=[1-9]\\d* failures=0 .*"), line);
        final long handshakes = Long.parseLong(line.replaceAll("(?s).* handshakes=(\\d+) .*", "$1"));
        assertTrue(Scrape.value(adminPort(), completed) >= before + handshakes, line);
    }

    /** Writes the pair (each file replaced whole) and waits for the reload counted as {@code result}. */
    private static void swap(final String cert, final String key, final String result) throws Exception
    {
        final String series = "switchboard_tls_reloads_total{result=\"" + result + "\"}";
        final long before = Scrape.value(adminPort(), series);
        replace(keyFile, key);
        replace(certFile, cert);
        assertEquals(before + 1, await(series, before + 1), series);
    }

    private static void replace(final Path file, final String text) throws IOException
    {
        final Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static X509Certificate servedLeaf(final String listener) throws Exception
    {
        try (SSLSocket socket = connect(listener, "http/1.1"))
        {
            socket.startHandshake();
            return (X509Certificate)socket.getSession().getPeerCertificates()[0];
        }
    }

    private static String getOver(final SSLSocket socket) throws IOException
    {
        return TlsSockets.get(socket, "/api/metaverse_info");
    }

    private static SSLSocket connect(final String listener, final String... applicationProtocols) throws IOException
    {
        return TlsSockets.connect(trusting, "127.0.0.1", appliance.port(listener), applicationProtocols);
    }

    private static HttpClient client(final SSLParameters parameters)
    {
        final HttpClient.Builder builder = HttpClient.newBuilder().sslContext(trusting)
            .connectTimeout(Duration.ofSeconds(10));
        if (parameters != null)
        {
            builder.sslParameters(parameters);
        }
        return builder.build();
    }

    private static HttpRequest.Builder request(final String listener, final String path)
    {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + appliance.port(listener) + path))
            .timeout(Duration.ofSeconds(10));
    }

    private static int adminPort()
    {
        return appliance.port("admin");
    }

    private static long await(final String series, final long expected) throws Exception
    {
        final long deadline = System.currentTimeMillis() + RELOAD_WAIT_MS;
        long value = Scrape.value(adminPort(), series);
        while (value != expected && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
            value = Scrape.value(adminPort(), series);
        }
        return value;
    }
}
