package io.switchboard.engine.pulse;

import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.table.PulseClientRecord;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Which cluster node owns each client, in a cluster: the node that heard its latest pulse (or verified it) runs its
 * deadlines and tells the other nodes when it takes the client, when the client's address or state changes there and
 * when it forgets the client ({@link PulseLocationMessage}), never per pulse. The other nodes keep the owner's view
 * in the client's record and run no timer for it. A client nobody owns (a fresh registration, or one whose owner
 * went down) is run by the registration rules on every node alike, from the log's time.
 * <p>
 * Owns per slot the owner node and its claim time, the nodes it believes up, and what it still has to send them: a
 * node that comes up gets every client owned here, sent from a cursor as fast as its queue takes them; an
 * announcement its full queue refused moves that cursor back to the client, a refused "gone" is kept and offered
 * again each tick. Handler thread only; allocation-free after construction.
 */
final class PulseLocations
{
    static final int NONE = -1;
    /** Slots looked at per tick and per node being sent the clients owned here. */
    private static final int SCAN_PER_TICK = 65_536;
    private static final String EVENTS = "switchboard_pulse_locations_total";
    private static final String EVENTS_HELP =
        "Pulse clients' ownership between cluster nodes: sent, refused by a full link queue (sent again), taken " +
        "here, lost to another node's claim, learnt from the owner, stale claims ignored, malformed, not held for " +
        "want of a slot, and clients of a node gone down handed back to the rules here.";

    private final LinkOutbox outbox;
    private final PulseRecords records;
    private final PulseSlots slots;
    private final int self;
    private final int[] owners;
    private final long[] claims;
    private final boolean[] up;
    /** Per node: the first slot still to send it, or {@link #NONE}. */
    private final int[] sendFrom;
    /** "Gone" messages a full queue refused: node, client msb, client lsb, claim; four longs each. */
    private final LongArrayList goneUnsent = new LongArrayList();
    private final UnsafeBuffer message =
        new UnsafeBuffer(ByteBuffer.allocateDirect(PulseLocationMessage.CLIENT_LENGTH));
    private final PulseClientRecord sending = new PulseClientRecord();
    private final AtomicCounter sentClient;
    private final AtomicCounter sentGone;
    private final AtomicCounter refused;
    private final AtomicCounter taken;
    private final AtomicCounter lost;
    private final AtomicCounter learnt;
    private final AtomicCounter stale;
    private final AtomicCounter malformed;
    private final AtomicCounter orphaned;
    private final AtomicCounter full;
    private final AtomicCounter ownedGauge;
    private int ownedCount;
    private int sendingCount;

    PulseLocations(
        final LinkOutbox outbox, final PulseRecords records, final PulseSlots slots, final int capacity,
        final Metrics metrics)
    {
        this.outbox = outbox;
        this.records = records;
        this.slots = slots;
        this.self = outbox.self();
        this.owners = new int[capacity];
        Arrays.fill(owners, NONE);
        this.claims = new long[capacity];
        this.up = new boolean[outbox.memberCount()];
        this.sendFrom = new int[outbox.memberCount()];
        Arrays.fill(sendFrom, NONE);
        sentClient = metrics.counter(EVENTS, "event=\"sent_client\"", EVENTS_HELP);
        sentGone = metrics.counter(EVENTS, "event=\"sent_gone\"", EVENTS_HELP);
        refused = metrics.counter(EVENTS, "event=\"refused\"", EVENTS_HELP);
        taken = metrics.counter(EVENTS, "event=\"taken\"", EVENTS_HELP);
        lost = metrics.counter(EVENTS, "event=\"lost\"", EVENTS_HELP);
        learnt = metrics.counter(EVENTS, "event=\"learnt\"", EVENTS_HELP);
        stale = metrics.counter(EVENTS, "event=\"stale\"", EVENTS_HELP);
        malformed = metrics.counter(EVENTS, "event=\"malformed\"", EVENTS_HELP);
        orphaned = metrics.counter(EVENTS, "event=\"orphaned\"", EVENTS_HELP);
        full = metrics.counter(EVENTS, "event=\"full\"", EVENTS_HELP);
        ownedGauge = metrics.gauge("switchboard_pulse_owned_clients", "",
            "Pulse clients whose deadlines this node runs because it heard their latest pulse.");
    }

    int self()
    {
        return self;
    }

    int owner(final int s)
    {
        return owners[s];
    }

    long claimMs(final int s)
    {
        return claims[s];
    }

    boolean ownedHere(final int s)
    {
        return owners[s] == self;
    }

    /** Another node runs the client's deadlines: this node must not. */
    boolean ownedElsewhere(final int s)
    {
        return owners[s] != NONE && owners[s] != self;
    }

    /** This node takes the client: a claim later than any it knows of, so every node orders it after them. */
    void take(final int s, final long nowMs)
    {
        claims[s] = Math.max(nowMs, claims[s] + 1);
        if (owners[s] != self)
        {
            owners[s] = self;
            ownedCount++;
            ownedGauge.setRelease(ownedCount);
            taken.incrementRelease();
        }
    }

    /**
     * Whether a message from {@code origin} with {@code claimMs} is at least as recent as what this node knows: a
     * later claim, or the same claim by the same or a higher node. Counted stale when not.
     */
    boolean isCurrent(final int s, final int origin, final long claimMs)
    {
        if (claimMs > claims[s] || (claimMs == claims[s] && origin >= owners[s]))
        {
            return true;
        }
        stale.incrementRelease();
        return false;
    }

    /** The owner's view arrived: {@code origin} owns the client from now on. */
    void learnt(final int s, final int origin, final long claimMs)
    {
        if (owners[s] == self)
        {
            ownedCount--;
            ownedGauge.setRelease(ownedCount);
            lost.incrementRelease();
        }
        owners[s] = origin;
        claims[s] = claimMs;
        learnt.incrementRelease();
    }

    /** The owner went down: nobody owns the client, the rules run it here. */
    void orphan(final int s)
    {
        owners[s] = NONE;
        orphaned.incrementRelease();
    }

    /** The slot is freed. */
    void clear(final int s)
    {
        if (owners[s] == self)
        {
            ownedCount--;
            ownedGauge.setRelease(ownedCount);
        }
        owners[s] = NONE;
        claims[s] = 0;
    }

    void malformed()
    {
        malformed.incrementRelease();
    }

    /** An owner's view of a client this node does not hold, and has no slot left for. */
    void full()
    {
        full.incrementRelease();
    }

    /** Tells every node up what this node now holds for the client it owns in slot {@code s}. */
    void announce(final int s, final PulseClientRecord record)
    {
        final int length = PulseLocationMessage.putClient(
            message, slots.clientMsb(s), slots.clientLsb(s), claims[s], record);
        for (int node = 0; node < up.length; node++)
        {
            if (up[node] && !send(node, PulseLocationMessage.CLIENT, length))
            {
                sendFrom(node, s);
            }
        }
    }

    /** Tells every node up that the client this node owned is forgotten. */
    void announceGone(final long clientMsb, final long clientLsb, final long claimMs)
    {
        final int length = PulseLocationMessage.putGone(message, clientMsb, clientLsb, claimMs);
        for (int node = 0; node < up.length; node++)
        {
            if (up[node] && !send(node, PulseLocationMessage.GONE, length))
            {
                goneUnsent.addLong(node);
                goneUnsent.addLong(clientMsb);
                goneUnsent.addLong(clientLsb);
                goneUnsent.addLong(claimMs);
            }
        }
    }

    /** A node came up (nothing sent before is assumed to have arrived): it gets every client owned here. */
    void nodeUp(final int node)
    {
        up[node] = true;
        sendFrom(node, 0);
    }

    /** A node went down: nothing more is sent to it until it is up again. */
    void nodeDown(final int node)
    {
        up[node] = false;
        if (sendFrom[node] != NONE)
        {
            sendFrom[node] = NONE;
            sendingCount--;
        }
        for (int last = goneUnsent.size() - 4; last >= 0; last -= 4)
        {
            if (goneUnsent.getLong(last) == node)
            {
                for (int i = 3; i >= 0; i--)
                {
                    goneUnsent.removeAt(last + i);
                }
            }
        }
    }

    /** Sends what full queues refused and the owned clients to nodes that came up, as far as their queues take. */
    void onTick()
    {
        if (!goneUnsent.isEmpty())
        {
            sendGoneUnsent();
        }
        if (sendingCount == 0)
        {
            return;
        }
        for (int node = 0; node < sendFrom.length; node++)
        {
            if (sendFrom[node] != NONE)
            {
                sendOwned(node);
            }
        }
    }

    private void sendOwned(final int node)
    {
        final int capacity = owners.length;
        final int end = (int)Math.min(capacity, (long)sendFrom[node] + SCAN_PER_TICK);
        for (int s = sendFrom[node]; s < end; s++)
        {
            if (owners[s] == self && !records.isEmpty(s))
            {
                final int length = PulseLocationMessage.putClient(
                    message, slots.clientMsb(s), slots.clientLsb(s), claims[s], records.get(s, sending));
                if (!send(node, PulseLocationMessage.CLIENT, length))
                {
                    sendFrom[node] = s;
                    return;
                }
            }
        }
        if (end == capacity)
        {
            sendFrom[node] = NONE;
            sendingCount--;
        }
        else
        {
            sendFrom[node] = end;
        }
    }

    private void sendGoneUnsent()
    {
        for (int i = 0; i < goneUnsent.size(); )
        {
            final int node = (int)goneUnsent.getLong(i);
            final int length = PulseLocationMessage.putGone(
                message, goneUnsent.getLong(i + 1), goneUnsent.getLong(i + 2), goneUnsent.getLong(i + 3));
            if (!send(node, PulseLocationMessage.GONE, length))
            {
                return;
            }
            for (int k = 3; k >= 0; k--)
            {
                goneUnsent.removeAt(i + k);
            }
        }
    }

    private void sendFrom(final int node, final int s)
    {
        if (sendFrom[node] == NONE)
        {
            sendFrom[node] = s;
            sendingCount++;
        }
        else
        {
            sendFrom[node] = Math.min(sendFrom[node], s);
        }
    }

    private boolean send(final int node, final int type, final int length)
    {
        if (node == self)
        {
            return true;
        }
        if (!outbox.offer(node, type, message, 0, length))
        {
            refused.incrementRelease();
            return false;
        }
        (type == PulseLocationMessage.CLIENT ? sentClient : sentGone).incrementRelease();
        return true;
    }
}
