package io.switchboard.engine.ice;

import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Full announcements between two nodes' {@link IceCluster}s, whose small link queue fills mid-round: a change the
 * full queue refuses never makes the round start over, and the peer still ends up with exactly what the holder holds.
 */
class IceClusterSyncTest
{
    private static final int DOMAINS = 100;
    /** Room for about 25 LOCATIONs: a round of 100 domains fills it several times. */
    private static final int QUEUE_BYTES = 1024;
    private static final long SINCE = 1_700_000_000_000L;

    /** Node 0's queue to node 1. */
    private final LinkOutbox outbox = outbox(0);
    private final IceCluster holder = new IceCluster(outbox, 2 * DOMAINS + 8, new Metrics());
    private final IceCluster peer = new IceCluster(outbox(1), 2 * DOMAINS + 8, new Metrics());
    private final UnsafeBuffer sockets = new UnsafeBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    private int locations;
    private int gones;
    private int starts;
    private int ends;

    @Test
    void aChangeRefusedAheadOfTheRoundsCursorIsNamedByThatRoundWhichGoesOnFromWhereItWas()
    {
        holdDomains();
        holder.onPeerNode(1, true);
        assertTrue(outbox.queuedBytes(1) > QUEUE_BYTES - 64, "the round filled the queue");
        holder.held(DOMAINS, 1, SINCE, sockets, 0, sockets.capacity());
        assertEquals(1, holder.droppedOutboxFull.get(), "the new domain's LOCATION was refused");
        deliverUntilIdle();
        assertEquals(1, starts, "one round, never started over");
        assertEquals(1, ends);
        assertEquals(DOMAINS + 1, locations, "each domain named once");
        assertEquals(DOMAINS + 1, peer.remoteDomains.get());
        assertNotEquals(IceLocations.NONE, peer.findRemote(DOMAINS, 1));
    }

    @Test
    void aDomainGoneBehindTheRoundsCursorIsForgottenByTheRoundThatFollows()
    {
        holdDomains();
        holder.onPeerNode(1, true);
        holder.released(0, 1);
        assertEquals(1, holder.droppedOutboxFull.get(), "the GONE was refused");
        deliverUntilIdle();
        assertEquals(0, gones);
        assertEquals(2, starts, "the round under way went on, and one more followed it");
        assertEquals(2, ends);
        assertEquals(DOMAINS + DOMAINS - 1, locations);
        assertEquals(IceLocations.NONE, peer.findRemote(0, 1));
        assertEquals(DOMAINS - 1, peer.remoteDomains.get());
    }

    @Test
    void aChangeRefusedWhenNoRoundIsUnderWayStartsOne()
    {
        holdDomains();
        holder.onPeerNode(1, true);
        deliverUntilIdle();
        final UnsafeBuffer filler = new UnsafeBuffer(new byte[64]);
        while (outbox.offer(1, IceLinkMessages.INTRODUCE, filler, 0, filler.capacity()))
        {
            // fill the queue with something that is not ICE state
        }
        holder.held(DOMAINS, 1, SINCE, sockets, 0, sockets.capacity());
        assertEquals(1, holder.droppedOutboxFull.get());
        locations = 0;
        deliverUntilIdle();
        assertEquals(2, starts);
        assertEquals(DOMAINS + 1, locations, "a full round names every domain once more");
        assertEquals(DOMAINS + 1, peer.remoteDomains.get());
    }

    private void holdDomains()
    {
        for (int domain = 0; domain < DOMAINS; domain++)
        {
            holder.held(domain, 1, SINCE, sockets, 0, sockets.capacity());
        }
    }

    /** What the links and the peer's handler do, then the holder's tick, until nothing is left to send. */
    private void deliverUntilIdle()
    {
        for (int rounds = 0; rounds < 1_000; rounds++)
        {
            while (outbox.queuedBytes(1) > 0)
            {
                final int before = outbox.queuedBytes(1);
                outbox.drain(1, this::receive, 1_024);
                if (outbox.queuedBytes(1) == before)
                {
                    break;
                }
            }
            holder.onTick();
            if (outbox.queuedBytes(1) == 0)
            {
                return;
            }
        }
        fail("still sending after 1000 ticks");
    }

    private boolean receive(
        final int node, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (type)
        {
            case IceLinkMessages.LOCATION ->
            {
                locations++;
                peer.located(0, IceLinkMessages.msb(buffer, offset), IceLinkMessages.lsb(buffer, offset),
                    IceLinkMessages.since(buffer, offset), buffer, offset + IceLinkMessages.LOCATION_SOCKETS_OFFSET,
                    length - IceLinkMessages.LOCATION_SOCKETS_OFFSET);
            }
            case IceLinkMessages.GONE ->
            {
                gones++;
                peer.gone(0, IceLinkMessages.msb(buffer, offset), IceLinkMessages.lsb(buffer, offset));
            }
            case IceLinkMessages.SYNC_START ->
            {
                starts++;
                peer.syncStarted(0, IceLinkMessages.round(buffer, offset));
            }
            case IceLinkMessages.SYNC_END ->
            {
                ends++;
                peer.syncEnded(0, IceLinkMessages.round(buffer, offset));
            }
            default ->
            {
                // the filler
            }
        }
        return true;
    }

    private static LinkOutbox outbox(final int index)
    {
        final Metrics metrics = new Metrics();
        final AtomicCounter[] full = new AtomicCounter[2];
        for (int node = 0; node < 2; node++)
        {
            full[node] = metrics.counter("test_outbox_full_total", "peer=\"" + node + "\"", "Refused offers.");
        }
        return new LinkOutbox(index, 2, QUEUE_BYTES, full);
    }
}
