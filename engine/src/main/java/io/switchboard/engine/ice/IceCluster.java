package io.switchboard.engine.ice;

import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * This ICE server's part of the cluster (only in a cluster): the {@link IceLocations} of every node's domains, and
 * what it tells the other nodes over the links ({@link IceLinkMessages}). Domains are announced on change only (a
 * node takes a domain, its sockets change, it expires), never per heartbeat. A peer node that comes up (or whose
 * queue refused one of our changes) gets a full announcement: SYNC_START, a LOCATION per domain we hold, SYNC_END,
 * sent a batch per tick as its queue takes them, each batch resuming where the queue last refused; the receiver then
 * forgets that node's domains the round did not name. A change refused while a round is under way does not restart
 * it: the round names the domain's entry when it gets there, or, when it has passed the entry already, one more
 * round follows this one. Where two nodes claim one domain the most recent claim wins ({@code since}, the claimer's
 * clock). Only the engine's handler thread touches it; sending never blocks and allocates nothing.
 */
final class IceCluster
{
    /** Messages of a full announcement offered to one peer per tick, at most. */
    static final int SYNC_BATCH = 4_096;

    private static final int IDLE = -1;
    private static final int START = -2;
    private static final int END = -3;

    private static final String SENT = "switchboard_ice_link_sent_total";
    private static final String SENT_HELP = "ICE messages offered to other cluster nodes' queues, by type.";
    private static final String RECEIVED = "switchboard_ice_link_received_total";
    private static final String RECEIVED_HELP = "ICE messages received from other cluster nodes, by type.";
    private static final String DROPPED = "switchboard_ice_link_dropped_total";
    private static final String DROPPED_HELP = "Cross-node ICE messages not applied or not sent, by reason.";

    private final LinkOutbox outbox;
    private final IceLocations locations;
    private final int self;
    private final boolean[] peerUp;
    /** Per peer node: IDLE, START, END, or the next entry of the full announcement being sent. */
    private final int[] syncCursor;
    private final int[] sentRound;
    /** Per peer node: a change its queue refused was behind the round under way, so another round follows it. */
    private final boolean[] syncAgain;
    /** Per peer node: the round of its full announcement we are receiving; its entries carry it. */
    private final int[] receivedRound;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[IceLinkMessages.MAX_LENGTH]);
    private int remoteCount;

    final AtomicCounter sentLocation;
    final AtomicCounter sentGone;
    final AtomicCounter sentIntroduce;
    final AtomicCounter sentSync;
    final AtomicCounter receivedLocation;
    final AtomicCounter receivedGone;
    final AtomicCounter receivedIntroduce;
    final AtomicCounter receivedSync;
    final AtomicCounter droppedMalformed;
    final AtomicCounter droppedFull;
    final AtomicCounter droppedStale;
    final AtomicCounter droppedUnknownDomain;
    final AtomicCounter droppedOutboxFull;
    final AtomicCounter queriesAnsweredRemote;
    final AtomicCounter movedAway;
    final AtomicCounter forgottenNodeDown;
    final AtomicCounter remoteDomains;

    IceCluster(final LinkOutbox outbox, final int capacity, final Metrics metrics)
    {
        this.outbox = outbox;
        this.self = outbox.self();
        this.locations = new IceLocations(capacity);
        final int members = outbox.memberCount();
        peerUp = new boolean[members];
        syncCursor = new int[members];
        java.util.Arrays.fill(syncCursor, IDLE);
        sentRound = new int[members];
        syncAgain = new boolean[members];
        receivedRound = new int[members];

        sentLocation = metrics.counter(SENT, "type=\"location\"", SENT_HELP);
        sentGone = metrics.counter(SENT, "type=\"gone\"", SENT_HELP);
        sentIntroduce = metrics.counter(SENT, "type=\"introduce\"", SENT_HELP);
        sentSync = metrics.counter(SENT, "type=\"sync\"", SENT_HELP);
        receivedLocation = metrics.counter(RECEIVED, "type=\"location\"", RECEIVED_HELP);
        receivedGone = metrics.counter(RECEIVED, "type=\"gone\"", RECEIVED_HELP);
        receivedIntroduce = metrics.counter(RECEIVED, "type=\"introduce\"", RECEIVED_HELP);
        receivedSync = metrics.counter(RECEIVED, "type=\"sync\"", RECEIVED_HELP);
        droppedMalformed = metrics.counter(DROPPED, "reason=\"malformed\"", DROPPED_HELP);
        droppedFull = metrics.counter(DROPPED, "reason=\"locations_full\"", DROPPED_HELP);
        droppedStale = metrics.counter(DROPPED, "reason=\"stale\"", DROPPED_HELP);
        droppedUnknownDomain = metrics.counter(DROPPED, "reason=\"unknown_domain\"", DROPPED_HELP);
        droppedOutboxFull = metrics.counter(DROPPED, "reason=\"outbox_full\"", DROPPED_HELP);
        queriesAnsweredRemote = metrics.counter("switchboard_ice_queries_total", "result=\"answered_remote\"",
            "Queries by outcome.");
        movedAway = metrics.counter("switchboard_ice_domains_moved_away_total", "",
            "Domains this node stopped holding because another node announced a more recent claim.");
        forgottenNodeDown = metrics.counter("switchboard_ice_remote_domains_forgotten_total", "reason=\"node_down\"",
            "Other nodes' domains forgotten without a GONE from their holder, by reason.");
        remoteDomains = metrics.gauge("switchboard_ice_remote_domains", "",
            "Domains held by other cluster nodes, as announced to this one.");
    }

    int self()
    {
        return self;
    }

    /**
     * This node holds the domain (new here, sockets changed, or re-claimed after another's older claim): remembered
     * and announced to every peer node that is up. A full table is counted and leaves the domain unannounced.
     */
    void held(
        final long msb,
        final long lsb,
        final long since,
        final DirectBuffer sockets,
        final int socketsOffset,
        final int socketsLength)
    {
        final int entry = locations.findOrAdd(msb, lsb);
        if (entry == IceLocations.NONE)
        {
            droppedFull.incrementRelease();
            return;
        }
        forgetRemote(entry);
        locations.set(entry, self, since, 0, sockets, socketsOffset, socketsLength);
        final int length = IceLinkMessages.putLocation(message, msb, lsb, since, sockets, socketsOffset, socketsLength);
        announce(entry, IceLinkMessages.LOCATION, length, sentLocation);
    }

    /** Whether this node's announced sockets for its domain differ from these (or it was never announced). */
    boolean changed(final long msb, final long lsb, final DirectBuffer sockets, final int offset, final int length)
    {
        final int entry = locations.find(msb, lsb);
        return entry == IceLocations.NONE || locations.holder(entry) != self ||
            !locations.sameSockets(entry, sockets, offset, length);
    }

    /** This node no longer holds the domain (expired, removed): announced, unless another node already took it. */
    void released(final long msb, final long lsb)
    {
        final int entry = locations.find(msb, lsb);
        if (entry == IceLocations.NONE || locations.holder(entry) != self)
        {
            return;
        }
        locations.remove(entry);
        announce(entry, IceLinkMessages.GONE, IceLinkMessages.putGone(message, msb, lsb), sentGone);
    }

    /** The entry of a domain another node holds, or {@link IceLocations#NONE}. */
    int findRemote(final long msb, final long lsb)
    {
        final int entry = locations.find(msb, lsb);
        return entry != IceLocations.NONE && locations.holder(entry) != self ? entry : IceLocations.NONE;
    }

    IceLocations locations()
    {
        return locations;
    }

    /** Asks the domain's holder to send it the querier's NetworkPeer; false (counted) when its queue is full. */
    boolean introduce(
        final int holder, final long msb, final long lsb, final DirectBuffer peer, final int peerOffset,
        final int peerLength)
    {
        final int length = IceLinkMessages.putIntroduce(message, msb, lsb, peer, peerOffset, peerLength);
        if (outbox.offer(holder, IceLinkMessages.INTRODUCE, message, 0, length))
        {
            sentIntroduce.incrementRelease();
            return true;
        }
        droppedOutboxFull.incrementRelease();
        return false;
    }

    /**
     * {@code origin} claims the domain since {@code since}; the caller has dropped any local copy it held. An older
     * claim than the one known from another node is stale (the two nodes' messages crossed) and ignored.
     */
    void located(
        final int origin,
        final long msb,
        final long lsb,
        final long since,
        final DirectBuffer sockets,
        final int socketsOffset,
        final int socketsLength)
    {
        int entry = locations.find(msb, lsb);
        if (entry != IceLocations.NONE)
        {
            final int holder = locations.holder(entry);
            if (holder != origin && holder != self && locations.since(entry) > since)
            {
                droppedStale.incrementRelease();
                return;
            }
        }
        else
        {
            entry = locations.findOrAdd(msb, lsb);
            if (entry == IceLocations.NONE)
            {
                droppedFull.incrementRelease();
                return;
            }
        }
        if (locations.holder(entry) == self || locations.holder(entry) < 0)
        {
            remoteCount++;
            remoteDomains.setRelease(remoteCount);
        }
        locations.set(entry, origin, since, receivedRound[origin], sockets, socketsOffset, socketsLength);
    }

    /** {@code origin} no longer holds the domain: forgotten unless another node's claim replaced its own. */
    void gone(final int origin, final long msb, final long lsb)
    {
        final int entry = locations.find(msb, lsb);
        if (entry == IceLocations.NONE || locations.holder(entry) != origin)
        {
            droppedStale.incrementRelease();
            return;
        }
        forgetRemote(entry);
        locations.remove(entry);
    }

    void syncStarted(final int origin, final int round)
    {
        receivedRound[origin] = round;
    }

    /** Forgets {@code origin}'s domains its full announcement {@code round} did not name. */
    void syncEnded(final int origin, final int round)
    {
        if (receivedRound[origin] != round)
        {
            droppedStale.incrementRelease();
            return;
        }
        for (int entry = 0; entry < locations.highWater(); entry++)
        {
            if (locations.holder(entry) == origin && locations.generation(entry) != round)
            {
                forgetRemote(entry);
                locations.remove(entry);
            }
        }
    }

    void onPeerNode(final int node, final boolean up)
    {
        if (node == self || node < 0 || node >= peerUp.length)
        {
            return;
        }
        peerUp[node] = up;
        syncAgain[node] = false;
        if (up)
        {
            syncCursor[node] = START;
            advanceSync(node);
            return;
        }
        syncCursor[node] = IDLE;
        for (int entry = 0; entry < locations.highWater(); entry++)
        {
            if (locations.holder(entry) == node)
            {
                forgetRemote(entry);
                locations.remove(entry);
                forgottenNodeDown.incrementRelease();
            }
        }
    }

    /** Sends what the queues take of every full announcement in progress. */
    void onTick()
    {
        for (int node = 0; node < syncCursor.length; node++)
        {
            if (syncCursor[node] != IDLE)
            {
                advanceSync(node);
            }
        }
    }

    private void advanceSync(final int node)
    {
        int budget = SYNC_BATCH;
        if (syncCursor[node] == START)
        {
            if (!offerSync(node, IceLinkMessages.SYNC_START, sentRound[node] + 1))
            {
                return;
            }
            sentRound[node]++;
            syncCursor[node] = 0;
        }
        while (syncCursor[node] >= 0 && budget-- > 0)
        {
            final int entry = syncCursor[node];
            if (entry >= locations.highWater())
            {
                syncCursor[node] = END;
                break;
            }
            if (locations.holder(entry) == self)
            {
                final int length = IceLinkMessages.putLocation(message, locations.msb(entry), locations.lsb(entry),
                    locations.since(entry), locations.buffer(), locations.socketsOffset(entry),
                    locations.socketsLength(entry));
                if (!outbox.offer(node, IceLinkMessages.LOCATION, message, 0, length))
                {
                    return; // the queue is full: the same entry next tick
                }
                sentLocation.incrementRelease();
            }
            syncCursor[node] = entry + 1;
        }
        if (syncCursor[node] == END && offerSync(node, IceLinkMessages.SYNC_END, sentRound[node]))
        {
            syncCursor[node] = syncAgain[node] ? START : IDLE;
            syncAgain[node] = false;
        }
    }

    private boolean offerSync(final int node, final int type, final int round)
    {
        final int length = IceLinkMessages.putRound(message, round);
        if (outbox.offer(node, type, message, 0, length))
        {
            sentSync.incrementRelease();
            return true;
        }
        return false;
    }

    /**
     * Offers {@code message[0, length)}, the change of {@code entry}, to every peer that is up; one whose queue
     * refuses it gets it in a full round.
     */
    private void announce(final int entry, final int type, final int length, final AtomicCounter sent)
    {
        for (int node = 0; node < peerUp.length; node++)
        {
            if (node == self || !peerUp[node])
            {
                continue;
            }
            if (outbox.offer(node, type, message, 0, length))
            {
                sent.incrementRelease();
            }
            else
            {
                droppedOutboxFull.incrementRelease();
                syncRefused(node, entry);
            }
        }
    }

    /**
     * {@code node}'s queue refused the change of {@code entry}: a round starts when none is under way; one that has
     * not reached the entry yet names it (or, for a domain gone, leaves it out) when it gets there, and one that has
     * passed it goes on from where it is, another round following it.
     */
    private void syncRefused(final int node, final int entry)
    {
        final int cursor = syncCursor[node];
        if (cursor == IDLE)
        {
            syncCursor[node] = START;
        }
        else if (cursor == END || (cursor >= 0 && entry < cursor))
        {
            syncAgain[node] = true;
        }
    }

    private void forgetRemote(final int entry)
    {
        final int holder = locations.holder(entry);
        if (holder >= 0 && holder != self)
        {
            remoteCount--;
            remoteDomains.setRelease(remoteCount);
        }
    }
}
