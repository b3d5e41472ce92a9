package io.switchboard.engine.ice;

import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.pipeline.EngineTimers;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;

import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The ICE servers of a three-node cluster in one thread, on a fake clock, their link queues delivered by hand: which
 * node answers, from which socket, with which bytes; what crosses the links, and when.
 */
class IceClusterRulesTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final long TIMEOUT_MS = 5_000;
    private static final int NODES = 3;
    private static final int MAX_DOMAINS = 1_024;
    /** The location table: room for every member's own --ice-max-domains. */
    private static final int TABLE = NODES * MAX_DOMAINS;

    private final CachedEpochClock time = new CachedEpochClock();
    private final Node[] nodes = new Node[NODES];
    /** Link messages delivered, by type: index 0 is LOCATION, 1 GONE, and so on. */
    private final int[] delivered = new int[5];
    private DatagramChannel domain;
    private DatagramChannel client;

    private final class Node
    {
        final int index;
        final Metrics metrics = new Metrics();
        final EngineClock clock = new EngineClock(time);
        final DatagramChannel socket;
        final LinkOutbox outbox;
        final EngineTimers timers;
        final IceServer server;

        Node(final int index, final int maxDomains) throws IOException
        {
            this.index = index;
            clock.update();
            socket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            final AtomicCounter[] full = new AtomicCounter[NODES];
            for (int i = 0; i < NODES; i++)
            {
                full[i] = metrics.counter("test_outbox_full_total", "peer=\"" + i + "\"", "Refused offers.");
            }
            outbox = new LinkOutbox(index, NODES, 64 * 1024, full);
            final IceContext context = new IceContext()
                .icePeerTimeoutMs(TIMEOUT_MS)
                .iceMaxDomains(maxDomains)
                .iceQueryBurst(1_000_000)
                .addDomainKey(DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64)
                .linkOutbox(outbox)
                .conclude();
            final DatagramSender sender = new DatagramSender(socket, context.maxDatagramBytes(),
                metrics.counter("test_sent_total", "", "Sent."), metrics.counter("test_failed_total", "", "Failed."));
            timers = new EngineTimers(clock.nowMs());
            server = new IceServer(context, metrics, sender, clock, timers, null, null);
        }

        InetSocketAddress address() throws IOException
        {
            return (InetSocketAddress)socket.getLocalAddress();
        }

        long metric(final String series)
        {
            final long[] value = {-1};
            metrics.reader().forEach((id, type, key, label) ->
            {
                if (label.equals(series))
                {
                    value[0] = metrics.reader().getCounterValue(id);
                }
            });
            return value[0];
        }
    }

    @BeforeEach
    void start() throws Exception
    {
        time.update(START_MS);
        for (int i = 0; i < NODES; i++)
        {
            nodes[i] = new Node(i, MAX_DOMAINS);
        }
        domain = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        domain.configureBlocking(false);
        client.configureBlocking(false);
        for (int i = 0; i < NODES; i++)
        {
            for (int j = 0; j < NODES; j++)
            {
                if (i != j)
                {
                    nodes[i].server.onPeerNode(j, true, 1);
                }
            }
        }
        deliver();
    }

    @AfterEach
    void stop() throws Exception
    {
        for (final Node node : nodes)
        {
            node.server.close();
            node.socket.close();
        }
        domain.close();
        client.close();
    }

    @Test
    void aQueryAtAnotherNodeIsAnsweredByteExactFromTheRightSockets() throws Exception
    {
        heartbeat(0, HEARTBEAT);
        assertArrayEquals(ACK_SEQ_1, receiveFrom(domain, nodes[0]));
        deliver();
        query(1);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, receiveFrom(client, nodes[1]), "the querier's, from node 1");
        assertNothing(domain, "the domain's packet waits for the holder");
        deliver();
        assertArrayEquals(PEER_INFORMATION_TO_DOMAIN, receiveFrom(domain, nodes[0]),
            "the domain's, from node 0 with node 0's second sequence number to it");
        assertEquals(1, nodes[1].metric("switchboard_ice_queries_total{result=\"answered_remote\"}"));
        assertEquals(0, nodes[1].metric("switchboard_ice_queries_total{result=\"unknown_domain\"}"));
    }

    @Test
    void aDomainIsAnnouncedOnceNotPerHeartbeat() throws Exception
    {
        heartbeat(0, HEARTBEAT);
        for (int sequence = 2; sequence <= 10; sequence++)
        {
            setTime(START_MS + sequence * 1_000L);
            heartbeat(0, withSequence(HEARTBEAT, sequence));
        }
        deliver();
        assertEquals(2, delivered[0], "one LOCATION per peer");
        assertEquals(2, nodes[0].metric("switchboard_ice_link_sent_total{type=\"location\"}"));
        assertEquals(1, nodes[1].metric("switchboard_ice_remote_domains"));
        assertEquals(1, nodes[2].metric("switchboard_ice_remote_domains"));
    }

    @Test
    void changedSocketsAreAnnouncedAgainAndAnsweredFromThen() throws Exception
    {
        heartbeat(0, HEARTBEAT);
        deliver();
        final byte[] moved = withSequence(HEARTBEAT, 2);
        // Another source of the same signed bytes changes only the active socket: nothing to announce.
        nodes[0].server.onDatagram(new UnsafeBuffer(moved), moved.length, (InetSocketAddress)client.getLocalAddress(),
            SocketAddresses.fingerprint((InetSocketAddress)client.getLocalAddress()));
        deliver();
        assertEquals(2, delivered[0]);
        receiveFrom(client, nodes[0]);
        heartbeat(0, HEARTBEAT);
        deliver();
        assertEquals(2, delivered[0]);
        query(1);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, receiveFrom(client, nodes[1]));
    }

    @Test
    void aDomainThatMovesIsAnsweredByItsNewHolderAndDroppedByTheOld() throws Exception
    {
        heartbeat(0, HEARTBEAT);
        deliver();
        drain(domain);
        setTime(START_MS + 1_000);
        heartbeat(2, withSequence(HEARTBEAT, 2));
        assertArrayEquals(ACK_SEQ_1, receiveFrom(domain, nodes[2]), "node 2 verifies it itself");
        deliver();
        assertEquals(1, nodes[0].metric("switchboard_ice_domains_moved_away_total"));
        assertEquals(0, nodes[0].metric("switchboard_ice_active_domains"));
        assertEquals(1, nodes[0].metric("switchboard_ice_remote_domains"));
        query(1);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, receiveFrom(client, nodes[1]));
        deliver();
        assertArrayEquals(withSequence(PEER_INFORMATION_TO_DOMAIN, 2), receiveFrom(domain, nodes[2]),
            "introduced by the new holder");
        assertNothing(domain, "and by it only");
        query(0);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, receiveFrom(client, nodes[0]), "the old holder answers too");
        deliver();
        assertArrayEquals(withSequence(PEER_INFORMATION_TO_DOMAIN, 3), receiveFrom(domain, nodes[2]));
        // Node 0's expiry timer of the domain finds nothing to release: no GONE crosses.
        tickAll(START_MS + 1_000 + TIMEOUT_MS - 1);
        deliver();
        assertEquals(0, delivered[1]);
        query(1);
        assertArrayEquals(withSequence(PEER_INFORMATION_TO_CLIENT, 2), receiveFrom(client, nodes[1]));
    }

    @Test
    void anExpiredDomainIsForgottenEverywhereAtItsDeadline() throws Exception
    {
        heartbeat(0, HEARTBEAT);
        deliver();
        tickAll(START_MS + TIMEOUT_MS - 1);
        deliver();
        assertEquals(1, nodes[1].metric("switchboard_ice_remote_domains"));
        tickAll(START_MS + TIMEOUT_MS);
        deliver();
        assertEquals(2, delivered[1]);
        assertEquals(0, nodes[1].metric("switchboard_ice_remote_domains"));
        assertEquals(0, nodes[2].metric("switchboard_ice_remote_domains"));
        query(1);
        assertNothing(client, "unknown everywhere");
        assertEquals(1, nodes[1].metric("switchboard_ice_queries_total{result=\"unknown_domain\"}"));
    }

    @Test
    void aNodeDownIsForgottenAndANodeUpIsToldEverything() throws Exception
    {
        heartbeat(0, HEARTBEAT);
        deliver();
        nodes[1].server.onPeerNode(0, false, 1);
        assertEquals(0, nodes[1].metric("switchboard_ice_remote_domains"));
        assertEquals(1, nodes[1].metric("switchboard_ice_remote_domains_forgotten_total{reason=\"node_down\"}"));
        query(1);
        assertNothing(client, "node 0's domain is gone with it");

        // Node 0 comes back (for node 1): node 0 sees node 1 anew and tells it every domain it holds.
        nodes[0].server.onPeerNode(1, false, 1);
        nodes[0].server.onPeerNode(1, true, 2);
        nodes[1].server.onPeerNode(0, true, 2);
        deliver();
        query(1);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, receiveFrom(client, nodes[1]));
    }

    @Test
    void aFullAnnouncementSweepsWhatAMissedGoneLeftBehind() throws Exception
    {
        heartbeat(0, HEARTBEAT);
        deliver();
        tickAll(START_MS + TIMEOUT_MS);
        discard(0, 1); // node 1 never hears the GONE
        deliver();
        assertEquals(1, nodes[1].metric("switchboard_ice_remote_domains"));
        nodes[0].server.onPeerNode(1, false, 1);
        nodes[0].server.onPeerNode(1, true, 2);
        deliver();
        assertEquals(0, nodes[1].metric("switchboard_ice_remote_domains"), "not named by node 0's full round");
    }

    @Test
    void aRefusedAnnouncementStartsAFullOneForThatPeer() throws Exception
    {
        // Fill node 0's queue to node 1 with junk so the domain's LOCATION is refused.
        final UnsafeBuffer junk = new UnsafeBuffer(new byte[1_000]);
        while (nodes[0].outbox.offer(1, 199, junk, 0, junk.capacity()))
        {
            continue;
        }
        heartbeat(0, HEARTBEAT);
        assertEquals(1, nodes[0].metric("switchboard_ice_link_dropped_total{reason=\"outbox_full\"}"));
        discard(0, 1);
        tickAll(START_MS + 100);
        deliver();
        assertEquals(1, nodes[1].metric("switchboard_ice_remote_domains"), "the full round named it");
        query(1);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, receiveFrom(client, nodes[1]));
    }

    @Test
    void anOlderClaimArrivingLateLosesToTheNewer() throws Exception
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[IceLinkMessages.MAX_LENGTH]);
        final UnsafeBuffer sockets = new UnsafeBuffer(DOMAIN_SOCKETS);
        final long msb = DOMAIN_ID.getMostSignificantBits();
        final long lsb = DOMAIN_ID.getLeastSignificantBits();
        int length = IceLinkMessages.putLocation(message, msb, lsb, START_MS + 2_000, sockets, 0, sockets.capacity());
        nodes[1].server.onLinkMessage(2, IceLinkMessages.LOCATION, message, 0, length);
        length = IceLinkMessages.putLocation(message, msb, lsb, START_MS + 1_000, sockets, 0, sockets.capacity());
        nodes[1].server.onLinkMessage(0, IceLinkMessages.LOCATION, message, 0, length);
        assertEquals(1, nodes[1].metric("switchboard_ice_link_dropped_total{reason=\"stale\"}"));
        // A GONE from the loser does not remove the winner's claim.
        length = IceLinkMessages.putGone(message, msb, lsb);
        nodes[1].server.onLinkMessage(0, IceLinkMessages.GONE, message, 0, length);
        assertEquals(1, nodes[1].metric("switchboard_ice_remote_domains"));
        query(1);
        assertArrayEquals(PEER_INFORMATION_TO_CLIENT, receiveFrom(client, nodes[1]));
        assertTrue(nodes[1].outbox.queuedBytes(2) > 0, "the introduction goes to node 2");
        assertEquals(0, nodes[1].outbox.queuedBytes(0));
    }

    @Test
    void aHolderHeardAfterTheOtherClaimKeepsTheDomainAndClaimsItAgain() throws Exception
    {
        setTime(START_MS + 500);
        heartbeat(0, HEARTBEAT);
        deliver();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[IceLinkMessages.MAX_LENGTH]);
        final UnsafeBuffer sockets = new UnsafeBuffer(DOMAIN_SOCKETS);
        final int length = IceLinkMessages.putLocation(message, DOMAIN_ID.getMostSignificantBits(),
            DOMAIN_ID.getLeastSignificantBits(), START_MS, sockets, 0, sockets.capacity());
        nodes[0].server.onLinkMessage(2, IceLinkMessages.LOCATION, message, 0, length);
        assertEquals(1, nodes[0].metric("switchboard_ice_active_domains"), "kept");
        assertEquals(0, nodes[0].metric("switchboard_ice_domains_moved_away_total"));
        deliver();
        assertEquals(4, delivered[0], "claimed again to both peers");
    }

    @Test
    void aFullTableDropsAnnouncementsCounted()
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[IceLinkMessages.MAX_LENGTH]);
        final UnsafeBuffer sockets = new UnsafeBuffer(DOMAIN_SOCKETS);
        for (int i = 0; i < TABLE + 1; i++)
        {
            final int length = IceLinkMessages.putLocation(message, 7, i, START_MS, sockets, 0, sockets.capacity());
            nodes[1].server.onLinkMessage(0, IceLinkMessages.LOCATION, message, 0, length);
        }
        assertEquals(TABLE, nodes[1].metric("switchboard_ice_remote_domains"));
        assertEquals(1, nodes[1].metric("switchboard_ice_link_dropped_total{reason=\"locations_full\"}"));
        // GONE frees entries, a node down frees them all, and they are reused.
        final int length = IceLinkMessages.putGone(message, 7, 5);
        nodes[1].server.onLinkMessage(0, IceLinkMessages.GONE, message, 0, length);
        assertEquals(TABLE - 1, nodes[1].metric("switchboard_ice_remote_domains"));
        nodes[1].server.onPeerNode(0, false, 1);
        assertEquals(0, nodes[1].metric("switchboard_ice_remote_domains"));
        for (int i = 0; i < TABLE; i++)
        {
            final int again = IceLinkMessages.putLocation(message, 9, i, START_MS, sockets, 0, sockets.capacity());
            nodes[1].server.onLinkMessage(2, IceLinkMessages.LOCATION, message, 0, again);
        }
        assertEquals(TABLE, nodes[1].metric("switchboard_ice_remote_domains"));
    }

    @Test
    void malformedLinkMessagesAreCountedAndIgnored()
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
        message.setMemory(0, 64, (byte)0x7F);
        for (int type = IceLinkMessages.LOCATION; type <= IceLinkMessages.SYNC_END + 1; type++)
        {
            assertTrue(nodes[1].server.onLinkMessage(0, type, message, 0, 40));
        }
        assertEquals(6, nodes[1].metric("switchboard_ice_link_dropped_total{reason=\"malformed\"}"));
        assertEquals(0, nodes[1].metric("switchboard_ice_remote_domains"));
        assertFalse(nodes[1].server.onLinkMessage(0, 200, message, 0, 40), "the pulse block is not ICE's");
    }

    private void heartbeat(final int node, final byte[] datagram) throws IOException
    {
        final InetSocketAddress source = (InetSocketAddress)domain.getLocalAddress();
        nodes[node].server.onDatagram(
            new UnsafeBuffer(datagram), datagram.length, source, SocketAddresses.fingerprint(source));
    }

    private void query(final int node) throws IOException
    {
        final InetSocketAddress source = (InetSocketAddress)client.getLocalAddress();
        nodes[node].server.onDatagram(
            new UnsafeBuffer(QUERY), QUERY.length, source, SocketAddresses.fingerprint(source));
    }

    /** Hands every queued link message to its destination's server, until no queue has any. */
    private void deliver()
    {
        boolean moved = true;
        while (moved)
        {
            moved = false;
            for (final Node from : nodes)
            {
                for (final Node to : nodes)
                {
                    if (from != to && from.outbox.drain(to.index, (node, type, buffer, offset, length) ->
                    {
                        delivered[type - IceLinkMessages.LOCATION]++;
                        assertTrue(to.server.onLinkMessage(from.index, type, buffer, offset, length));
                        return true;
                    }, 1_000) > 0)
                    {
                        moved = true;
                    }
                }
            }
        }
    }

    /** Loses what {@code from} queued for {@code to}. */
    private void discard(final int from, final int to)
    {
        nodes[from].outbox.drain(to, (node, type, buffer, offset, length) -> true, Integer.MAX_VALUE);
    }

    private void tickAll(final long nowMs)
    {
        setTime(nowMs);
        for (final Node node : nodes)
        {
            node.timers.poll(nowMs);
            node.server.onTick(nowMs);
        }
    }

    private void setTime(final long nowMs)
    {
        time.update(nowMs);
        for (final Node node : nodes)
        {
            node.clock.update();
        }
    }

    private static byte[] receiveFrom(final DatagramChannel channel, final Node sender) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.allocate(2_048).order(ByteOrder.LITTLE_ENDIAN);
        final long deadline = System.currentTimeMillis() + 2_000;
        InetSocketAddress source;
        while ((source = (InetSocketAddress)channel.receive(buffer)) == null)
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("nothing received within 2 s");
            }
            Thread.sleep(1);
        }
        assertEquals(sender.address(), source, "sent from node " + sender.index + "'s socket");
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static void assertNothing(final DatagramChannel channel, final String why) throws Exception
    {
        Thread.sleep(50);
        assertNull(channel.receive(ByteBuffer.allocate(2_048)), why);
    }

    private static void drain(final DatagramChannel channel) throws Exception
    {
        Thread.sleep(50);
        while (channel.receive(ByteBuffer.allocate(2_048)) != null)
        {
            continue;
        }
    }

    private static byte[] withSequence(final byte[] datagram, final int sequence)
    {
        final byte[] copy = datagram.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(0, sequence);
        return copy;
    }
}
