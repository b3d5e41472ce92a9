package io.switchboard.edge.ice;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ToolRun;
import io.switchboard.engine.ice.IceWireVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.*;

/** The ice-client tool against the running appliance: as a domain it gets ACKs, as a client the domain's sockets. */
class IceClientToolTest
{
    @TempDir
    Path dir;

    @Test
    void domainIsAckedAndClientLearnsItsSockets() throws Exception
    {
        final Path key = dir.resolve("domain.der");
        Files.write(key, Base64.getDecoder().decode(IceWireVectors.PRIVATE_KEY_PKCS8_BASE64));
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with(
            "--data-dir=" + dir.resolve("data"),
            "--domain-key=" + IceWireVectors.DOMAIN_ID + ":" + IceWireVectors.PUBLIC_KEY_SPKI_BASE64))))
        {
            final String server = "--server=127.0.0.1:" + appliance.port("ice");
            final String domain = ToolRun.ok("ice-client", "--mode=domain", server, "--key-file=" + key,
                "--domain-id=" + IceWireVectors.DOMAIN_ID, "--public=203.0.113.5:40102", "--local=192.168.1.10:40102",
                "--count=2", "--interval-ms=300");
            assertTrue(domain.contains("--domain-key=" + IceWireVectors.DOMAIN_ID + ":" +
                IceWireVectors.PUBLIC_KEY_SPKI_BASE64), domain);
            assertTrue(domain.contains("ICEServerHeartbeatACK seq=1"), domain);
            assertTrue(domain.contains("ICEServerHeartbeatACK seq=2"), domain);

            final String client = ToolRun.ok("ice-client", "--mode=client", server,
                "--domain-id=" + IceWireVectors.DOMAIN_ID, "--count=3", "--interval-ms=1000");
            assertTrue(client.contains("ICEServerPeerInformation seq=1 id=" + IceWireVectors.DOMAIN_ID +
                " public=203.0.113.5:40102 local=192.168.1.10:40102"), client);
        }
    }
}
