package io.switchboard.edge.http;

import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --trusted-proxies} and {@code --proxy-protocol} against the real appliance: the client a trusted proxy names
 * (X-Forwarded-For, Forwarded, PROXY v1, PROXY v2) is who the rendezvous registration bucket (burst 2, then 429)
 * belongs to; what an untrusted peer says is ignored, or, under --proxy-protocol, its connection refused.
 */
final class ClientAddressTest
{
    private static final String PROXY = "127.0.0.5";
    private static final String STRANGER = "127.0.0.9";
    private static final String[] BUCKET = {"--rendezvous-register-burst=2", "--rendezvous-register-rate=1"};
    private static final long REFUSED_WITHIN_MS = 1_000;
    private static final String ADMIN_TOKEN = "operator-token-for-tests-0123456789";
    private static final int CONNECTIONS_PER_HOST = 3;

    /** One data dir per nested appliance under it (an instance field of a nested class is injected too late). */
    @TempDir
    static Path dataDirs;

    private static String register(final String extraHeader)
    {
        return "GET /register HTTP/1.1\r\nHost: switchboard\r\n" + extraHeader + "\r\n";
    }

    /** Three registrations on one connection: the bucket holds two. */
    private static void assertBucketOfTwo(final HostSocket connection, final String header) throws IOException
    {
        assertEquals(200, connection.exchange(register(header)), "first registration");
        assertEquals(200, connection.exchange(register(header)), "second registration");
        assertEquals(429, connection.exchange(register(header)), "third registration: the bucket is empty");
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ForwardedHeaders
    {
        private ApplianceProcess appliance;

        @BeforeAll
        void start() throws IOException
        {
            appliance = ApplianceProcess.start(AnyPorts.with("--data-dir=" + dataDirs.resolve("headers"),
                "--trusted-proxies=" + PROXY + ",2001:db8:ffff::/48", "--admin-token=" + ADMIN_TOKEN, BUCKET[0],
                BUCKET[1]));
        }

        @AfterAll
        void stop() throws InterruptedException
        {
            appliance.close();
        }

        @Test
        void xForwardedForFromAnUntrustedPeerIsIgnored() throws Exception
        {
            try (HostSocket connection = HostSocket.connect(STRANGER, appliance.port("rendezvous")))
            {
                assertEquals(200, connection.exchange(register("X-Forwarded-For: 203.0.113.1\r\n")));
                assertEquals(200, connection.exchange(register("X-Forwarded-For: 203.0.113.2\r\n")));
                assertEquals(429, connection.exchange(register("X-Forwarded-For: 203.0.113.3\r\n")),
                    "the stranger's own bucket, whatever it claims");
            }
        }

        @Test
        void xForwardedForFromATrustedProxyDecidesTheBucket() throws Exception
        {
            try (HostSocket connection = HostSocket.connect(PROXY, appliance.port("rendezvous")))
            {
                assertBucketOfTwo(connection, "X-Forwarded-For: 198.51.100.1, 203.0.113.11\r\n");
                assertEquals(200, connection.exchange(register("X-Forwarded-For: 198.51.100.1, 203.0.113.12\r\n")),
                    "another client behind the same proxy has its own bucket");
                assertEquals(429, connection.exchange(register("X-Forwarded-For: 203.0.113.11, 2001:db8:ffff::1\r\n")),
                    "a trusted hop on the right is passed over: the same client's bucket");
            }
        }

        @Test
        void forwardedFromATrustedProxyDecidesTheBucket() throws Exception
        {
            try (HostSocket connection = HostSocket.connect(PROXY, appliance.port("rendezvous")))
            {
                assertBucketOfTwo(connection, "Forwarded: for=\"[2001:db8::21]:4711\";proto=https\r\n");
                assertEquals(200, connection.exchange(register("Forwarded: for=203.0.113.22\r\n")));
                assertEquals(200, connection.exchange(register(
                    "Forwarded: for=203.0.113.23\r\nX-Forwarded-For: 2001:db8::21\r\n")), "Forwarded wins over XFF");
            }
        }

        @Test
        void theForwardedClientIsTheTemporaryDomainsAddressOfFirstContact() throws Exception
        {
            final String created;
            try (HostSocket connection = HostSocket.connect(PROXY, appliance.port("metaverse")))
            {
                created = connection.exchangeForBody("POST /api/v1/domains/temporary HTTP/1.1\r\nHost: x\r\n" +
                    "Content-Length: 0\r\nForwarded: for=\"198.51.100.77:5555\";proto=https\r\n\r\n");
            }
            final Matcher id = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(created);
            assertTrue(id.find(), created);
            try (HostSocket connection = HostSocket.connect(STRANGER, appliance.port("metaverse")))
            {
                final String info = connection.exchangeForBody("GET /api/v1/domains/" + id.group(1) +
                    " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ADMIN_TOKEN + "\r\n\r\n");
                assertTrue(info.contains("\"addr_of_first_contact\":\"198.51.100.77:5555\""), info);
            }
        }

        @Test
        void aMalformedHeaderIsCountedAndTheProxyIsTheClient() throws Exception
        {
            final String malformed = "switchboard_http_forwarded_malformed_total{listener=\"rendezvous\"}";
            final long before = Scrape.value(appliance.port("admin"), malformed);
            try (HostSocket connection = HostSocket.connect("127.0.0.6", appliance.port("rendezvous")))
            {
                assertEquals(200, connection.exchange(register("")), "an untrusted peer, for comparison");
            }
            final String forgedOrBroken = "X-Forwarded-For: not-an-address\r\n";
            try (HostSocket connection = HostSocket.connect(PROXY, appliance.port("metaverse")))
            {
                assertEquals(404, connection.exchange("GET /nothing HTTP/1.1\r\nHost: x\r\n" + forgedOrBroken + "\r\n"));
            }
            try (HostSocket connection = HostSocket.connect(PROXY, appliance.port("rendezvous")))
            {
                assertEquals(200, connection.exchange(register(forgedOrBroken)));
            }
            assertEquals(before + 1, Scrape.awaitValue(appliance.port("admin"), malformed, before + 1));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ProxyProtocol
    {
        private static final String V2_SIGNATURE = "0d0a0d0a000d0a515549540a";

        private ApplianceProcess appliance;

        @BeforeAll
        void start() throws IOException
        {
            appliance = ApplianceProcess.start(AnyPorts.with(
                "--data-dir=" + dataDirs.resolve("proxy"), "--trusted-proxies=" + PROXY, "--proxy-protocol=true",
                "--max-connections-per-host=" + CONNECTIONS_PER_HOST, BUCKET[0], BUCKET[1]));
        }

        @AfterAll
        void stop() throws InterruptedException
        {
            appliance.close();
        }

        private HostSocket proxied(final byte[] header) throws IOException
        {
            final HostSocket connection = HostSocket.connect(PROXY, appliance.port("rendezvous"));
            connection.send(header);
            return connection;
        }

        private static byte[] v1(final String client)
        {
            return ("PROXY TCP4 " + client + " 127.0.0.1 40000 5025\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        private static byte[] v2Tcp6(final String clientHex)
        {
            // PROXY, TCP over IPv6, 36 bytes of addresses and ports, then one 5-byte TLV (AUTHORITY "ab").
            return HexFormat.of().parseHex(V2_SIGNATURE + "2121" + "0029" + clientHex +
                "00000000000000000000000000000001" + "9c40" + "13a1" + "020002" + "6162");
        }

        @Test
        void v1DecidesTheBucket() throws Exception
        {
            try (HostSocket connection = proxied(v1("203.0.113.31")))
            {
                assertBucketOfTwo(connection, "");
            }
            try (HostSocket connection = proxied(v1("203.0.113.31")))
            {
                assertEquals(429, connection.exchange(register("")), "the same client on a new connection");
            }
            try (HostSocket connection = proxied(v1("203.0.113.32")))
            {
                assertEquals(200, connection.exchange(register("")), "another client");
            }
        }

        @Test
        void v2DecidesTheBucket() throws Exception
        {
            try (HostSocket connection = proxied(v2Tcp6("20010db8000000000000000000000033")))
            {
                assertBucketOfTwo(connection, "");
            }
            try (HostSocket connection = proxied(v2Tcp6("20010db800000000ffffffffffffff34")))
            {
                assertEquals(429, connection.exchange(register("")), "an IPv6 host is its /64");
            }
            try (HostSocket connection = proxied(v2Tcp6("20010db8000000010000000000000034")))
            {
                assertEquals(200, connection.exchange(register("")), "a client of another /64");
            }
        }

        @Test
        void theHeaderAndTheRequestMayArriveInOneSegment() throws Exception
        {
            final byte[] header = v1("203.0.113.35");
            final byte[] request = register("").getBytes(StandardCharsets.US_ASCII);
            final byte[] both = ByteBuffer.allocate(header.length + request.length).put(header).put(request).array();
            try (HostSocket connection = proxied(both))
            {
                assertEquals(200, connection.readResponse());
            }
        }

        @Test
        void theClientAHeaderNamesHoldsTheConnectionCapNotTheProxy() throws Exception
        {
            final String refused = "switchboard_http_connections_refused_total{listener=\"rendezvous\"," +
                "reason=\"per_host\"}";
            final long before = Scrape.value(appliance.port("admin"), refused);
            final List<HostSocket> held = new ArrayList<>();
            try
            {
                for (int i = 0; i < CONNECTIONS_PER_HOST; i++)
                {
                    held.add(proxied(v1("203.0.113.41")));
                    assertEquals(404, held.get(i).exchange(HostSocket.get("/nothing")), "connection " + (i + 1));
                }
                try (HostSocket over = proxied(v1("203.0.113.41")))
                {
                    assertTrue(over.isRefused(REFUSED_WITHIN_MS), "the client's connection past the cap");
                }
                assertEquals(before + 1, Scrape.awaitValue(appliance.port("admin"), refused, before + 1));
                try (HostSocket other = proxied(v1("203.0.113.42")))
                {
                    assertEquals(404, other.exchange(HostSocket.get("/nothing")),
                        "another client through the same proxy, which holds more than the cap itself");
                }
            }
            finally
            {
                for (final HostSocket connection : held)
                {
                    connection.close();
                }
            }
        }

        @Test
        void aLocalHeaderLeavesTheProxyAsTheClient() throws Exception
        {
            try (HostSocket connection = proxied(HexFormat.of().parseHex(V2_SIGNATURE + "2000" + "0000")))
            {
                assertEquals(200, connection.exchange(register("")));
            }
        }

        @Test
        void aConnectionFromAnUntrustedPeerIsRefusedAndCounted() throws Exception
        {
            final String refused = "switchboard_http_connections_refused_total{listener=\"rendezvous\"," +
                "reason=\"proxy_untrusted\"}";
            final long before = Scrape.value(appliance.port("admin"), refused);
            assertTrue(HostSocket.isRefused(STRANGER, appliance.port("rendezvous"), REFUSED_WITHIN_MS));
            assertEquals(before + 1, Scrape.awaitValue(appliance.port("admin"), refused, before + 1));
        }

        @Test
        void aConnectionWithoutAValidHeaderIsClosedAndCounted() throws Exception
        {
            final String refused = "switchboard_http_connections_refused_total{listener=\"rendezvous\"," +
                "reason=\"proxy_header\"}";
            final long before = Scrape.value(appliance.port("admin"), refused);
            try (HostSocket connection = proxied(register("").getBytes(StandardCharsets.US_ASCII)))
            {
                assertTrue(connection.isRefused(REFUSED_WITHIN_MS), "plain HTTP where a PROXY header belongs");
            }
            try (HostSocket connection = proxied("PROXY TCP4 nobody 127.0.0.1 1 2\r\n".getBytes(StandardCharsets.US_ASCII)))
            {
                assertTrue(connection.isRefused(REFUSED_WITHIN_MS), "a malformed v1 header");
            }
            assertEquals(before + 2, Scrape.awaitValue(appliance.port("admin"), refused, before + 2));
        }

        @Test
        void theAdminListenerExpectsNoHeader() throws Exception
        {
            try (HostSocket connection = HostSocket.connect(STRANGER, appliance.port("admin")))
            {
                assertEquals(200, connection.exchange(HostSocket.get("/healthz")));
            }
        }
    }
}
