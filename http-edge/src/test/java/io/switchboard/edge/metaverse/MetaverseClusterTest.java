package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.edge.metaverse.MetaverseHttp.Domain;
import io.switchboard.edge.metaverse.MetaverseHttp.Reply;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.ClusterPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real appliances on loopback sharing their metaverse registry through Aeron Cluster: a domain, its
 * ice_server_address and its key written through one node are read from the others and let its ICE heartbeat on
 * another node be ACKed; kill -9 of the leader during writes from two clients loses no acknowledged domain and writes
 * resume; the killed node restarts and converges; a node alone answers 503, never a stale 2xx.
 */
class MetaverseClusterTest
{
    private static final int NODES = 3;
    private static final long TIMEOUT_MS = 1_500;
    private static final long ALIVE_TIMEOUT_MS = 3_000;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final ApplianceProcess[] nodes = new ApplianceProcess[NODES];
    private String members;

    @AfterEach
    void stop() throws Exception
    {
        for (final ApplianceProcess node : nodes)
        {
            if (node != null)
            {
                node.close();
            }
        }
    }

    @Test
    void registryWritesReplicateSurviveTheLeadersKillAndAMinorityAnswers503() throws Exception
    {
        members = ClusterPorts.members(NODES);
        final List<Process> launched = new ArrayList<>();
        for (int i = 0; i < NODES; i++)
        {
            launched.add(launch(i));
        }
        for (int i = 0; i < NODES; i++)
        {
            nodes[i] = ApplianceProcess.awaitReady(launched.get(i));
            assertTrue(nodes[i].readyLine().endsWith(" cluster=node:" + i + "/3"), nodes[i].readyLine());
        }
        final int leader = agreedLeader();

        // Written through node 0, read from 1 and 2; the key verifies an ICE heartbeat on node 2.
        final MetaverseHttp first = http(0);
        final Domain domain = first.createTemporary();
        assertEquals(200, first.setIceServerAddress(domain, "192.0.2.9").status());
        final DomainServerKeys keys = DomainServerKeys.rsa(2048);
        assertEquals(200, first.uploadPublicKey(domain.id(), domain.apiKey(), keys.pkcs1()).status());
        assertEquals("192.0.2.9", first.get("/api/v1/domains/" + domain.id()).body()
            .path("domain").path("ice_server_address").asText(), "read your write on the node that took it");
        for (int i = 1; i < NODES; i++)
        {
            final MetaverseHttp other = http(i);
            awaitTrue("domain on node " + i, () -> "192.0.2.9".equals(read(other, domain.id())));
            assertEquals(200, other.get("/api/v1/domains/" + domain.id() + "/public_key").status());
        }
        try (UdpPeer domainServer = new UdpPeer(nodes[2].port("ice")))
        {
            final byte[] reply = domainServer.exchange(keys.heartbeat(domain.id(), 1, domainServer.localPort()));
            assertEquals(DomainServerKeys.ACK, reply[4], "the key registered through node 0 verifies on node 2");
        }

        // A heartbeat that changes durable fields is committed; one that changes only the counts is written in place
        // on node 0 and reaches node 1 by the soft sync (--cluster-soft-sync-ms).
        assertEquals(200, first.put("/api/v1/domains/" + domain.id(), heartbeat(domain, 1)).status());
        assertEquals(200, first.put("/api/v1/domains/" + domain.id(), heartbeat(domain, 5)).status());
        final MetaverseHttp second = http(1);
        awaitTrue("soft fields on node 1", () -> users(second, domain.id()) == 5);

        // A pulse client registered through node 0 is known to node 2; its logout through node 1 reaches node 2.
        final JsonNode registered = MetaverseHttp.JSON.readTree(rendezvous(0, "/register", null).body());
        final String privateId = registered.path("private_id").asText();
        assertEquals(64, privateId.length(), registered.toString());
        awaitTrue("registration on node 2", () -> rendezvousStatus(2, "/verify", privateId) == 200);
        assertEquals(200, rendezvous(1, "/logout", privateId).statusCode());
        awaitTrue("logout on node 2", () -> rendezvousStatus(2, "/verify", privateId) == 400);

        // Every node hears the others on the links beside the log.
        for (int i = 0; i < NODES; i++)
        {
            for (int peer = 0; peer < NODES; peer++)
            {
                if (peer != i)
                {
                    final int node = i;
                    final String up = "switchboard_links_peer_up{peer=\"" + peer + "\"}";
                    awaitTrue("node " + node + " hears " + peer + " on the links", () -> metric(node, up) == 1);
                }
            }
        }

        // Two clients write through the two followers while the leader is killed.
        final ConcurrentLinkedQueue<UUID> acked = new ConcurrentLinkedQueue<>();
        final AtomicBoolean writing = new AtomicBoolean(true);
        final List<Thread> writers = new ArrayList<>();
        final long[] lastAckMs = new long[NODES];
        for (int i = 0; i < NODES; i++)
        {
            if (i == leader)
            {
                continue;
            }
            final int node = i;
            final MetaverseHttp http = http(node);
            final Thread writer = new Thread(() ->
            {
                while (writing.get())
                {
                    try
                    {
                        final Reply reply = http.post("/api/v1/domains/temporary", "");
                        if (reply.status() == 200)
                        {
                            acked.add(UUID.fromString(reply.body().path("data").path("domain").path("id").asText()));
                            lastAckMs[node] = System.currentTimeMillis();
                        }
                    }
                    catch (final Exception ex)
                    {
                        // A refused connection is no acknowledgement; keep writing.
                    }
                }
            }, "writer-" + node);
            writer.start();
            writers.add(writer);
        }
        Thread.sleep(700);
        final int ackedBeforeKill = acked.size();
        nodes[leader].kill();
        final long killedMs = System.currentTimeMillis();
        nodes[leader] = null;
        awaitTrue("writes resume after the kill", () -> lastAckMs[(leader + 1) % NODES] > killedMs + 100 &&
            lastAckMs[(leader + 2) % NODES] > killedMs + 100);
        writing.set(false);
        for (final Thread writer : writers)
        {
            writer.join(10_000);
        }
        assertTrue(ackedBeforeKill > 0, "writes were acknowledged before the kill");
        final String killedUp = "switchboard_links_peer_up{peer=\"" + leader + "\"}";
        for (int i = 0; i < NODES; i++)
        {
            final int node = i;
            if (node != leader)
            {
                awaitTrue("node " + node + " sees the killed node down", () -> metric(node, killedUp) == 0);
            }
        }
        final long downAfterMs = System.currentTimeMillis() - killedMs;
        assertTrue(downAfterMs <= ALIVE_TIMEOUT_MS + 1_500, "down within the alive timeout: " + downAfterMs + " ms");
        for (int i = 0; i < NODES; i++)
        {
            if (i != leader)
            {
                assertEveryDomainIsThere(http(i), acked, "survivor " + i);
            }
        }

        // The killed node comes back (at once after its kill) and converges.
        nodes[leader] = ApplianceProcess.awaitReady(launch(leader));
        assertEveryDomainIsThere(http(leader), acked, "restarted node " + leader);

        // Alone, a node cannot commit: 503 within the timeout, and /healthz says so.
        final int alone = leader;
        for (int i = 0; i < NODES; i++)
        {
            if (i != alone)
            {
                nodes[i].kill();
                nodes[i] = null;
            }
        }
        final long startMs = System.currentTimeMillis();
        final Reply refused = http(alone).post("/api/v1/domains/temporary", "");
        final long tookMs = System.currentTimeMillis() - startMs;
        assertEquals(503, refused.status(), refused.body().toString());
        assertTrue(tookMs >= TIMEOUT_MS, "refused once the cluster timeout passed, not before: " + tookMs + " ms");
        assertTrue(tookMs <= TIMEOUT_MS + 1_500, "answered within the cluster timeout: " + tookMs + " ms");
        awaitTrue("healthz 503 alone", () -> healthStatus(alone) == 503);
    }

    private void assertEveryDomainIsThere(final MetaverseHttp http, final Iterable<UUID> ids, final String where)
        throws Exception
    {
        for (final UUID id : ids)
        {
            awaitTrue(where + " holds " + id, () -> status(http, "/api/v1/domains/" + id) == 200);
        }
    }

    /** Every node's /healthz names the same leader, which alone says leader. */
    private int agreedLeader() throws Exception
    {
        final int[] leader = {-1};
        awaitTrue("one leader all nodes agree on", () ->
        {
            int leaders = 0;
            int seen = -2;
            for (int i = 0; i < NODES; i++)
            {
                final JsonNode cluster = health(i).path("cluster");
                if ("leader".equals(cluster.path("role").asText()))
                {
                    leaders++;
                }
                final int named = cluster.path("leader").asInt(-1);
                if (named < 0 || seen != -2 && seen != named || !cluster.path("working").asBoolean())
                {
                    return false;
                }
                seen = named;
            }
            leader[0] = seen;
            return leaders == 1;
        });
        assertEquals(200, healthStatus(leader[0]));
        return leader[0];
    }

    private Process launch(final int node) throws IOException
    {
        return ApplianceProcess.launch(List.of("-Xmx256m"),
            ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + node + ".log").toFile()),
            "--data-dir=" + dir.resolve("data-" + node), "--cluster-members=" + members, "--cluster-node=" + node,
            "--cluster-timeout-ms=" + TIMEOUT_MS, "--cluster-soft-sync-ms=100",
            "--peerjs-alive-timeout-ms=" + ALIVE_TIMEOUT_MS, "--ice-port=0", "--pulse-port=0", "--rendezvous-port=0",
            "--metaverse-port=0", "--peerjs-port=0", "--admin-port=0", "--bind-address=127.0.0.1",
            "--temp-domain-rate=100000", "--temp-domain-burst=100000");
    }

    private HttpResponse<String> rendezvous(final int node, final String path, final String bearer) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + nodes[node].port("rendezvous") + path))
            .POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null)
        {
            request.header("Authorization", "Bearer " + bearer);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int rendezvousStatus(final int node, final String path, final String bearer)
    {
        try
        {
            return rendezvous(node, path, bearer).statusCode();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private MetaverseHttp http(final int node)
    {
        return new MetaverseHttp(nodes[node].port("metaverse"));
    }

    /** A stock domain-server heartbeat. */
    private static String heartbeat(final Domain domain, final int users)
    {
        return "{\"domain\":{\"version\":\"2022.1.0\",\"protocol\":\"c2lnbmF0dXJl\",\"automatic_networking\":" +
            "\"full\",\"restricted\":false,\"api_key\":\"" + domain.apiKey() + "\",\"heartbeat\":{\"num_users\":" +
            users + ",\"num_anon_users\":0,\"user_hostnames\":{\"*\":" + users + "}}}}";
    }

    private static int users(final MetaverseHttp http, final UUID id)
    {
        try
        {
            return http.get("/api/v1/domains/" + id).body().path("domain").path("users").path("num_users").asInt(-1);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static String read(final MetaverseHttp http, final UUID id)
    {
        try
        {
            return http.get("/api/v1/domains/" + id).body().path("domain").path("ice_server_address").asText(null);
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    private static int status(final MetaverseHttp http, final String path)
    {
        try
        {
            return http.get(path).status();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private long metric(final int node, final String series)
    {
        try
        {
            return Scrape.value(nodes[node].port("admin"), series);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private JsonNode health(final int node)
    {
        try
        {
            final HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + nodes[node].port("admin") + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
            return MetaverseHttp.JSON.readTree(response.body());
        }
        catch (final Exception ex)
        {
            return MetaverseHttp.JSON.createObjectNode();
        }
    }

    private int healthStatus(final int node)
    {
        try
        {
            return CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + nodes[node].port("admin") + "/healthz")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static void awaitTrue(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
