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
 * Owns per slot the owner node and its claim time, the nodes it believes up, and what it still owes them: per node,
 * a bit per slot whose owned client's latest view that node has not taken yet (set for every slot when the node comes
 * up, set when its full queue refuses an announcement, cleared when an offer of the slot's view succeeds), sent from
 * a cursor as far as the queue takes them, so a refusal holds back only its own client; and per node the "gone"
 * messages its full queue refused, offered again each tick. A node that goes down hands its clients back to the
 * rules here ({@link Orphans}) from a cursor, {@link #ORPHAN_SCAN_PER_TICK} slots per tick. Handler thread only; after
 * construction it allocates only when a refused "gone" list grows.
 */
final class PulseLocations
{
    /** What the server does with a client whose owner went down: the rules run it here again. */
    @FunctionalInterface
    interface Orphans
    {
        /** The client in slot {@code s} is owned by nobody since its owner was seen down at {@code downMs}. */
        void orphaned(int s, long downMs);
    }

    static final int NONE = -1;
    /** Slots looked at per tick and per node being sent the clients owned here. */
    private static final int SCAN_PER_TICK = 65_536;
    /**
     * Slots looked at per tick and per node gone down (each of its clients re-armed and saved here), so one tick's
     * share is bounded: a million-slot table takes 62 ticks.
     */
    static final int ORPHAN_SCAN_PER_TICK = 16_384;
    private static final int WORDS_PER_TICK = SCAN_PER_TICK / Long.SIZE;
    private static final String EVENTS = "switchboard_pulse_locations_total";
    private static final String EVENTS_HELP =
        "Pulse clients' ownership between cluster nodes: sent, refused by a full link queue (sent again), taken " +
        "here, lost to another node's claim, learnt from the owner, stale claims ignored, malformed, not held for " +
        "want of a slot, and clients of a node gone down handed back to the rules here.";

    private final LinkOutbox outbox;
    private final PulseRecords records;
    private final PulseSlots slots;
    private final Orphans orphans;
    private final int self;
    private final int[] owners;
    private final long[] claims;
    private final boolean[] up;
    /** Per node: a bit per slot whose owned client's view it has not taken yet. */
    private final long[][] unsent;
    /** Per node: how many bits of {@link #unsent} are set. */
    private final int[] unsentCount;
    /** Per node: the word of {@link #unsent} its sending resumes at. */
    private final int[] unsentCursor;
    /** Per node: "gone" messages its full queue refused, three longs each: client msb, client lsb, claim. */
    private final LongArrayList[] goneUnsent;
    /** Per node gone down: the next slot to hand back to the rules, or {@link #NONE}. */
    private final int[] orphanFrom;
    private final long[] downAtMs;
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
    private int goneCount;
    private int orphaningCount;

    PulseLocations(
        final LinkOutbox outbox, final PulseRecords records, final PulseSlots slots, final int capacity,
        final Metrics metrics, final Orphans orphans)
    {
        this.outbox = outbox;
        this.records = records;
        this.slots = slots;
        this.orphans = orphans;
        this.self = outbox.self();
        this.owners = new int[capacity];
        Arrays.fill(owners, NONE);
        this.claims = new long[capacity];
        final int members = outbox.memberCount();
        this.up = new boolean[members];
        this.unsent = new long[members][];
        this.unsentCount = new int[members];
        this.unsentCursor = new int[members];
        this.goneUnsent = new LongArrayList[members];
        for (int node = 0; node < members; node++)
        {
            if (node != self)
            {
                unsent[node] = new long[(capacity + Long.SIZE - 1) / Long.SIZE];
                goneUnsent[node] = new LongArrayList();
            }
        }
        this.orphanFrom = new int[members];
        Arrays.fill(orphanFrom, NONE);
        this.downAtMs = new long[members];
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
            if (node != self && up[node])
            {
                if (send(node, PulseLocationMessage.CLIENT, length))
                {
                    clearUnsent(node, s);
                }
                else
                {
                    markUnsent(node, s);
                }
            }
        }
    }

    /** Tells every node up that the client this node owned is forgotten. */
    void announceGone(final long clientMsb, final long clientLsb, final long claimMs)
    {
        final int length = PulseLocationMessage.putGone(message, clientMsb, clientLsb, claimMs);
        for (int node = 0; node < up.length; node++)
        {
            if (node != self && up[node] && !send(node, PulseLocationMessage.GONE, length))
            {
                final LongArrayList gones = goneUnsent[node];
                gones.addLong(clientMsb);
                gones.addLong(clientLsb);
                gones.addLong(claimMs);
                goneCount++;
            }
        }
    }

    /**
     * A node came up (nothing sent before is assumed to have arrived): it gets every client owned here. Its clients
     * from before it went down are handed back to the rules first, all of them now: what it held then is gone.
     */
    void nodeUp(final int node)
    {
        if (orphanFrom[node] != NONE)
        {
            orphanScan(node, owners.length);
        }
        up[node] = true;
        final long[] bits = unsent[node];
        Arrays.fill(bits, -1L);
        final int tail = owners.length % Long.SIZE;
        if (tail != 0)
        {
            bits[bits.length - 1] = (1L << tail) - 1;
        }
        if (unsentCount[node] == 0)
        {
            sendingCount++;
        }
        unsentCount[node] = owners.length;
        unsentCursor[node] = 0;
    }

    /**
     * A node went down at {@code nowMs}: nothing more is sent to it until it is up again, and the clients it owned
     * go back to the rules here, {@link #ORPHAN_SCAN_PER_TICK} slots per tick from the next one ({@link Orphans}).
     */
    void nodeDown(final int node, final long nowMs)
    {
        up[node] = false;
        if (unsentCount[node] > 0)
        {
            Arrays.fill(unsent[node], 0L);
            unsentCount[node] = 0;
            sendingCount--;
        }
        goneCount -= goneUnsent[node].size() / 3;
        goneUnsent[node].clear();
        if (orphanFrom[node] == NONE)
        {
            orphaningCount++;
        }
        orphanFrom[node] = 0;
        downAtMs[node] = nowMs;
    }

    /**
     * Sends what full queues refused and the owned clients to nodes that came up, as far as their queues take, and
     * hands the clients of nodes gone down back to the rules, a bounded number of slots per node and tick.
     */
    void onTick()
    {
        if (orphaningCount == 0 && goneCount == 0 && sendingCount == 0)
        {
            return;
        }
        for (int node = 0; node < up.length; node++)
        {
            if (node == self)
            {
                continue;
            }
            if (orphanFrom[node] != NONE)
            {
                orphanScan(node, ORPHAN_SCAN_PER_TICK);
            }
            if (goneCount > 0 && !goneUnsent[node].isEmpty())
            {
                sendGoneUnsent(node);
            }
            if (sendingCount > 0 && unsentCount[node] > 0)
            {
                sendUnsent(node);
            }
        }
    }

    /** Hands back to the rules the clients {@code node} owned in up to {@code budget} slots from its cursor. */
    private void orphanScan(final int node, final int budget)
    {
        final int capacity = owners.length;
        final int from = orphanFrom[node];
        final int end = (int)Math.min(capacity, (long)from + budget);
        for (int s = from; s < end; s++)
        {
            if (owners[s] == node && !records.isEmpty(s))
            {
                owners[s] = NONE;
                orphaned.incrementRelease();
                orphans.orphaned(s, downAtMs[node]);
            }
        }
        if (end == capacity)
        {
            orphanFrom[node] = NONE;
            orphaningCount--;
        }
        else
        {
            orphanFrom[node] = end;
        }
    }

    /** Offers {@code node} the views it has not taken, from its cursor, until its queue refuses one. */
    private void sendUnsent(final int node)
    {
        final long[] bits = unsent[node];
        int word = unsentCursor[node];
        for (int words = 0; words < WORDS_PER_TICK && unsentCount[node] > 0; words++)
        {
            while (bits[word] != 0)
            {
                final int s = word * Long.SIZE + Long.numberOfTrailingZeros(bits[word]);
                if (owners[s] == self && !records.isEmpty(s))
                {
                    final int length = PulseLocationMessage.putClient(
                        message, slots.clientMsb(s), slots.clientLsb(s), claims[s], records.get(s, sending));
                    if (!send(node, PulseLocationMessage.CLIENT, length))
                    {
                        unsentCursor[node] = word;
                        return;
                    }
                }
                bits[word] &= bits[word] - 1;
                unsentCount[node]--;
            }
            word = word + 1 == bits.length ? 0 : word + 1;
        }
        unsentCursor[node] = word;
        if (unsentCount[node] == 0)
        {
            sendingCount--;
        }
    }

    /** Offers {@code node} the "gone" messages its queue refused, latest first, until it refuses one. */
    private void sendGoneUnsent(final int node)
    {
        final LongArrayList gones = goneUnsent[node];
        for (int last = gones.size() - 3; last >= 0; last -= 3)
        {
            final int length = PulseLocationMessage.putGone(
                message, gones.getLong(last), gones.getLong(last + 1), gones.getLong(last + 2));
            if (!send(node, PulseLocationMessage.GONE, length))
            {
                return;
            }
            gones.removeAt(last + 2);
            gones.removeAt(last + 1);
            gones.removeAt(last);
            goneCount--;
        }
    }

    private void markUnsent(final int node, final int s)
    {
        final long bit = 1L << s;
        final long[] bits = unsent[node];
        if ((bits[s >>> 6] & bit) == 0)
        {
            bits[s >>> 6] |= bit;
            if (unsentCount[node]++ == 0)
            {
                sendingCount++;
            }
        }
    }

    private void clearUnsent(final int node, final int s)
    {
        final long bit = 1L << s;
        final long[] bits = unsent[node];
        if ((bits[s >>> 6] & bit) != 0)
        {
            bits[s >>> 6] &= ~bit;
            if (--unsentCount[node] == 0)
            {
                sendingCount--;
            }
        }
    }

    private boolean send(final int node, final int type, final int length)
    {
        if (!outbox.offer(node, type, message, 0, length))
        {
            refused.incrementRelease();
            return false;
        }
        (type == PulseLocationMessage.CLIENT ? sentClient : sentGone).incrementRelease();
        return true;
    }
}
