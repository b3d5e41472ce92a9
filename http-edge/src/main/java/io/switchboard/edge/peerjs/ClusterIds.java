package io.switchboard.edge.peerjs;

import io.switchboard.cluster.links.LinkHeader;
import io.switchboard.cluster.links.LinksContext;
import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.links.LinkTypes;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One {@link RealmShard}'s view of the other cluster nodes (its thread only): which peer nodes are up, which of its
 * ids another node holds (the directory, bounded), which of its ids other nodes are claiming (answered OK, not yet
 * confirmed by a HOLD: the route a relay takes until then, bounded too), and the link messages it sends them. The
 * rules (who wins a claim, what a HOLD does to a local holder) are the shard's; this class owns the wire and the
 * directory.
 * <p>
 * Link messages (type block {@link LinkTypes#PEERJS_FIRST}, little-endian), each starting with the id that decides
 * which shard of the receiving node owns it: {@code idLength:int id(UTF-8)}, then
 * <ul>
 * <li>{@link #CLAIM}: {@code sequence:long claimedMs:long token(rest, UTF-8)}: may the sender hold the id?</li>
 * <li>{@link #CLAIM_REPLY}: {@code sequence:long result:int} ({@link #OK} or {@link #TAKEN})</li>
 * <li>{@link #HOLD}: {@code claimedMs:long}: the sender holds the id (claim confirmed, or sync when a node comes
 * up)</li>
 * <li>{@link #RELEASE}: the sender no longer holds it, or its claim of it ended without it</li>
 * <li>{@link #RELAY} (the id is dst): {@code type:int srcLength:int src frame(rest)}: a frame for the id, to the node
 * holding it; {@code type} is the {@link MessageType}'s ordinal, with {@link #SENT_ON} set when a node that no longer
 * held the id sent the frame on to the holder it knew (at most once)</li>
 * </ul>
 */
final class ClusterIds
{
    static final int CLAIM = LinkTypes.PEERJS_FIRST;
    static final int CLAIM_REPLY = CLAIM + 1;
    static final int HOLD = CLAIM + 2;
    static final int RELEASE = CLAIM + 3;
    static final int RELAY = CLAIM + 4;
    static final int OK = 0;
    static final int TAKEN = 1;
    /** In a RELAY's type: the frame was sent on once already, so it is never sent on again (no frame loops). */
    static final int SENT_ON = 1 << 16;

    static final int ID_LENGTH_OFFSET = 0;
    static final int ID_OFFSET = ID_LENGTH_OFFSET + Integer.BYTES;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** The largest link message the node links carry with their default term (an eighth of it, less a header). */
    static final int MAX_LINK_PAYLOAD = LinksContext.maxPayloadLength(LinksContext.DEFAULT_TERM_LENGTH);

    private final LinkOutbox outbox;
    private final PeerJsCounters counters;
    private final int self;
    private final boolean[] up;
    private int upCount;
    /** Ids of this shard held on another node, and that node. */
    private final Map<String, Integer> holders = new HashMap<>();
    private final int maxHolders;
    /**
     * Ids of this shard other nodes are claiming: by id, the claimers (this node answered them OK). A claim ends
     * within the claimer's alive timeout (confirmed, then HOLD; or lost or abandoned, then RELEASE), so an answer
     * older than {@link #claimLifetimeMs} names a claim whose HOLD or RELEASE was lost: it routes nothing.
     */
    private final Map<String, Claimers> claimers = new HashMap<>();
    private final long claimLifetimeMs;
    private final UnsafeBuffer out;

    /**
     * @param maxHolders      the most ids held elsewhere the directory keeps (and, apart, the most ids being claimed)
     * @param claimLifetimeMs how long an OK answer routes to its claimer without a HOLD or RELEASE
     */
    ClusterIds(final LinkOutbox outbox, final PeerJsCounters counters, final int maxHolders, final long claimLifetimeMs)
    {
        if (outbox.memberCount() > Integer.SIZE)
        {
            throw new IllegalArgumentException("at most " + Integer.SIZE + " nodes: " + outbox.memberCount());
        }
        this.outbox = outbox;
        this.counters = counters;
        this.self = outbox.self();
        this.up = new boolean[outbox.memberCount()];
        this.maxHolders = maxHolders;
        this.claimLifetimeMs = claimLifetimeMs;
        this.out = new UnsafeBuffer(new byte[Math.min(outbox.maxMessageLength(), MAX_LINK_PAYLOAD)]);
    }

    int self()
    {
        return self;
    }

    int memberCount()
    {
        return up.length;
    }

    boolean isUp(final int node)
    {
        return up[node];
    }

    boolean anyPeerUp()
    {
        return upCount > 0;
    }

    /** The id of a link message: the first field of every type. */
    static String id(final IdStrings ids, final DirectBuffer buffer, final int offset)
    {
        return ids.get(buffer, offset + ID_OFFSET, buffer.getInt(offset + ID_LENGTH_OFFSET, ORDER));
    }

    /** Where the fields after the id start. */
    static int afterId(final DirectBuffer buffer, final int offset)
    {
        return offset + ID_OFFSET + buffer.getInt(offset + ID_LENGTH_OFFSET, ORDER);
    }

    // ---------------------------------------------------------------- peer nodes and the directory

    /** A peer node is up: nothing is known of what it holds until its HOLDs arrive. */
    void nodeUp(final int node)
    {
        if (!up[node])
        {
            up[node] = true;
            upCount++;
        }
    }

    /** A peer node is down: every id it held or claimed is free here. */
    void nodeDown(final int node)
    {
        if (up[node])
        {
            up[node] = false;
            upCount--;
        }
        claimers.values().removeIf(claim -> claim.without(node));
        final Iterator<Integer> it = holders.values().iterator();
        while (it.hasNext())
        {
            if (it.next() == node)
            {
                it.remove();
                counters.clusterRemoteIds.decrement();
            }
        }
    }

    /**
     * The node a relay for {@code id} goes to at {@code nowMs}: the one holding it; else the one claiming it (the
     * lowest index of several, as concurrent claims go); -1 when no other node does (as far as this node knows).
     */
    int holder(final String id, final long nowMs)
    {
        final Integer node = holders.get(id);
        if (node != null)
        {
            return node;
        }
        final Claimers claim = claimers.get(id);
        if (claim == null)
        {
            return -1;
        }
        if (claim.untilMs <= nowMs)
        {
            claimers.remove(id);
            return -1;
        }
        return Integer.numberOfTrailingZeros(claim.nodes);
    }

    /**
     * This node answered {@code node}'s claim of {@code id} OK at {@code nowMs}: relays go there until a HOLD or
     * RELEASE; false (counted) when the claims directory is full, even of answers past their lifetime.
     */
    boolean claimedBy(final String id, final int node, final long nowMs)
    {
        Claimers claim = claimers.get(id);
        if (claim == null)
        {
            if (claimers.size() >= maxHolders)
            {
                claimers.values().removeIf(stale -> stale.untilMs <= nowMs);
                if (claimers.size() >= maxHolders)
                {
                    counters.clusterDirectoryFull.increment();
                    return false;
                }
            }
            claim = new Claimers();
            claimers.put(id, claim);
        }
        claim.nodes |= 1 << node;
        claim.untilMs = nowMs + claimLifetimeMs;
        return true;
    }

    /** {@code node} holds {@code id} now (the claims of it are over); false (counted) when the directory is full. */
    boolean held(final String id, final int node)
    {
        claimers.remove(id);
        if (holders.size() >= maxHolders && !holders.containsKey(id))
        {
            counters.clusterDirectoryFull.increment();
            return false;
        }
        if (holders.put(id, node) == null)
        {
            counters.clusterRemoteIds.increment();
        }
        return true;
    }

    /** {@code node} gave {@code id} up, or its claim ended without it (a newer holder or claimer elsewhere is kept). */
    void released(final String id, final int node)
    {
        if (holders.remove(id, node))
        {
            counters.clusterRemoteIds.decrement();
        }
        final Claimers claim = claimers.get(id);
        if (claim != null && claim.without(node))
        {
            claimers.remove(id);
        }
    }

    /** This node holds {@code id} now: no other node does. */
    void forget(final String id)
    {
        claimers.remove(id);
        if (holders.remove(id) != null)
        {
            counters.clusterRemoteIds.decrement();
        }
    }

    // ---------------------------------------------------------------- sending

    /** Whether a claim of {@code id} with {@code token} fits one links message (ids come from a bounded query). */
    boolean fits(final String id, final String token)
    {
        return ID_OFFSET + 2 * Long.BYTES + 3 * (id.length() + token.length()) <= out.capacity();
    }

    boolean claim(final int node, final String id, final long sequence, final long claimedMs, final String token)
    {
        int at = putId(id);
        out.putLong(at, sequence, ORDER);
        out.putLong(at + Long.BYTES, claimedMs, ORDER);
        at += 2 * Long.BYTES;
        final byte[] tokenUtf8 = token.getBytes(StandardCharsets.UTF_8);
        out.putBytes(at, tokenUtf8);
        return send(node, CLAIM, at + tokenUtf8.length);
    }

    void reply(final int node, final String id, final long sequence, final int result)
    {
        final int at = putId(id);
        out.putLong(at, sequence, ORDER);
        out.putInt(at + Long.BYTES, result, ORDER);
        send(node, CLAIM_REPLY, at + Long.BYTES + Integer.BYTES);
    }

    /** HOLD to one node; false (counted) when its outbox is full. */
    boolean hold(final int node, final String id, final long claimedMs)
    {
        final int at = putId(id);
        out.putLong(at, claimedMs, ORDER);
        return send(node, HOLD, at + Long.BYTES);
    }

    /** RELEASE to every node that is up: this node no longer holds, or no longer claims, {@code id}. */
    void release(final String id)
    {
        final int length = putId(id);
        for (int peer = 0; peer < up.length; peer++)
        {
            if (up[peer] && peer != self)
            {
                send(peer, RELEASE, length);
            }
        }
    }

    /**
     * A frame for {@code dst}, held by {@code node} ({@code sentOn}: this node got it from another node and no longer
     * holds dst); false (counted) when it is too long or the outbox is full.
     */
    boolean relay(
        final int node, final MessageType type, final String src, final String dst, final byte[] frame,
        final int length, final boolean sentOn)
    {
        // At most three UTF-8 bytes per char: a conservative bound, so nothing is written past the buffer.
        if (ID_OFFSET + 2 * Integer.BYTES + 3 * (dst.length() + src.length()) + length > out.capacity())
        {
            counters.relayDroppedTooLong.increment();
            return false;
        }
        final int dstLength = putString(ID_OFFSET, dst);
        out.putInt(ID_LENGTH_OFFSET, dstLength, ORDER);
        int at = ID_OFFSET + dstLength;
        out.putInt(at, sentOn ? type.ordinal() | SENT_ON : type.ordinal(), ORDER);
        final int srcLength = putString(at + 2 * Integer.BYTES, src);
        out.putInt(at + Integer.BYTES, srcLength, ORDER);
        at += 2 * Integer.BYTES + srcLength;
        out.putBytes(at, frame, 0, length);
        final int total = at + length;
        if (outbox.offer(node, RELAY, out, 0, total))
        {
            counters.relaySentToNode.increment();
            return true;
        }
        counters.relayDroppedOutboxFull.increment();
        return false;
    }

    private int putId(final String id)
    {
        final int length = putString(ID_OFFSET, id);
        out.putInt(ID_LENGTH_OFFSET, length, ORDER);
        return ID_OFFSET + length;
    }

    /** {@code value} as UTF-8 at {@code at} (an ASCII id without a copy); returns its length in bytes. */
    private int putString(final int at, final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            if (value.charAt(i) >= 0x80)
            {
                final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                out.putBytes(at, utf8);
                return utf8.length;
            }
        }
        return out.putStringWithoutLengthAscii(at, value);
    }

    private boolean send(final int node, final int type, final int length)
    {
        if (outbox.offer(node, type, out, 0, length))
        {
            return true;
        }
        counters.clusterOutboxFull.increment();
        return false;
    }

    // ---------------------------------------------------------------- reading

    static long claimSequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(afterId(buffer, offset), ORDER);
    }

    static long claimedMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(afterId(buffer, offset) + Long.BYTES, ORDER);
    }

    static String claimToken(final DirectBuffer buffer, final int offset, final int length)
    {
        final int at = afterId(buffer, offset) + 2 * Long.BYTES;
        return buffer.getStringWithoutLengthUtf8(at, offset + length - at);
    }

    static int replyResult(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(afterId(buffer, offset) + Long.BYTES, ORDER);
    }

    static long holdClaimedMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(afterId(buffer, offset), ORDER);
    }

    /** A RELAY's {@link MessageType} ordinal. */
    static int relayType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(afterId(buffer, offset), ORDER) & ~SENT_ON;
    }

    /** Whether a node that no longer held the RELAY's id sent it on already. */
    static boolean relaySentOn(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getInt(afterId(buffer, offset), ORDER) & SENT_ON) != 0;
    }

    static int relaySrcLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(afterId(buffer, offset) + Integer.BYTES, ORDER);
    }

    /** Where a RELAY's src starts; its frame follows it. */
    static int relaySrcOffset(final DirectBuffer buffer, final int offset)
    {
        return afterId(buffer, offset) + 2 * Integer.BYTES;
    }

    /** The nodes claiming one id (bits by index), and until when the latest answer routes to them. */
    private static final class Claimers
    {
        int nodes;
        long untilMs;

        /** Forgets {@code node}'s claim; true when no claimer is left. */
        boolean without(final int node)
        {
            nodes &= ~(1 << node);
            return nodes == 0;
        }
    }
}
