package io.switchboard.cluster.links;

import io.aeron.logbuffer.FrameDescriptor;
import io.switchboard.cluster.ClusterContext;
import io.switchboard.engine.config.Require;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.security.SecureRandom;
import java.util.List;

/**
 * Configuration of this node's links to the other cluster members, one object, Aeron-style: defaults are named
 * constants, setters return this, and {@link #conclude()} validates and fills in before {@link NodeLinks} opens
 * anything. The members and this node's index come from the concluded {@link ClusterContext} ({@link #cluster}).
 * <p>
 * <b>Addressing.</b> Links take no port of their own: a node subscribes to stream {@link #streamId()} on its own
 * consensus endpoint ({@code HOST:PORT+1}, {@link ClusterContext#CONSENSUS_PORT_OFFSET}) through its own media driver,
 * and holds one exclusive publication to that stream on each peer's consensus endpoint. Aeron's driver demultiplexes
 * a UDP endpoint by stream id (the consensus module uses stream 108 there; the cluster, archive and client streams
 * are all below 200), so the consensus stream keeps its own images, flow control and loss recovery. What the two
 * share is the socket and its receive buffer: each peer's links stream may have at most half a term
 * ({@link #termLength()}) unconsumed, so a flood of soft traffic is back-pressured at its sender before it can crowd
 * consensus frames out for long (LinksBesideClusterTest commits while every node's links run saturated). A sixth
 * port per member was the alternative: a socket of its own, but it breaks the documented five-port layout (members
 * spaced by five ports would collide) and needs the overlap check and every deployment's firewall changed.
 * <p>
 * <b>Sizes.</b> Terms are {@link #DEFAULT_TERM_LENGTH} (three per publication and per image, sparse on tmpfs): a term
 * bounds each message to an eighth of it, and 256 KiB lets a relayed PeerJS frame (an SDP offer with many candidates,
 * several KB) of up to 32 KiB less the link header cross in one message; longer frames are dropped, counted, by the
 * realm. Half a term (128 KiB) is what one peer's links may leave unconsumed beside consensus. The MTU
 * {@link #DEFAULT_MTU_LENGTH} fits a 1500-byte Ethernet frame with IP and UDP headers, so LAN and loopback alike.
 */
public final class LinksContext
{
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 200;
    public static final long DEFAULT_TIMEOUT_MS = 1_500;
    public static final int DEFAULT_TERM_LENGTH = 256 * 1024;
    public static final int DEFAULT_MTU_LENGTH = 1408;
    /** Far above the streams Aeron Cluster, Archive and their clients use (1..200). */
    public static final int DEFAULT_STREAM_ID = 1_600;
    public static final int PORT_OFFSET = ClusterContext.CONSENSUS_PORT_OFFSET;

    private List<ClusterContext.Member> members;
    private int nodeIndex = -1;
    private String aeronDirectoryName;
    private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
    private long timeoutMs = DEFAULT_TIMEOUT_MS;
    private int termLength = DEFAULT_TERM_LENGTH;
    private int mtuLength = DEFAULT_MTU_LENGTH;
    private int streamId = DEFAULT_STREAM_ID;
    private long incarnation;
    private EpochClock clock;
    private ErrorHandler errorHandler;

    public LinksContext conclude()
    {
        if (members == null || members.isEmpty())
        {
            throw new IllegalArgumentException("links need the cluster members");
        }
        Require.range("links node index", nodeIndex, 0, members.size() - 1);
        if (aeronDirectoryName == null || aeronDirectoryName.isBlank())
        {
            throw new IllegalArgumentException("links need the node's aeron directory");
        }
        Require.range("links heartbeat interval ms", heartbeatIntervalMs, 10, 10_000);
        Require.range("links timeout ms", timeoutMs, 2 * heartbeatIntervalMs, 600_000);
        Require.powerOfTwo("links term length", termLength);
        Require.range("links term length", termLength, 64 * 1024, 16 << 20);
        Require.range("links mtu length", mtuLength, 576, 8_192);
        if (mtuLength % 32 != 0)
        {
            throw new IllegalArgumentException("links mtu length must be a multiple of 32: " + mtuLength);
        }
        Require.range("links stream id", streamId, 1_000, Integer.MAX_VALUE);
        while (incarnation == 0)
        {
            incarnation = new SecureRandom().nextLong();
        }
        if (clock == null)
        {
            clock = SystemEpochClock.INSTANCE;
        }
        if (errorHandler == null)
        {
            errorHandler = Throwable::printStackTrace;
        }
        return this;
    }

    /** Members and node index of a concluded cluster context. */
    public LinksContext cluster(final ClusterContext context)
    {
        members = context.memberList();
        nodeIndex = context.nodeIndex();
        return this;
    }

    /** This node's subscription: its own consensus endpoint. */
    public String subscriptionChannel()
    {
        return "aeron:udp?endpoint=" + members.get(nodeIndex).endpoint(PORT_OFFSET);
    }

    /** The publication to {@code node}'s consensus endpoint. */
    public String publicationChannel(final int node)
    {
        return "aeron:udp?endpoint=" + members.get(node).endpoint(PORT_OFFSET)
            + "|term-length=" + termLength + "|mtu=" + mtuLength;
    }

    public int memberCount()
    {
        return members.size();
    }

    /** The cluster members in order; a node's index is its place here. */
    public List<ClusterContext.Member> members() { return members; }
    public LinksContext members(final List<ClusterContext.Member> value) { members = List.copyOf(value); return this; }
    public int nodeIndex() { return nodeIndex; }
    public LinksContext nodeIndex(final int value) { nodeIndex = value; return this; }
    /** The node's own media driver (ClusterNode's), whose endpoints the links share. */
    public String aeronDirectoryName() { return aeronDirectoryName; }
    public LinksContext aeronDirectoryName(final String value) { aeronDirectoryName = value; return this; }
    /** A heartbeat goes to every peer this often. */
    public long heartbeatIntervalMs() { return heartbeatIntervalMs; }
    public LinksContext heartbeatIntervalMs(final long value) { heartbeatIntervalMs = value; return this; }
    /** A peer not heard for this long is down (the appliance ties it to --peerjs-alive-timeout-ms). */
    public long timeoutMs() { return timeoutMs; }
    public LinksContext timeoutMs(final long value) { timeoutMs = value; return this; }
    /**
     * The largest payload one link message carries over publications of {@code termLength}: the largest message
     * Aeron takes for that term (an eighth of it), less the {@link LinkHeader}. The one place this size is decided;
     * {@link NodeLinks} and the owners that size their messages ask here.
     */
    public static int maxPayloadLength(final int termLength)
    {
        return FrameDescriptor.computeMaxMessageLength(termLength) - LinkHeader.LENGTH;
    }

    /** {@link #maxPayloadLength(int)} of this context's {@link #termLength()}. */
    public int maxPayloadLength()
    {
        return maxPayloadLength(termLength);
    }

    public int termLength() { return termLength; }
    public LinksContext termLength(final int value) { termLength = value; return this; }
    public int mtuLength() { return mtuLength; }
    public LinksContext mtuLength(final int value) { mtuLength = value; return this; }
    public int streamId() { return streamId; }
    public LinksContext streamId(final int value) { streamId = value; return this; }
    /** This process's start id, carried in every header; random and non-zero unless set. */
    public long incarnation() { return incarnation; }
    public LinksContext incarnation(final long value) { incarnation = value; return this; }
    /** The clock of heartbeats and timeouts (a fake one in tests). */
    public EpochClock clock() { return clock; }
    public LinksContext clock(final EpochClock value) { clock = value; return this; }
    /** Gets what the links' Aeron client survives (the owner agent's Watch in the appliance). */
    public ErrorHandler errorHandler() { return errorHandler; }
    public LinksContext errorHandler(final ErrorHandler value) { errorHandler = value; return this; }
}
