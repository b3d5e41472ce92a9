package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.edge.metaverse.MetaverseHttp.Domain;
import io.switchboard.edge.testing.ClusterPorts;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster member's replica is rebuilt at start from its latest snapshot and the log after it (the log before the
 * snapshot purged): a 1-node cluster in-process snapshots after its writes, restarts, and serves the domain, its
 * ice_server_address and its key (an ICE heartbeat ACKed) and the pulse registration as before.
 */
class MetaverseClusterSnapshotTest
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String SNAPSHOTS = "switchboard_cluster_snapshots_total";

    @TempDir
    Path dir;

    @Test
    void aMemberRestartedFromItsSnapshotServesEveryDomainKeyAndRegistration() throws Exception
    {
        final String[] cluster = {"--cluster-members=" + ClusterPorts.members(1), "--cluster-snapshot-interval=1s"};
        final DomainServerKeys keys = DomainServerKeys.rsa(2048);
        final Domain domain;
        final String privateId;
        try (MetaverseAppliance appliance = MetaverseAppliance.start(dir, cluster))
        {
            assertTrue(appliance.readyLine().endsWith(" cluster=node:0/1"), appliance.readyLine());
            final MetaverseHttp http = appliance.http();
            domain = http.createTemporary();
            assertEquals(200, http.setIceServerAddress(domain, "192.0.2.44").status());
            assertEquals(200, http.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());
            final HttpResponse<String> registered = post(appliance.port("rendezvous"), "/register", null);
            assertEquals(200, registered.statusCode(), registered.body());
            privateId = MetaverseHttp.JSON.readTree(registered.body()).path("private_id").asText();
            final long before = appliance.metric(SNAPSHOTS);
            final long deadline = System.currentTimeMillis() + 15_000;
            while (appliance.metric(SNAPSHOTS) <= before && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(50);
            }
            assertTrue(appliance.metric(SNAPSHOTS) > before, "a snapshot after the writes");
            final JsonNode health = MetaverseHttp.JSON.readTree(CLIENT.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + appliance.port("admin") + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("leader", health.path("cluster").path("role").asText(), health.toString());
            assertTrue(health.path("cluster").path("snapshotAgeMs").asLong(-1) >= 0, health.toString());
        }

        try (MetaverseAppliance appliance = MetaverseAppliance.start(dir, cluster))
        {
            final MetaverseHttp http = appliance.http();
            final JsonNode stored = http.get("/api/v1/domains/" + domain.id()).body().path("domain");
            assertEquals("192.0.2.44", stored.path("ice_server_address").asText(), stored.toString());
            assertEquals(200, http.get("/api/v1/domains/" + domain.id() + "/public_key").status());
            try (UdpPeer domainServer = new UdpPeer(appliance.icePort()))
            {
                final byte[] reply = domainServer.exchange(keys.heartbeat(domain.id(), 1, domainServer.localPort()));
                assertEquals(DomainServerKeys.ACK, reply[4], "the key comes back with the replica");
            }
            assertEquals(200, post(appliance.port("rendezvous"), "/verify", privateId).statusCode());
            final Domain another = http.createTemporary();
            assertEquals(200, http.get("/api/v1/domains/" + another.id()).status(), "and it takes writes");
            assertEquals(0, appliance.metric("switchboard_cluster_leader"), "the leader gauge after the restart");
        }
    }

    private static HttpResponse<String> post(final int port, final String path, final String bearer) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null)
        {
            request.header("Authorization", "Bearer " + bearer);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
