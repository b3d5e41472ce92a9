package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.ClusterNodes;
import io.switchboard.edge.testing.RawSocket;
import io.switchboard.protocol.dop.DopToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PeerJS and dop across three real appliances on loopback (JDK WebSockets as clients): an id is unique in the
 * cluster (ID-TAKEN from another node, takeover with the same token), OFFER/ANSWER/CANDIDATE/LEAVE reach a peer on
 * another node in order from the instant OPEN arrives (an SDP-sized frame too; one longer than a links message is
 * dropped, counted), a message for an offline id reaches it on the node it connects to, EXPIRE comes when it never
 * does; kill -9 of a node frees its ids on the others within the alive timeout, its peer reconnects to another node
 * with its token and is reachable again, and a dop session resumed on another node starts as a new session.
 */
class PeerJsClusterTest
{
    private static final int NODES = 3;
    private static final long ALIVE_TIMEOUT_MS = 3_000;
    private static final long EXPIRE_TIMEOUT_MS = 2_000;
    /** The links' heartbeat interval: a killed node's last heartbeat may be this much before the kill. */
    private static final long LINKS_HEARTBEAT_MS = 200;
    /** Scheduling slack of a loaded machine (two cores shared by several builds). */
    private static final long SLACK_MS = 600;
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final String ID_TAKEN = "{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}";

    @TempDir
    Path dir;

    private ClusterNodes cluster;
    private final List<RawSocket> sockets = new CopyOnWriteArrayList<>();
    /** PeerJS sockets get a HEARTBEAT every half second (the alive timeout is short), as the peerjs client sends. */
    private final List<RawSocket> peerJsSockets = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();

    PeerJsClusterTest()
    {
        heartbeats.scheduleAtFixedRate(() -> peerJsSockets.forEach(socket ->
        {
            synchronized (socket)
            {
                socket.sendIfOpen("{\"type\":\"HEARTBEAT\"}");
            }
        }), 500, 500, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() throws Exception
    {
        heartbeats.shutdownNow();
        sockets.forEach(RawSocket::abort);
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void idsAreClusterWideRelaysCrossNodesAndAKilledNodesPeersComeBackElsewhere() throws Exception
    {
        cluster = ClusterNodes.start(dir, NODES, ALIVE_TIMEOUT_MS, "--cluster-timeout-ms=1500",
            "--peerjs-expire-timeout-ms=" + EXPIRE_TIMEOUT_MS);

        // Unique in the cluster: a second socket for A on node 1 is refused as on one node.
        final RawSocket a = client(0, "A", "ta");
        final RawSocket intruder = socket(1, "A", "other");
        intruder.expect(ID_TAKEN);
        assertEquals(1000, intruder.closeCode(RawSocket.WAIT_MS));

        // The same token on another node takes the id over; the first socket is closed.
        final RawSocket first = client(1, "T", "tt");
        final RawSocket second = client(2, "T", "tt");
        assertEquals(1000, first.closeCode(RawSocket.WAIT_MS));
        send(a, "{\"type\":\"OFFER\",\"dst\":\"T\",\"payload\":\"to-the-new-holder\"}");
        second.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"T\",\"payload\":\"to-the-new-holder\"}");

        // A on node 0 to B on node 2: every type, in order, more than an offline queue keeps (500) sent the instant
        // B's OPEN arrives (node 0 may not have heard B's HOLD yet: it routes to B's node since it answered B's claim).
        final RawSocket b = client(2, "B", "tb");
        final String[] types = {"OFFER", "ANSWER", "CANDIDATE"};
        for (int i = 0; i < 600; i++)
        {
            send(a, "{\"type\":\"" + types[i % 3] + "\",\"dst\":\"B\",\"payload\":" + i + "}");
        }
        send(a, "{\"type\":\"LEAVE\",\"dst\":\"B\"}");
        for (int i = 0; i < 600; i++)
        {
            b.expect("{\"type\":\"" + types[i % 3] + "\",\"src\":\"A\",\"dst\":\"B\",\"payload\":" + i + "}");
        }
        b.expect("{\"type\":\"LEAVE\",\"src\":\"A\",\"dst\":\"B\"}");

        // An SDP-sized frame (20 KB) crosses whole; one past the links' message size (32 KiB) is dropped, counted.
        final String sdp = "\"" + "v=0 a=candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host ".repeat(330) + "\"";
        send(a, "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":" + sdp + "}");
        b.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":" + sdp + "}");
        send(a, "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"" + "x".repeat(40_000) + "\"}");
        awaitTrue("the too long relay counted", () ->
            metric(0, "switchboard_peerjs_relays_total{result=\"dropped_too_long_for_links\"}") == 1);
        send(b, "{\"type\":\"ANSWER\",\"dst\":\"A\",\"payload\":\"back\"}");
        a.expect("{\"type\":\"ANSWER\",\"src\":\"B\",\"dst\":\"A\",\"payload\":\"back\"}");

        // Queued on node 0 for C, which then connects to node 1.
        send(a, "{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":\"waiting\"}");
        awaitTrue("queued on node 0", () -> metric(0, "switchboard_peerjs_queued_messages") == 1);
        final RawSocket c = client(1, "C", "tc");
        c.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":\"waiting\"}");

        // D never connects: A gets EXPIRE at the expire timeout.
        final long queuedMs = System.currentTimeMillis();
        send(a, "{\"type\":\"OFFER\",\"dst\":\"D\",\"payload\":\"lost\"}");
        a.expect("{\"type\":\"EXPIRE\",\"src\":\"D\",\"dst\":\"A\"}");
        final long expiredAfterMs = System.currentTimeMillis() - queuedMs;
        assertTrue(expiredAfterMs >= EXPIRE_TIMEOUT_MS - 50, "EXPIRE early: " + expiredAfterMs + " ms");
        assertTrue(expiredAfterMs <= EXPIRE_TIMEOUT_MS + SLACK_MS, "EXPIRE late: " + expiredAfterMs + " ms");

        // dop: a session on node 2, and one on node 0 that resumes on its own node and keeps its queue.
        final DopSession lost = new DopSession(2, "dlost");
        final DopSession kept = new DopSession(0, "dkept");
        kept.socket.abort();
        awaitTrue("node 0 retains the dop session",
            () -> metric(0, "switchboard_dop_sessions{state=\"reconnecting\"}") == 1);
        send(b, "{\"type\":\"OFFER\",\"dst\":\"dkept\",\"payload\":\"while-away\"}");
        awaitTrue("queued for the dop session", () -> metric(0, "switchboard_dop_queued_messages") == 1);
        final RawSocket resumed = raw(0, "/dop?key=peerjs&id=dkept");
        send(resumed, kept.finalToken);
        resumed.next(); // the temporary node's token
        resumed.expect(kept.finalToken);
        resumed.expect("{\"type\":\"OFFER\",\"src\":\"B\",\"dst\":\"dkept\",\"payload\":\"while-away\"}");

        // kill -9 of node 2: its ids are free on 0 and 1 within the alive timeout.
        client(2, "K", "tk");
        awaitTrue("node 0 knows K's node", () -> metric(0, "switchboard_peerjs_cluster_remote_ids") >= 3);
        cluster.kill(2);
        final long killedMs = System.currentTimeMillis();
        final RawSocket newK = socket(0, "K", "someone-else");
        newK.expect(OPEN);
        final long freedAfterMs = System.currentTimeMillis() - killedMs;
        assertTrue(freedAfterMs >= ALIVE_TIMEOUT_MS - LINKS_HEARTBEAT_MS - 50,
            "K freed before node 2 could be known dead: " + freedAfterMs + " ms");
        assertTrue(freedAfterMs <= ALIVE_TIMEOUT_MS + LINKS_HEARTBEAT_MS + SLACK_MS,
            "K freed late: " + freedAfterMs + " ms");
        System.out.printf("PeerJsClusterTest: EXPIRE after %d ms (timeout %d), K free on node 0 %d ms after the kill" +
            " (alive timeout %d)%n", expiredAfterMs, EXPIRE_TIMEOUT_MS, freedAfterMs, ALIVE_TIMEOUT_MS);
        awaitTrue("node 1 sees node 2 down", () -> metric(1, "switchboard_links_peer_up{peer=\"2\"}") == 0);
        assertTrue(System.currentTimeMillis() - killedMs <= ALIVE_TIMEOUT_MS + LINKS_HEARTBEAT_MS + SLACK_MS,
            "node 1 late to see node 2 down");

        // B reconnects to node 1 with its id and token, as the peerjs client does, and is reachable again.
        final RawSocket bAgain = client(1, "B", "tb");
        send(a, "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"after-the-kill\"}");
        bAgain.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":\"after-the-kill\"}");

        // The dop session of node 2 resumes on node 1 as a new session: its final token names nothing there.
        final RawSocket moved = raw(1, "/dop?key=peerjs&id=dlost");
        final String fresh = moved.next();
        send(moved, lost.finalToken);
        moved.expect(fresh);
        assertNotEquals(lost.finalToken, fresh);
        send(moved, lost.finalToken);
        moved.expect(OPEN);
        assertEquals(0, metric(1, "switchboard_dop_session_events_total{event=\"resumed\"}"));
    }

    /** A dop session that did the fresh handshake (spec part 2, example A) on {@code node}. */
    private final class DopSession
    {
        final RawSocket socket;
        final String finalToken;

        DopSession(final int node, final String id)
        {
            final String clientToken = DopToken.local();
            socket = raw(node, "/dop?key=peerjs&id=" + id);
            final String serverToken = socket.next();
            send(socket, clientToken);
            socket.expect(serverToken);
            send(socket, clientToken);
            socket.expect(OPEN);
            finalToken = DopToken.unique(serverToken, clientToken);
        }
    }

    private RawSocket raw(final int node, final String pathAndQuery)
    {
        final RawSocket socket =
            RawSocket.open(URI.create("ws://127.0.0.1:" + cluster.port(node, "peerjs") + pathAndQuery));
        sockets.add(socket);
        return socket;
    }

    private RawSocket socket(final int node, final String id, final String token)
    {
        final RawSocket socket = raw(node, "/peerjs?key=peerjs&id=" + id + "&token=" + token);
        peerJsSockets.add(socket);
        return socket;
    }

    /** One text frame, never at the same time as the socket's heartbeat. */
    private static void send(final RawSocket socket, final String text)
    {
        synchronized (socket)
        {
            socket.send(text);
        }
    }

    private RawSocket client(final int node, final String id, final String token)
    {
        final RawSocket socket = socket(node, id, token);
        socket.expect(OPEN);
        return socket;
    }

    private long metric(final int node, final String series)
    {
        return cluster.metric(node, series);
    }

    private static void awaitTrue(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        ClusterNodes.awaitTrue(what, 20_000, condition);
    }
}
