package io.switchboard.edge.peerjs;

import io.switchboard.edge.tls.TestPki;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unmodified peerjs@1.5.5 client in Node with {@code secure: true} against the appliance with a certificate on
 * its PeerJS port: node trusts the test CA (NODE_EXTRA_CA_CERTS), gets its ids over https and opens a DataConnection
 * over wss, exchanging json and binary messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerJsRealClientWssTest
{
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @TempDir
    static Path dir;

    private PeerJsAppliance appliance;
    private Path caFile;

    @BeforeAll
    void start() throws Exception
    {
        NodeClient.install();
        final TestPki pki = TestPki.ca("EC");
        final TestPki.Issued server = pki.server("peerjs.test", "EC");
        caFile = Files.writeString(dir.resolve("ca.pem"), TestPki.pem(pki.certificate()));
        final Path cert = Files.writeString(dir.resolve("cert.pem"), TestPki.pem(server.certificate()));
        final Path key = Files.writeString(dir.resolve("key.pem"), TestPki.pkcs8(server.keys().getPrivate()));
        appliance = PeerJsAppliance.start(dir.resolve("data"), "--tls-cert=" + cert, "--tls-key=" + key,
            "--peerjs-key=e2e-key");
    }

    @AfterAll
    void stop()
    {
        appliance.close();
    }

    @Test
    void twoSecurePeersGetIdsOverHttpsAndExchangeMessagesOverWss() throws Exception
    {
        try (NodeClient node = NodeClient.run(Map.of("NODE_EXTRA_CA_CERTS", caFile.toString()), "exchange",
            appliance.port(), "--key=e2e-key", "--secure=true"))
        {
            final String[] ids = node.next(20).split(" ");
            assertEquals("ids", ids[0]);
            assertTrue(ids[1].matches(UUID) && ids[2].matches(UUID), String.join(" ", ids));
            assertEquals("echo json {\"hello\":\"world\",\"n\":42,\"serialization\":\"json\"}", node.next(15));
            assertEquals("echo binary {\"hello\":\"world\",\"n\":42,\"serialization\":\"binary\"}", node.next(15));
            node.finish();
        }
        assertTrue(Scrape.value(appliance.adminPort(),
            "switchboard_tls_handshakes_total{listener=\"peerjs\",result=\"completed\"}") >= 4);
    }
}
