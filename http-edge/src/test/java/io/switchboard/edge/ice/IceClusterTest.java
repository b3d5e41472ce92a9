package io.switchboard.edge.ice;

import io.switchboard.edge.testing.ClusterNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

import static io.switchboard.edge.ice.IceServerBlackBoxTest.withSequence;
import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16, ICE across nodes, on three real appliances: a domain heartbeats to node 0 and a client queries node 1;
 * the client gets the domain's PeerInformation from node 1's ICE port and the domain gets the client's from node
 * 0's, byte for byte what one node sends (a same-node query in the same run is the reference). The domain moves to
 * node 2 and is answered from there within one heartbeat; node 2 is killed and the others forget the domain within
 * the alive timeout.
 */
class IceClusterTest
{
    private static final long ALIVE_TIMEOUT_MS = 2_000;
    /** Real domains heartbeat every second: a move must be answered from the new node within one. */
    private static final long HEARTBEAT_INTERVAL_MS = 1_000;
    /** Scraping two nodes' /metrics every 10 ms under a loaded machine. */
    private static final long POLL_SLACK_MS = 300;
    private static final String DOMAIN_KEY_OPTION = "--domain-key=" + DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64;

    @TempDir
    Path dir;

    @Test
    void anyNodeAnswersForADomainHeldByAnother() throws Exception
    {
        try (ClusterNodes cluster = ClusterNodes.start(dir, 3, ALIVE_TIMEOUT_MS, DOMAIN_KEY_OPTION);
            Socket domain = new Socket();
            Socket sameNodeClient = new Socket();
            Socket crossNodeClient = new Socket();
            Socket movedClient = new Socket())
        {
            final int ice0 = cluster.port(0, "ice");
            final int ice1 = cluster.port(1, "ice");
            final int ice2 = cluster.port(2, "ice");

            domain.send(HEARTBEAT, ice0);
            assertReceived(ACK_SEQ_1, ice0, domain.receive(5_000), "node 0 acks the heartbeat");
            ClusterNodes.awaitTrue("nodes 1 and 2 hear where the domain is", 5_000, () ->
                cluster.metric(1, "switchboard_ice_remote_domains") == 1 &&
                cluster.metric(2, "switchboard_ice_remote_domains") == 1);

            // The reference: one node answering both sides.
            sameNodeClient.send(QUERY, ice0);
            final Datagram toClientSameNode = sameNodeClient.receive(5_000);
            final Datagram toDomainSameNode = domain.receive(5_000);
            assertReceived(PEER_INFORMATION_TO_CLIENT, ice0, toClientSameNode, "same node, to the client");
            assertReceived(PEER_INFORMATION_TO_DOMAIN, ice0, toDomainSameNode, "same node, to the domain (seq 2)");

            // Across nodes: the client's packet from node 1, the domain's from node 0 with node 0's next sequence.
            crossNodeClient.send(QUERY, ice1);
            assertReceived(toClientSameNode.bytes, ice1, crossNodeClient.receive(5_000), "cross node, to the client");
            assertReceived(withSequence(toDomainSameNode.bytes, 3), ice0, domain.receive(5_000),
                "cross node, to the domain from its holder");
            assertNull(domain.receive(300), "one PeerInformation per query");
            assertEquals(1, cluster.metric(1, "switchboard_ice_queries_total{result=\"answered_remote\"}"));
            assertEquals(1, cluster.metric(0, "switchboard_ice_link_received_total{type=\"introduce\"}"));

            // The domain moves to node 2: queries at node 1 are introduced by node 2 within one heartbeat.
            domain.send(withSequence(HEARTBEAT, 2), ice2);
            final long movedAtMs = System.currentTimeMillis();
            assertReceived(ACK_SEQ_1, ice2, domain.receive(5_000), "node 2 acks the moved domain");
            Datagram introduced = null;
            int answered = 0;
            while (System.currentTimeMillis() - movedAtMs < HEARTBEAT_INTERVAL_MS && introduced == null)
            {
                movedClient.send(QUERY, ice1);
                answered++;
                assertReceived(withSequence(PEER_INFORMATION_TO_CLIENT, answered), ice1, movedClient.receive(5_000),
                    "node 1 answers the client throughout");
                final Datagram toDomain = domain.receive(50);
                if (toDomain != null && toDomain.fromPort == ice2)
                {
                    introduced = toDomain;
                }
            }
            final long movedAfterMs = System.currentTimeMillis() - movedAtMs;
            assertNotNull(introduced, "not introduced by node 2 within " + HEARTBEAT_INTERVAL_MS + " ms");
            assertReceived(withSequence(toDomainSameNode.bytes, 2), ice2, introduced,
                "the same packet as from one node, with node 2's second sequence number to the domain");
            ClusterNodes.awaitTrue("node 0 dropped its copy", 2_000, () ->
                cluster.metric(0, "switchboard_ice_active_domains") == 0 &&
                cluster.metric(0, "switchboard_ice_domains_moved_away_total") == 1);
            System.out.println("ice-cluster: moved domain introduced by its new node after " + movedAfterMs + " ms");

            // The holder dies: the others forget its domain within the alive timeout.
            cluster.kill(2);
            final long killedAtMs = System.currentTimeMillis();
            ClusterNodes.awaitTrue("nodes 0 and 1 forget node 2's domain", ALIVE_TIMEOUT_MS + 1_000, () ->
                cluster.metric(0, "switchboard_ice_remote_domains") == 0 &&
                cluster.metric(1, "switchboard_ice_remote_domains") == 0);
            final long forgottenAfterMs = System.currentTimeMillis() - killedAtMs;
            System.out.println("ice-cluster: killed holder's domain forgotten after " + forgottenAfterMs + " ms");
            // The bound is the alive timeout from node 2's last link heartbeat (before the kill), plus our polling.
            assertTrue(forgottenAfterMs <= ALIVE_TIMEOUT_MS + POLL_SLACK_MS,
                "forgotten " + forgottenAfterMs + " ms after the kill, alive timeout " + ALIVE_TIMEOUT_MS);
            movedClient.drain();
            movedClient.send(QUERY, ice1);
            assertNull(movedClient.receive(300), "no node answers for a domain nobody holds");
        }
    }

    private static void assertReceived(
        final byte[] expected, final int fromPort, final Datagram received, final String what)
    {
        assertNotNull(received, what + ": nothing received");
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(received.bytes), what);
        assertEquals(fromPort, received.fromPort, what + ": sent from the wrong port");
    }

    private record Datagram(byte[] bytes, int fromPort)
    {
    }

    /** A loopback UDP socket that sends to any node's port and tells which port a datagram came from. */
    private static final class Socket implements AutoCloseable
    {
        private final DatagramSocket socket;

        Socket() throws IOException
        {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        void send(final byte[] datagram, final int port) throws IOException
        {
            socket.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
        }

        Datagram receive(final int timeoutMs) throws IOException
        {
            final byte[] buffer = new byte[2_048];
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.setSoTimeout(timeoutMs);
            try
            {
                socket.receive(packet);
            }
            catch (final SocketTimeoutException ex)
            {
                return null;
            }
            return new Datagram(Arrays.copyOf(buffer, packet.getLength()), packet.getPort());
        }

        void drain() throws IOException
        {
            while (receive(50) != null)
            {
                continue;
            }
        }

        @Override
        public void close()
        {
            socket.close();
        }
    }
}
