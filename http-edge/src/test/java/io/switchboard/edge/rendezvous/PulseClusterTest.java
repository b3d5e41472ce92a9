package io.switchboard.edge.rendezvous;

import io.switchboard.edge.rendezvous.RendezvousHttp.Client;
import io.switchboard.edge.rendezvous.RendezvousHttp.Reply;
import io.switchboard.edge.testing.ClusterNodes;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pulses across three real appliances on loopback: a client registered through node 0 pulses node 2, and node 0
 * answers GET /peer/{id}/udp and /udp/status with the address node 2 saw; the client moves its pulses to node 1 and
 * every node answers with one state, node 1's, while node 2's old deadline passes without firing; kill -9 of the
 * owner leaves the client ONLINE for one pulse TTL on the survivors, then PENDING, until it pulses and verifies on a
 * survivor, which answers for it from then on.
 */
class PulseClusterTest
{
    private static final int NODES = 3;
    private static final long TTL_MS = 3_000;
    private static final long ALIVE_TIMEOUT_MS = 2_000;
    private static final String PENDING = "switchboard_pulse_deadlines_total{result=\"pending\"}";
    private static final String OWNED = "switchboard_pulse_owned_clients";

    @TempDir
    Path dir;

    private final List<UdpPeer> sockets = new ArrayList<>();
    private ClusterNodes cluster;

    @AfterEach
    void stop() throws Exception
    {
        sockets.forEach(UdpPeer::close);
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void anyNodeAnswersForAClientPulsingAnyNodeWithOneStateAndItsOwnersKillHandsItToTheRules() throws Exception
    {
        cluster = ClusterNodes.start(dir, NODES, ALIVE_TIMEOUT_MS, "--cluster-timeout-ms=1500",
            "--pulse-register-grace-ms=600000", "--pulse-ttl-ms=" + TTL_MS, "--pulse-error-time-ms=600000",
            "--pulse-max-clients=1000");

        final RendezvousHttp first = http(0);
        final Client client = first.register();
        final Client asker = first.register();
        awaitTrue("the registration on node 2", () -> http(2).verify(client).status() == 200);
        final byte[] pulse = client.key().getBytes(StandardCharsets.US_ASCII);

        // Pulses to node 2: node 0 (and 1) answer with the address node 2 saw.
        final UdpPeer toNode2 = socket(2);
        assertArrayEquals(RendezvousBlackBoxTest.ON_TIME, toNode2.exchange(pulse));
        for (int i = 0; i < 2; i++)
        {
            final RendezvousHttp http = http(i);
            awaitTrue("node " + i + " answers node 2's address",
                () -> port(http, asker, client) == toNode2.localPort());
            final Reply status = http.status(asker, client.id());
            assertEquals(RendezvousApi.ONLINE, status.text("status"));
            assertEquals("127.0.0.1", http.address(asker, client.id()).text("host"));
        }
        assertEquals(1, metric(2, OWNED));

        // It moves its pulses to node 1 (another NAT mapping): one state, node 1's, everywhere.
        final UdpPeer toNode1 = socket(1);
        final long movedMs = System.currentTimeMillis();
        assertArrayEquals(RendezvousBlackBoxTest.ON_TIME, toNode1.exchange(pulse));
        for (int i = 0; i < NODES; i++)
        {
            final RendezvousHttp http = http(i);
            awaitTrue("node " + i + " answers node 1's address",
                () -> port(http, asker, client) == toNode1.localPort());
        }
        awaitTrue("node 2 gave it up", () -> metric(2, OWNED) == 0);
        assertEquals(1, metric(1, OWNED));
        // Pulsing node 1 for two TTLs: node 2's old deadline passes and fires no change anywhere (no ghost).
        while (System.currentTimeMillis() < movedMs + 2 * TTL_MS)
        {
            Thread.sleep(TTL_MS / 3);
            assertArrayEquals(RendezvousBlackBoxTest.ON_TIME, toNode1.exchange(pulse));
        }
        for (int i = 0; i < NODES; i++)
        {
            assertEquals(0, metric(i, PENDING), "no deadline fired on node " + i);
            assertEquals(RendezvousApi.ONLINE, http(i).status(asker, client.id()).text("status"));
            assertEquals(2, metric(i, "switchboard_pulse_clients{state=\"online\"}"),
                "the client and the asker, once each, on node " + i);
        }

        // kill -9 of its owner: the survivors keep its last address, ONLINE for one TTL from when they see node 1
        // down, then PENDING (the rules, on each survivor), never sooner.
        cluster.kill(1);
        final long killedMs = System.currentTimeMillis();
        for (final int survivor : new int[] {0, 2})
        {
            awaitTrue("node " + survivor + " hands node 1's client to the rules",
                () -> metric(survivor, "switchboard_pulse_locations_total{event=\"orphaned\"}") == 1);
        }
        awaitTrue("pending on node 2", () -> RendezvousApi.PENDING.equals(text(http(2), asker, client)));
        final long pendingAfterMs = System.currentTimeMillis() - killedMs;
        assertTrue(pendingAfterMs >= TTL_MS, "pending " + pendingAfterMs + " ms after the kill");
        assertTrue(pendingAfterMs < ALIVE_TIMEOUT_MS + TTL_MS + 5_000, "pending " + pendingAfterMs + " ms after");
        assertEquals(toNode1.localPort(), port(http(0), asker, client));
        awaitTrue("pending on node 0", () -> RendezvousApi.PENDING.equals(text(http(0), asker, client)));

        // It pulses node 0 (must re-verify), verifies there: node 0 owns it and node 2 answers with node 0's view.
        final UdpPeer toNode0 = socket(0);
        assertArrayEquals(RendezvousBlackBoxTest.MUST_REVERIFY, toNode0.exchange(pulse));
        assertEquals(200, http(0).verify(client).status());
        assertArrayEquals(RendezvousBlackBoxTest.ON_TIME, toNode0.exchange(pulse));
        awaitTrue("node 2 answers node 0's address",
            () -> port(http(2), asker, client) == toNode0.localPort() &&
                RendezvousApi.ONLINE.equals(text(http(2), asker, client)));
        assertEquals(1, metric(0, OWNED));
        assertEquals(0, metric(2, OWNED));
    }

    private UdpPeer socket(final int node) throws IOException
    {
        final UdpPeer socket = new UdpPeer(cluster.port(node, "pulse"));
        sockets.add(socket);
        return socket;
    }

    private RendezvousHttp http(final int node)
    {
        return new RendezvousHttp(cluster.port(node, "rendezvous"));
    }

    private static int port(final RendezvousHttp http, final Client asker, final Client peer)
    {
        try
        {
            final Reply reply = http.address(asker, peer.id());
            return reply.status() == 200 ? reply.body().path("port").asInt() : -reply.status();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static String text(final RendezvousHttp http, final Client asker, final Client peer)
    {
        try
        {
            final Reply reply = http.status(asker, peer.id());
            return reply.status() == 200 ? reply.text("status") : Integer.toString(reply.status());
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    private long metric(final int node, final String series)
    {
        return cluster.metric(node, series);
    }

    private static void awaitTrue(final String what, final Check condition) throws Exception
    {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.holds())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A condition that may do I/O. */
    @FunctionalInterface
    private interface Check
    {
        boolean holds() throws Exception;
    }
}
