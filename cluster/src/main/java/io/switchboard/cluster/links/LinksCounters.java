package io.switchboard.cluster.links;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The links' operator-visible state, per peer node (label {@code peer="N"}), as counters in the appliance's
 * {@link Metrics}; allocated once at start-up, written only by the links' owner thread. Arrays are indexed by node;
 * this node's own slot is null.
 */
public final class LinksCounters
{
    private static final String MESSAGES = "switchboard_links_messages_total";
    private static final String MESSAGES_HELP =
        "Messages between this node and a peer node over the links (heartbeats not included), by direction.";
    private static final String BYTES = "switchboard_links_bytes_total";
    private static final String BYTES_HELP =
        "Bytes of messages between this node and a peer node, each with its 16-byte link header, by direction.";
    private static final String REFUSED = "switchboard_links_refused_total";
    private static final String REFUSED_HELP =
        "Messages to a peer node not sent: back_pressured (the peer consumes too slowly; offered again), " +
            "not_connected, or outbox_full (refused to the sending owner: the queue to that peer was full).";
    private static final String HELD = "switchboard_links_held_back_total";
    private static final String HELD_HELP =
        "Times a message from a peer node was held back in its stream because the owner's queue here was full: " +
            "each poll that finds it still refused counts once more.";
    private static final String HEARTBEATS = "switchboard_links_heartbeats_total";
    private static final String HEARTBEATS_HELP = "Link heartbeats sent to and received from a peer node.";
    private static final String UP = "switchboard_links_peer_up";
    private static final String UP_HELP = "1 while a peer node is heard on the links, else 0.";
    private static final String TRANSITIONS = "switchboard_links_peer_transitions_total";
    private static final String TRANSITIONS_HELP =
        "A peer node seen up (heard, or heard with a new incarnation) or down (silent, stream gone, restarted).";
    private static final String DROPPED = "switchboard_links_dropped_total";
    private static final String DROPPED_HELP =
        "Frames dropped: malformed (short, length, type, origin), from a peer's replaced incarnation (stale), or " +
            "too_long to send over the links (larger than an eighth of a term).";

    public final AtomicCounter[] messagesSent;
    public final AtomicCounter[] messagesReceived;
    public final AtomicCounter[] bytesSent;
    public final AtomicCounter[] bytesReceived;
    public final AtomicCounter[] backPressured;
    public final AtomicCounter[] notConnected;
    public final AtomicCounter[] outboxFull;
    public final AtomicCounter[] receiverFull;
    public final AtomicCounter[] heartbeatsSent;
    public final AtomicCounter[] heartbeatsReceived;
    public final AtomicCounter[] up;
    public final AtomicCounter[] ups;
    public final AtomicCounter[] downs;
    public final AtomicCounter droppedShort;
    public final AtomicCounter droppedLength;
    public final AtomicCounter droppedType;
    public final AtomicCounter droppedOrigin;
    public final AtomicCounter droppedStale;
    public final AtomicCounter droppedTooLong;

    public LinksCounters(final Metrics metrics, final int memberCount, final int self)
    {
        messagesSent = new AtomicCounter[memberCount];
        messagesReceived = new AtomicCounter[memberCount];
        bytesSent = new AtomicCounter[memberCount];
        bytesReceived = new AtomicCounter[memberCount];
        backPressured = new AtomicCounter[memberCount];
        notConnected = new AtomicCounter[memberCount];
        outboxFull = new AtomicCounter[memberCount];
        receiverFull = new AtomicCounter[memberCount];
        heartbeatsSent = new AtomicCounter[memberCount];
        heartbeatsReceived = new AtomicCounter[memberCount];
        up = new AtomicCounter[memberCount];
        ups = new AtomicCounter[memberCount];
        downs = new AtomicCounter[memberCount];
        for (int node = 0; node < memberCount; node++)
        {
            if (node == self)
            {
                continue;
            }
            final String peer = "peer=\"" + node + "\"";
            messagesSent[node] = metrics.counter(MESSAGES, peer + ",direction=\"sent\"", MESSAGES_HELP);
            messagesReceived[node] = metrics.counter(MESSAGES, peer + ",direction=\"received\"", MESSAGES_HELP);
            bytesSent[node] = metrics.counter(BYTES, peer + ",direction=\"sent\"", BYTES_HELP);
            bytesReceived[node] = metrics.counter(BYTES, peer + ",direction=\"received\"", BYTES_HELP);
            backPressured[node] = metrics.counter(REFUSED, peer + ",reason=\"back_pressured\"", REFUSED_HELP);
            notConnected[node] = metrics.counter(REFUSED, peer + ",reason=\"not_connected\"", REFUSED_HELP);
            outboxFull[node] = metrics.counter(REFUSED, peer + ",reason=\"outbox_full\"", REFUSED_HELP);
            receiverFull[node] = metrics.counter(HELD, peer, HELD_HELP);
            heartbeatsSent[node] = metrics.counter(HEARTBEATS, peer + ",direction=\"sent\"", HEARTBEATS_HELP);
            heartbeatsReceived[node] = metrics.counter(HEARTBEATS, peer + ",direction=\"received\"", HEARTBEATS_HELP);
            up[node] = metrics.gauge(UP, peer, UP_HELP);
            ups[node] = metrics.counter(TRANSITIONS, peer + ",to=\"up\"", TRANSITIONS_HELP);
            downs[node] = metrics.counter(TRANSITIONS, peer + ",to=\"down\"", TRANSITIONS_HELP);
        }
        droppedShort = metrics.counter(DROPPED, "reason=\"short\"", DROPPED_HELP);
        droppedLength = metrics.counter(DROPPED, "reason=\"length\"", DROPPED_HELP);
        droppedType = metrics.counter(DROPPED, "reason=\"type\"", DROPPED_HELP);
        droppedOrigin = metrics.counter(DROPPED, "reason=\"origin\"", DROPPED_HELP);
        droppedStale = metrics.counter(DROPPED, "reason=\"stale\"", DROPPED_HELP);
        droppedTooLong = metrics.counter(DROPPED, "reason=\"too_long\"", DROPPED_HELP);
    }
}
