package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.edge.metaverse.MetaverseHttp.Domain;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The registry survives {@code kill -9}: the appliance runs as a child JVM that is killed, then starts again. */
class MetaversePersistenceTest
{
    @TempDir
    Path dataDir;

    @Test
    void domainKeyAndAddressSurviveKillMinusNineAndTheFirstHeartbeatAfterRestartIsAcked() throws Exception
    {
        final DomainServerKeys keys = DomainServerKeys.rsa(2048);
        final Domain domain;
        final JsonNode stored;
        try (ApplianceProcess child =
            ApplianceProcess.start(MetaverseAppliance.options(dataDir).toArray(String[]::new)))
        {
            final MetaverseHttp before = new MetaverseHttp(child.port("metaverse"));
            domain = before.createTemporary();
            assertEquals(200, before.setIceServerAddress(domain, "203.0.113.7").status());
            assertEquals(200, before.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());
            assertEquals(200, before.put("/api/v1/domains/" + domain.id(), "{\"domain\":{\"api_key\":\"" +
                domain.apiKey() + "\",\"heartbeat\":{\"num_users\":2,\"num_anon_users\":1}}}").status());
            stored = before.domainInfo(domain.id());
            child.kill();
        }

        // Restarted in-process: what matters is that the killed process never closed its files.
        try (MetaverseAppliance restarted = MetaverseAppliance.start(dataDir))
        {
            final MetaverseHttp after = restarted.http();
            assertEquals(stored, after.domainInfo(domain.id()));
            assertEquals("203.0.113.7", stored.path("ice_server_address").asText());
            assertEquals(2, stored.path("num_users").asInt());
            try (UdpPeer domainServer = new UdpPeer(restarted.icePort()))
            {
                final byte[] reply = domainServer.exchange(keys.heartbeat(domain.id(), 1, domainServer.localPort()));
                assertEquals(DomainServerKeys.ACK, reply[4],
                    "the stored key reached the engine before the appliance was ready");
            }
            assertEquals(200, after.put("/api/v1/domains/" + domain.id(),
                "{\"domain\":{\"api_key\":\"" + domain.apiKey() + "\"}}").status(), "the api_key still authenticates");
        }
    }
}
