package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.engine.links.LinkOutbox;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ids one signaling agent owns and every PeerJS rule about them (spec 3): admission, relaying with the offline
 * queue, EXPIRE, LEAVE and disconnects. Single writer: only the owning agent's thread calls it, so its map of
 * {@link IdSlot}s needs no lock; the parties it sends to ({@link SignalEndpoint}s: the PeerJS sockets and dop sessions
 * of its ids) live on the same agent, so a relay between them is a plain call.
 * <p>
 * The data path of a relayed OFFER: {@code socket of src (agent A) -> WebSocketConnection -> PeerSocket ->
 * onMessage (A's shard: read type and dst, rewrite with src) -> route}: if A owns dst, {@code deliver} sends it on
 * dst's socket (or queues it); else the frame is encoded into the relay inbox of dst's owner B (an Agrona
 * {@link ManyToOneRingBuffer}: one queue per receiver, so frames from one sender keep their order) and B's shard
 * delivers it in its next duty cycle. A failed delivery's LEAVE and a queue's EXPIRE travel back the same way.
 * <p>
 * Inbox record, {@link #RELAY} (native byte order, in-process only): {@code type:int srcLength:int dstLength:int
 * src dst frame}, ids UTF-8. A frame too large for a record travels beside the ring, in a queue per sender, behind a
 * {@link #LARGE_RELAY} record naming that sender ({@code sender:int}), within the ring's byte budget. When the
 * receiver's inbox is full, the sender keeps the frames for it in order (copies, within
 * {@code --peerjs-max-send-buffer-bytes} per receiver, as much as one socket may hold unsent) and offers them again
 * at each duty cycle, before anything newer for that receiver; past that budget the receiver is stuck, and a frame is
 * counted ({@code switchboard_peerjs_relays_total{result="dropped_inbox_full"}}) and dropped, as the reference drops
 * a frame it cannot write.
 * <p>
 * In a cluster (the context has a link outbox) a shard owns its ids cluster-wide, one more level of the same
 * partition: a new id is claimed from every peer node that is up before OPEN ({@link IdClaim}; the rules are in the
 * cluster section below), its {@link ClusterIds} keeps which node holds each of its ids held elsewhere, and a frame
 * for one of those goes to that node's outbox; what other nodes send arrives on this shard's relay inbox
 * ({@link #LINK}, {@link #LARGE_LINK}, {@link #PEER}, written by the links thread through
 * {@link PeerJsLinkEndpoint}), so the shard stays single-writer. On one box none of it exists.
 */
public final class RealmShard implements SignalingAgent.Duty
{
    static final int RELAY = 1;
    static final int LARGE_RELAY = 2;
    /** A message from another cluster node: {@code origin:int linkType:int payload}. */
    static final int LINK = 3;
    /** A link message too large for a record, in {@link #largeLinks}. */
    static final int LARGE_LINK = 4;
    /** A peer node came up or went down: {@code node:int up:int}. */
    static final int PEER = 5;
    private static final int ORIGIN_OFFSET = 0;
    private static final int LINK_TYPE_OFFSET = ORIGIN_OFFSET + Integer.BYTES;
    private static final int LINK_PAYLOAD_OFFSET = LINK_TYPE_OFFSET + Integer.BYTES;
    private static final int NODE_OFFSET = 0;
    private static final int UP_OFFSET = NODE_OFFSET + Integer.BYTES;
    /** Sockets per shard waiting for the other nodes' answer to their id's claim; more are refused (counted). */
    static final int MAX_PENDING_CLAIMS = 4096;
    private static final int TYPE_OFFSET = 0;
    private static final int SRC_LENGTH_OFFSET = TYPE_OFFSET + Integer.BYTES;
    private static final int DST_LENGTH_OFFSET = SRC_LENGTH_OFFSET + Integer.BYTES;
    private static final int IDS_OFFSET = DST_LENGTH_OFFSET + Integer.BYTES;
    private static final int SENDER_OFFSET = 0;
    private static final int MESSAGES_PER_CYCLE = 1024;
    private static final int LARGE_PER_SENDER = 64;
    private static final MessageType[] TYPES = MessageType.values();
    private static final long NO_TIMER = -1;

    private final Realm realm;
    private final int index;
    private final SignalingAgent agent;
    private final PeerJsContext context;
    private final PeerJsCounters counters;
    private final SignalFrameReader reader;
    private final Map<String, IdSlot> slots = new HashMap<>();
    /** Frames other agents relay to this shard's ids; null when there is no other agent. */
    private final ManyToOneRingBuffer inbox;
    /** Per sender, the frames too large for an inbox record, in the order of their records. */
    private final OneToOneConcurrentArrayQueue<LargeRelay>[] large;
    /** From the links thread, the link messages too large for an inbox record, in the order of their records. */
    private final OneToOneConcurrentArrayQueue<LargeLink> largeLinks;
    /** In a cluster, what this shard knows of the other nodes and sends them; null on one box. */
    private final ClusterIds cluster;
    /** In a cluster, the sockets waiting for their claim's answers, and the slot of each. */
    private final Map<SignalEndpoint, IdSlot> claiming;
    private long claimSequence;
    /**
     * In a cluster, by peer node: the held ids still to announce to it (every id when it came up, and any HOLD its
     * outbox refused), sent from its cursor on until its outbox refuses again, then resumed at the next tick.
     */
    private final ArrayList<IdSlot>[] toAnnounce;
    private final int[] announceCursor;
    private long announceTimer = NO_TIMER;
    private final SignalingAgent.Timer onAnnounce = nowMs ->
    {
        announceTimer = NO_TIMER;
        announceAll();
    };
    private final AtomicLong largeBytes = new AtomicLong();
    private final IdStrings ids = new IdStrings();
    /** The frame of the inbox record being delivered. */
    private final byte[] inboxFrame;
    private final MessageHandler onInbox = this::onInbox;
    /** By receiver: what its full inbox could not take yet, in order (this shard's thread only). */
    private final ArrayDeque<LargeRelay>[] overflow;
    private final long[] overflowBytes;
    private int overflowing;
    private long retryTimer = NO_TIMER;
    private final SignalingAgent.Timer onRetry = nowMs ->
    {
        retryTimer = NO_TIMER;
        flushOverflow();
    };

    @SuppressWarnings("unchecked")
    RealmShard(final Realm realm, final int index, final int shards, final SignalingAgent agent)
    {
        this.realm = realm;
        this.index = index;
        this.agent = agent;
        this.context = realm.context();
        this.counters = realm.counters();
        this.reader = new SignalFrameReader(new SignalFrame(context.maxFrameBytes()));
        final LinkOutbox outbox = context.linkOutbox();
        if (outbox == null)
        {
            cluster = null;
            claiming = null;
            largeLinks = null;
            toAnnounce = null;
            announceCursor = null;
        }
        else
        {
            // A claim ends within its claimer's alive timeout; twice that covers the links' delay of its HOLD.
            cluster = new ClusterIds(outbox, counters,
                (int)Math.min(Integer.MAX_VALUE, (long)context.concurrentLimit() * outbox.memberCount()),
                2 * context.aliveTimeoutMs());
            claiming = new IdentityHashMap<>();
            largeLinks = new OneToOneConcurrentArrayQueue<>(LARGE_PER_SENDER);
            toAnnounce = new ArrayList[outbox.memberCount()];
            Arrays.setAll(toAnnounce, node -> new ArrayList<IdSlot>());
            announceCursor = new int[outbox.memberCount()];
        }
        if (shards > 1 || outbox != null)
        {
            final int bytes = context.relayInboxBytes() + RingBufferDescriptor.TRAILER_LENGTH;
            inbox = new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 64)));
            inboxFrame = new byte[inbox.maxMsgLength()];
            large = new OneToOneConcurrentArrayQueue[shards];
            for (int i = 0; i < shards; i++)
            {
                large[i] = new OneToOneConcurrentArrayQueue<>(LARGE_PER_SENDER);
            }
            overflow = new ArrayDeque[shards];
            Arrays.setAll(overflow, receiver -> new ArrayDeque<LargeRelay>());
            overflowBytes = new long[shards];
            agent.addDuty(this);
        }
        else
        {
            inbox = null;
            inboxFrame = null;
            large = null;
            overflow = null;
            overflowBytes = null;
        }
    }

    /** The realm this shard is part of. */
    public Realm realm()
    {
        return realm;
    }

    /**
     * Admission (spec 3.2) of an endpoint presenting these parameters from client address {@code host} (null when
     * unknown); OPEN and the queued messages on success.
     */
    public void admit(
        final SignalEndpoint endpoint, final String id, final String token, final String key, final InetAddress host)
    {
        if (isEmpty(id) || isEmpty(token) || isEmpty(key))
        {
            counters.refusedNoParameters.increment();
            endpoint.sendAndClose(SignalFrame.NO_PARAMETERS);
            return;
        }
        if (!key.equals(context.key()))
        {
            counters.refusedInvalidKey.increment();
            endpoint.sendAndClose(SignalFrame.INVALID_KEY);
            return;
        }
        IdSlot slot = slots.get(id);
        final Client current = slot == null ? null : slot.client;
        if (current != null && !current.token.equals(token) || slot != null && slot.claim != null)
        {
            counters.refusedIdTaken.increment();
            endpoint.sendAndClose(SignalFrame.ID_TAKEN);
            return;
        }
        if (current == null && !realm.reserveRegistration())
        {
            counters.refusedConcurrentLimit.increment();
            endpoint.sendAndClose(SignalFrame.CONCURRENT_LIMIT);
            return;
        }
        if (current == null && !realm.reserveHost(host))
        {
            realm.releaseRegistration();
            counters.refusedHostLimit.increment();
            endpoint.sendAndClose(SignalFrame.HOST_LIMIT);
            return;
        }
        if (slot == null)
        {
            slot = new IdSlot(id);
            slots.put(id, slot);
        }
        if (current == null && cluster != null && cluster.anyPeerUp())
        {
            claim(slot, endpoint, token, host);
            return;
        }
        register(slot, endpoint, token, host, current,
            current != null ? current.claimedMs : cluster != null ? context.claimClock().time() : 0);
    }

    /**
     * The id is the endpoint's (admitted on one box, or its cluster claim confirmed): OPEN, then what was queued for
     * it; a socket it takes over from is closed.
     */
    private void register(
        final IdSlot slot, final SignalEndpoint endpoint, final String token, final InetAddress host,
        final Client current, final long claimedMs)
    {
        final String id = slot.id;
        final Client client;
        if (current == null)
        {
            client = new Client(id, token, endpoint, realm.nextSequence(), SignalFrame.quoted(id), host, claimedMs);
            realm.listed(client);
            counters.admittedOpen.increment();
        }
        else
        {
            client = new Client(id, token, endpoint, current.sequence, current.quotedId, current.host, claimedMs);
            current.endpoint.registration(null);
            counters.admittedTakeover.increment();
        }
        slot.client = client;
        if (current == null && cluster != null)
        {
            cluster.forget(id);
            holdEverywhere(slot, claimedMs);
        }
        endpoint.registration(client);
        endpoint.send(SignalFrame.OPEN, SignalFrame.OPEN.length);
        drain(slot, endpoint);
        if (current != null && current.endpoint != endpoint)
        {
            current.endpoint.close(counters.closedTakenOver);
        }
    }

    /** OPEN is out; the queued messages follow it, before any later relay to the id. */
    private void drain(final IdSlot slot, final SignalEndpoint endpoint)
    {
        final OfflineQueue queue = slot.queue;
        if (queue == null)
        {
            return;
        }
        slot.queue = null;
        if (queue.timer != OfflineQueue.NO_TIMER)
        {
            agent.cancel(queue.timer);
            queue.timer = OfflineQueue.NO_TIMER;
        }
        for (final byte[] frame : queue.frames())
        {
            endpoint.send(frame, frame.length);
            counters.relayDelivered.increment();
        }
        realm.releaseQueued(queue.size());
    }

    /**
     * One complete client message of {@code endpoint} (one of this shard's), text or binary, as UTF-8 JSON in
     * {@code bytes[0, length)}; the array may be reused once this returns.
     */
    public void onMessage(final SignalEndpoint endpoint, final byte[] bytes, final int length)
    {
        final SignalFrameReader frame = reader;
        final SignalFrame.Kind kind = frame.read(bytes, length);
        if (kind != SignalFrame.Kind.ACTED_ON)
        {
            (kind == SignalFrame.Kind.INVALID ? counters.framesInvalid : counters.framesIgnored).increment();
            return;
        }
        final Client client = endpoint.registration();
        if (client == null)
        {
            if (claiming != null && frame.type() == MessageType.HEARTBEAT && claiming.containsKey(endpoint))
            {
                // A socket waiting for its claim's answers is alive: the client heartbeats from the socket's open.
                counters.frames(MessageType.HEARTBEAT).increment();
                endpoint.heartbeat();
                return;
            }
            counters.framesUnregistered.increment();
            return;
        }
        final MessageType type = frame.type();
        counters.frames(type).increment();
        if (type == MessageType.HEARTBEAT)
        {
            endpoint.heartbeat();
            return;
        }
        final String dst = frame.dst();
        if (dst == null)
        {
            if (type == MessageType.LEAVE)
            {
                deregister(endpoint, client);
            }
            else
            {
                counters.relayDroppedNoDst.increment();
            }
            return;
        }
        if (!SignalFrame.isId(dst))
        {
            counters.relayDroppedNoDst.increment();
            return;
        }
        final int relayed = frame.relay(client.quotedId, bytes);
        route(type, client.id, dst, frame.out(), relayed);
    }

    /** To the shard that owns {@code dst}: this one delivers at once, another gets it on its relay inbox. */
    private void route(final MessageType type, final String src, final String dst, final byte[] frame, final int length)
    {
        final RealmShard owner = realm.shardFor(dst);
        if (owner == this)
        {
            deliver(type, src, dst, frame, length, true);
        }
        else if (overflowBytes[owner.index] > 0 || !owner.offer(index, type, src, dst, frame, length))
        {
            hold(owner, type, src, dst, frame, length);
        }
    }

    /** The receiver's inbox is full (or frames for it wait already): keep this one for it, in order, if in budget. */
    private void hold(
        final RealmShard receiver, final MessageType type, final String src, final String dst, final byte[] frame,
        final int length)
    {
        if (overflowBytes[receiver.index] + length > context.maxSendBufferBytes())
        {
            counters.relayDroppedInboxFull.increment();
            return;
        }
        if (overflowBytes[receiver.index] == 0)
        {
            overflowing++;
        }
        overflowBytes[receiver.index] += Math.max(1, length);
        overflow[receiver.index].add(new LargeRelay(type, src, dst, Arrays.copyOf(frame, length)));
        if (retryTimer == NO_TIMER)
        {
            retryTimer = agent.schedule(agent.nowMs() + 1, onRetry);
        }
    }

    /** Offers what full inboxes could not take, oldest first; what still does not fit waits for the next try. */
    private int flushOverflow()
    {
        int moved = 0;
        for (int receiver = 0; receiver < overflow.length && overflowing > 0; receiver++)
        {
            final ArrayDeque<LargeRelay> waiting = overflow[receiver];
            LargeRelay relay;
            while ((relay = waiting.peek()) != null && shard(receiver).offer(
                index, relay.type(), relay.src(), relay.dst(), relay.frame(), relay.frame().length))
            {
                waiting.poll();
                moved++;
                overflowBytes[receiver] -= Math.max(1, relay.frame().length);
                if (overflowBytes[receiver] == 0)
                {
                    overflowing--;
                }
            }
        }
        if (overflowing > 0 && retryTimer == NO_TIMER)
        {
            retryTimer = agent.schedule(agent.nowMs() + 1, onRetry);
        }
        return moved;
    }

    private RealmShard shard(final int receiver)
    {
        return realm.shard(receiver);
    }

    /**
     * Delivers one frame to {@code dst}, an id of this shard: sent when it is connected, queued when it is not and the
     * type is queued, else dropped. When dst is registered but its endpoint cannot take the frame, dst is forgotten
     * and the sender gets LEAVE from dst, as the reference does. In a cluster, a frame from this node ({@code here})
     * for an id another node holds goes to that node; one that came from another node is not sent on here (a stale
     * directory cannot make it loop; {@link #sendOn} may send it on once before): it is queued here, and the queue
     * follows the id when its holder announces it.
     */
    private void deliver(
        final MessageType type, final String src, final String dst, final byte[] frame, final int length,
        final boolean here)
    {
        final IdSlot slot = slots.get(dst);
        final Client client = slot == null ? null : slot.client;
        if (client == null)
        {
            if (cluster != null && here)
            {
                final int holder = cluster.holder(dst, agent.nowMs());
                if (holder >= 0)
                {
                    cluster.relay(holder, type, src, dst, frame, length, false);
                    return;
                }
            }
            if (type.queued)
            {
                enqueue(type, slot, dst, src, frame, length);
            }
            else
            {
                counters.relayDroppedOffline.increment();
            }
            return;
        }
        if (client.endpoint.send(frame, length))
        {
            counters.relayDelivered.increment();
            agent.relayed();
            return;
        }
        counters.relayDeliveryFailed.increment();
        unregister(slot, client);
        client.endpoint.close(null);
        final byte[] leave = SignalFrame.notice(MessageType.LEAVE, client.quotedId, SignalFrame.quoted(src));
        route(MessageType.LEAVE, dst, src, leave, leave.length);
    }

    private void enqueue(
        final MessageType type, final IdSlot found, final String dst, final String src, final byte[] frame,
        final int length)
    {
        OfflineQueue queue = found == null ? null : found.queue;
        if (queue != null && queue.size() >= context.maxQueuedPerId() || !realm.reserveQueued())
        {
            counters.relayDroppedQueueFull.increment();
            return;
        }
        IdSlot slot = found;
        if (slot == null)
        {
            slot = new IdSlot(dst);
            slots.put(dst, slot);
        }
        if (queue == null)
        {
            queue = new OfflineQueue(this, slot);
            slot.queue = queue;
            queue.timer = agent.schedule(agent.nowMs() + context.expireTimeoutMs(), queue);
        }
        queue.add(type, src, Arrays.copyOf(frame, length));
        counters.queuedMessages.increment();
        counters.relayQueued.increment();
    }

    /** The queue's deadline: drop it whole and send one EXPIRE per sender (spec 3.4), unless it was drained. */
    void expire(final OfflineQueue queue)
    {
        final IdSlot slot = queue.slot;
        if (slot.queue != queue)
        {
            return;
        }
        slot.queue = null;
        removeIfEmpty(slot);
        realm.releaseQueued(queue.size());
        counters.queuesExpired.increment();
        final byte[] dstQuoted = SignalFrame.quoted(slot.id);
        for (final String src : queue.distinctSources())
        {
            counters.expireSent.increment();
            final byte[] expire = SignalFrame.notice(MessageType.EXPIRE, dstQuoted, SignalFrame.quoted(src));
            route(MessageType.EXPIRE, slot.id, src, expire, expire.length);
        }
    }

    /** LEAVE without dst: the sender gives up its id; the endpoint stays open but speaks for nobody. */
    private void deregister(final SignalEndpoint endpoint, final Client client)
    {
        if (unregisterIfHeld(client))
        {
            counters.leaveDeregistered.increment();
        }
        endpoint.registration(null);
    }

    /** The socket is closed: if it still holds its id, the id is free at once; nothing is sent to anyone. */
    void disconnected(final PeerSocket socket)
    {
        socket.closed();
        realm.socketClosed();
        release(socket);
    }

    /** The endpoint is gone for good: if it still holds its id, the id is free at once. */
    public void release(final SignalEndpoint endpoint)
    {
        final Client client = endpoint.registration();
        if (client != null)
        {
            unregisterIfHeld(client);
        }
        else if (claiming != null && !claiming.isEmpty())
        {
            final IdSlot slot = claiming.get(endpoint);
            if (slot != null)
            {
                counters.claimsAbandoned.increment();
                drop(slot.claim);
            }
        }
    }

    /** Frees the client's id if the client still holds it; false when it had already lost or left it. */
    private boolean unregisterIfHeld(final Client client)
    {
        final IdSlot slot = slots.get(client.id);
        if (slot == null || slot.client != client)
        {
            return false;
        }
        unregister(slot, client);
        return true;
    }

    private void unregister(final IdSlot slot, final Client client)
    {
        slot.client = null;
        client.endpoint.registration(null);
        realm.unlisted(client);
        removeIfEmpty(slot);
        if (cluster != null)
        {
            cluster.release(slot.id);
        }
    }

    private void removeIfEmpty(final IdSlot slot)
    {
        if (slot.client == null && slot.queue == null && slot.claim == null)
        {
            slots.remove(slot.id, slot);
        }
    }

    // ---------------------------------------------------------------- the cluster (null cluster: one box, never here)

    /**
     * The id passed the local rules on a cluster member: every peer node that is up is asked whether it may be held
     * here ({@link ClusterIds#CLAIM}); OPEN waits for their answers, or for the alive timeout, after which a node that
     * never answered is taken as down for this claim (the links declare it down at the same timeout anyway). A node
     * whose outbox refuses the question fails the claim at once ({@link #unsent}).
     */
    private void claim(final IdSlot slot, final SignalEndpoint endpoint, final String token, final InetAddress host)
    {
        final boolean fits = cluster.fits(slot.id, token);
        if (!fits || claiming.size() >= MAX_PENDING_CLAIMS)
        {
            realm.releaseRegistration();
            realm.releaseHost(host);
            removeIfEmpty(slot);
            (fits ? counters.refusedClusterBusy : counters.refusedClusterTooLong).increment();
            endpoint.sendAndClose(fits ? SignalFrame.CLUSTER_BUSY : SignalFrame.CLUSTER_TOO_LONG);
            return;
        }
        final IdClaim claim = new IdClaim(this, slot, endpoint, token, host, ++claimSequence,
            context.claimClock().time(), cluster.memberCount());
        slot.claim = claim;
        claiming.put(endpoint, slot);
        for (int node = 0; node < cluster.memberCount(); node++)
        {
            if (node != cluster.self() && cluster.isUp(node))
            {
                claim.await(node);
                if (!cluster.claim(node, slot.id, claim.sequence, claim.claimedMs, token))
                {
                    unsent(claim);
                    return;
                }
            }
        }
        claim.timer = agent.schedule(agent.nowMs() + context.aliveTimeoutMs(), claim);
    }

    /** The claim's deadline: the nodes that never answered are taken as down for it; the id is the socket's. */
    void claimTimedOut(final IdClaim claim)
    {
        if (claim.slot.claim != claim)
        {
            return;
        }
        counters.claimsTimedOut.increment();
        confirm(claim);
    }

    private void confirm(final IdClaim claim)
    {
        endClaim(claim);
        counters.claimsConfirmed.increment();
        register(claim.slot, claim.endpoint, claim.token, claim.host, null, claim.claimedMs);
    }

    /** Another node holds or wins the id: the socket gets ID-TAKEN, as on one node. */
    private void refuse(final IdClaim claim)
    {
        drop(claim);
        counters.claimsTaken.increment();
        counters.refusedIdTaken.increment();
        claim.endpoint.sendAndClose(SignalFrame.ID_TAKEN);
    }

    /**
     * A node's outbox refused the claim's question: the claim fails at once (not at the alive timeout) and the socket
     * is told the server cannot take the id now, as when too many claims wait.
     */
    private void unsent(final IdClaim claim)
    {
        drop(claim);
        counters.claimsUnsent.increment();
        counters.refusedClusterBusy.increment();
        claim.endpoint.sendAndClose(SignalFrame.CLUSTER_BUSY);
    }

    /**
     * The claim ended without the id: its places under the limits are given back, and the nodes that answered it OK
     * (and route the id here meanwhile) are told it is over.
     */
    private void drop(final IdClaim claim)
    {
        endClaim(claim);
        realm.releaseRegistration();
        realm.releaseHost(claim.host);
        cluster.release(claim.slot.id);
        removeIfEmpty(claim.slot);
    }

    /** The claim is over; its places under the limits are the caller's to keep or give back. */
    private void endClaim(final IdClaim claim)
    {
        claim.slot.claim = null;
        claiming.remove(claim.endpoint);
        if (claim.timer != IdClaim.NO_TIMER)
        {
            agent.cancel(claim.timer);
            claim.timer = IdClaim.NO_TIMER;
        }
    }

    /** One message from another node, in this shard's block ({@link ClusterIds}), read from this shard's inbox. */
    private void onLink(final int origin, final int linkType, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final String id = ClusterIds.id(ids, buffer, offset);
        switch (linkType)
        {
            case ClusterIds.CLAIM -> onClaim(origin, id, ClusterIds.claimSequence(buffer, offset),
                ClusterIds.claimToken(buffer, offset, length));
            case ClusterIds.CLAIM_REPLY -> onClaimReply(origin, id, ClusterIds.claimSequence(buffer, offset),
                ClusterIds.replyResult(buffer, offset));
            case ClusterIds.HOLD -> onHold(origin, id, ClusterIds.holdClaimedMs(buffer, offset));
            case ClusterIds.RELEASE -> cluster.released(id, origin);
            case ClusterIds.RELAY ->
            {
                final int srcLength = ClusterIds.relaySrcLength(buffer, offset);
                final int srcAt = ClusterIds.relaySrcOffset(buffer, offset);
                final String src = ids.get(buffer, srcAt, srcLength);
                final int frameLength = offset + length - srcAt - srcLength;
                final byte[] frame = frameLength <= inboxFrame.length ? inboxFrame : new byte[frameLength];
                buffer.getBytes(srcAt + srcLength, frame, 0, frameLength);
                final MessageType type = TYPES[ClusterIds.relayType(buffer, offset)];
                if (ClusterIds.relaySentOn(buffer, offset) || !sendOn(type, src, id, frame, frameLength))
                {
                    deliver(type, src, id, frame, frameLength, false);
                }
            }
            default -> counters.framesIgnored.increment();
        }
    }

    /**
     * A frame another node sent for {@code dst} on a stale route: no socket here holds dst and no claim here waits for
     * it, but this node knows its holder or claimer (dst was taken over from here, say, and the sender had not heard
     * this node's RELEASE yet); it goes there, once. False when it is this node's to deliver or queue.
     */
    private boolean sendOn(
        final MessageType type, final String src, final String dst, final byte[] frame, final int length)
    {
        final IdSlot slot = slots.get(dst);
        if (slot != null && (slot.client != null || slot.claim != null))
        {
            return false;
        }
        final int holder = cluster.holder(dst, agent.nowMs());
        if (holder < 0)
        {
            return false;
        }
        cluster.relay(holder, type, src, dst, frame, length, true);
        return true;
    }

    /**
     * Node {@code origin} asks whether it may hold {@code id}: not when a socket here holds it with another token,
     * nor when a claim here competes and this node's index is lower (the lower index wins, the same answer on both
     * sides); with the same token, this node's socket is taken over (closed, as on one node). Else OK, and from then
     * on relays for the id go to {@code origin}, what was queued here first: once the claimer has every OK and sends
     * OPEN, every node routes to it already (a claim that ends without the id is cleared by its RELEASE, or by age).
     */
    private void onClaim(final int origin, final String id, final long sequence, final String token)
    {
        final IdSlot slot = slots.get(id);
        int result = ClusterIds.OK;
        if (slot != null && slot.client != null)
        {
            final Client held = slot.client;
            if (!held.token.equals(token))
            {
                result = ClusterIds.TAKEN;
            }
            else
            {
                unregister(slot, held);
                held.endpoint.close(counters.closedTakenOver);
            }
        }
        else if (slot != null && slot.claim != null)
        {
            if (cluster.self() < origin)
            {
                result = ClusterIds.TAKEN;
            }
            else
            {
                refuse(slot.claim);
            }
        }
        if (result == ClusterIds.OK && cluster.claimedBy(id, origin, agent.nowMs()) && slot != null &&
            slot.queue != null)
        {
            follow(slot, origin);
        }
        cluster.reply(origin, id, sequence, result);
    }

    private void onClaimReply(final int origin, final String id, final long sequence, final int result)
    {
        final IdSlot slot = slots.get(id);
        final IdClaim claim = slot == null ? null : slot.claim;
        if (claim == null || claim.sequence != sequence)
        {
            return; // a claim that ended already
        }
        if (result != ClusterIds.OK)
        {
            refuse(claim);
        }
        else if (claim.answered(origin))
        {
            confirm(claim);
        }
    }

    /**
     * Node {@code origin} holds {@code id}. A socket here that holds it too (the nodes were apart, or a claim timed
     * out) keeps it if its claim is the earlier (then {@code origin} is told, and closes its own); else it is closed
     * with ID-TAKEN. What was queued here for the id goes to its holder, in order.
     */
    private void onHold(final int origin, final String id, final long claimedMs)
    {
        IdSlot slot = slots.get(id);
        final Client local = slot == null ? null : slot.client;
        if (local != null)
        {
            if (local.claimedMs < claimedMs || local.claimedMs == claimedMs && cluster.self() < origin)
            {
                // Every node, not only origin: a third one that heard origin's HOLD last must route here again.
                holdEverywhere(slot, local.claimedMs);
                return;
            }
            unregister(slot, local);
            counters.closedClusterConflict.increment();
            local.endpoint.sendAndClose(SignalFrame.ID_TAKEN);
            slot = slots.get(id);
        }
        if (cluster.held(id, origin) && slot != null && slot.queue != null)
        {
            follow(slot, origin);
        }
    }

    /** What was queued here for the slot's id goes to {@code node} (its holder or claimer), in order. */
    private void follow(final IdSlot slot, final int node)
    {
        final OfflineQueue queue = slot.queue;
        slot.queue = null;
        if (queue.timer != OfflineQueue.NO_TIMER)
        {
            agent.cancel(queue.timer);
            queue.timer = OfflineQueue.NO_TIMER;
        }
        final List<byte[]> frames = queue.frames();
        for (int i = 0; i < frames.size(); i++)
        {
            cluster.relay(node, queue.type(i), queue.source(i), slot.id, frames.get(i), frames.get(i).length, false);
        }
        realm.releaseQueued(queue.size());
        removeIfEmpty(slot);
    }

    /** HOLD of the slot's id to every node that is up; one whose outbox refuses gets it from its announce cursor. */
    private void holdEverywhere(final IdSlot slot, final long claimedMs)
    {
        for (int node = 0; node < cluster.memberCount(); node++)
        {
            if (node != cluster.self() && cluster.isUp(node) && !cluster.hold(node, slot.id, claimedMs))
            {
                if (toAnnounce[node].size() - announceCursor[node] >= slots.size())
                {
                    announceTable(node); // more left than held: the whole table again, so the list stays bounded
                }
                else
                {
                    toAnnounce[node].add(slot);
                }
                scheduleAnnounce();
            }
        }
    }

    /** {@code node}'s announcement starts again: every id held here, from the first. */
    private void announceTable(final int node)
    {
        final ArrayList<IdSlot> left = toAnnounce[node];
        left.clear();
        announceCursor[node] = 0;
        for (final IdSlot slot : slots.values())
        {
            if (slot.client != null)
            {
                left.add(slot);
            }
        }
    }

    /**
     * HOLDs to {@code node} from its cursor on, each with its id's current claim time (an id no longer held here is
     * passed over), until its outbox refuses one: that one is first at the next tick.
     */
    private void announce(final int node)
    {
        final ArrayList<IdSlot> left = toAnnounce[node];
        for (int at = announceCursor[node]; at < left.size(); at++)
        {
            final IdSlot slot = left.get(at);
            final Client client = slot.client;
            if (client != null && !cluster.hold(node, slot.id, client.claimedMs))
            {
                announceCursor[node] = at;
                scheduleAnnounce();
                return;
            }
        }
        left.clear();
        announceCursor[node] = 0;
    }

    private void announceAll()
    {
        for (int node = 0; node < toAnnounce.length; node++)
        {
            if (!toAnnounce[node].isEmpty())
            {
                announce(node);
            }
        }
    }

    private void scheduleAnnounce()
    {
        if (announceTimer == NO_TIMER)
        {
            announceTimer = agent.schedule(agent.nowMs() + 1, onAnnounce);
        }
    }

    /**
     * A peer node is up: it is asked about every pending claim (one its outbox refuses fails at once) and told every
     * id held here, from a cursor that restarts at each peer-up. Down: every id it held or claimed is free here, and
     * no pending claim waits for it any more.
     */
    private void onPeerNode(final int node, final boolean up)
    {
        if (up)
        {
            cluster.nodeUp(node);
            announceTable(node);
            List<IdClaim> unsent = null;
            for (final IdSlot slot : slots.values())
            {
                if (slot.claim != null)
                {
                    final IdClaim claim = slot.claim;
                    claim.await(node);
                    if (!cluster.claim(node, slot.id, claim.sequence, claim.claimedMs, claim.token))
                    {
                        unsent = unsent == null ? new ArrayList<>() : unsent;
                        unsent.add(claim);
                    }
                }
            }
            announce(node);
            if (unsent != null)
            {
                unsent.forEach(this::unsent);
            }
            return;
        }
        toAnnounce[node].clear();
        announceCursor[node] = 0;
        cluster.nodeDown(node);
        if (claiming.isEmpty())
        {
            return;
        }
        final List<IdSlot> waiting = new ArrayList<>(claiming.values());
        for (final IdSlot slot : waiting)
        {
            final IdClaim claim = slot.claim;
            if (claim != null && claim.awaiting[node] && claim.answered(node))
            {
                confirm(claim);
            }
        }
    }

    /**
     * On the links thread: one message from node {@code origin} for an id of this shard, copied onto its inbox.
     *
     * @return false when the inbox has no room for it now (the links hold the stream back and offer it again)
     */
    boolean offerLink(final int origin, final int linkType, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final int recordLength = LINK_PAYLOAD_OFFSET + length;
        if (recordLength <= inbox.maxMsgLength())
        {
            final int at = inbox.tryClaim(LINK, recordLength);
            if (at < 0)
            {
                return false;
            }
            final AtomicBuffer record = inbox.buffer();
            record.putInt(at + ORIGIN_OFFSET, origin);
            record.putInt(at + LINK_TYPE_OFFSET, linkType);
            record.putBytes(at + LINK_PAYLOAD_OFFSET, buffer, offset, length);
            inbox.commit(at);
        }
        else
        {
            if (largeBytes.addAndGet(length) > context.relayInboxBytes())
            {
                largeBytes.addAndGet(-length);
                return false;
            }
            final int at = inbox.tryClaim(LARGE_LINK, Integer.BYTES);
            if (at < 0)
            {
                largeBytes.addAndGet(-length);
                return false;
            }
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            if (!largeLinks.offer(new LargeLink(origin, linkType, copy)))
            {
                inbox.abort(at);
                largeBytes.addAndGet(-length);
                return false;
            }
            inbox.commit(at);
        }
        agent.wake();
        return true;
    }

    /** On the links thread: a peer node is up or down; false when the inbox has no room for it now. */
    boolean offerPeer(final int node, final boolean up)
    {
        final int at = inbox.tryClaim(PEER, 2 * Integer.BYTES);
        if (at < 0)
        {
            return false;
        }
        inbox.buffer().putInt(at + NODE_OFFSET, node);
        inbox.buffer().putInt(at + UP_OFFSET, up ? 1 : 0);
        inbox.commit(at);
        agent.wake();
        return true;
    }

    // ---------------------------------------------------------------- the relay inbox

    /**
     * On the sender's agent thread ({@code sender} is its shard's index): one frame for {@code dst}, an id of this
     * shard, onto this shard's relay inbox; this shard's agent is woken if it sleeps.
     *
     * @return false when the inbox has no room for it now
     */
    private boolean offer(
        final int sender, final MessageType type, final String src, final String dst, final byte[] frame,
        final int length)
    {
        final byte[] srcUtf8 = nonAscii(src);
        final byte[] dstUtf8 = nonAscii(dst);
        final int srcLength = srcUtf8 == null ? src.length() : srcUtf8.length;
        final int dstLength = dstUtf8 == null ? dst.length() : dstUtf8.length;
        final int recordLength = IDS_OFFSET + srcLength + dstLength + length;
        if (recordLength <= inbox.maxMsgLength())
        {
            final int at = inbox.tryClaim(RELAY, recordLength);
            if (at < 0)
            {
                return false;
            }
            final AtomicBuffer buffer = inbox.buffer();
            buffer.putInt(at + TYPE_OFFSET, type.ordinal());
            buffer.putInt(at + SRC_LENGTH_OFFSET, srcLength);
            buffer.putInt(at + DST_LENGTH_OFFSET, dstLength);
            putId(buffer, at + IDS_OFFSET, src, srcUtf8);
            putId(buffer, at + IDS_OFFSET + srcLength, dst, dstUtf8);
            buffer.putBytes(at + IDS_OFFSET + srcLength + dstLength, frame, 0, length);
            inbox.commit(at);
        }
        else if (!offerLarge(sender, type, src, dst, frame, length))
        {
            return false;
        }
        agent.wake();
        return true;
    }

    private boolean offerLarge(
        final int sender, final MessageType type, final String src, final String dst, final byte[] frame,
        final int length)
    {
        if (largeBytes.addAndGet(length) > context.relayInboxBytes())
        {
            largeBytes.addAndGet(-length);
            return false;
        }
        final int at = inbox.tryClaim(LARGE_RELAY, Integer.BYTES);
        if (at < 0)
        {
            largeBytes.addAndGet(-length);
            return false;
        }
        if (!large[sender].offer(new LargeRelay(type, src, dst, Arrays.copyOf(frame, length))))
        {
            inbox.abort(at);
            largeBytes.addAndGet(-length);
            return false;
        }
        inbox.buffer().putInt(at + SENDER_OFFSET, sender);
        inbox.commit(at);
        return true;
    }

    /** The agent's duty: offer again what full inboxes could not take, deliver what other agents relayed here. */
    @Override
    public int doWork()
    {
        final int moved = overflowing > 0 ? flushOverflow() : 0;
        return moved + inbox.read(onInbox, MESSAGES_PER_CYCLE);
    }

    @Override
    public boolean hasWork()
    {
        return inbox.size() > 0;
    }

    private void onInbox(final int typeId, final MutableDirectBuffer buffer, final int at, final int length)
    {
        if (typeId == RELAY)
        {
            final MessageType type = TYPES[buffer.getInt(at + TYPE_OFFSET)];
            final int srcLength = buffer.getInt(at + SRC_LENGTH_OFFSET);
            final int dstLength = buffer.getInt(at + DST_LENGTH_OFFSET);
            final String src = ids.get(buffer, at + IDS_OFFSET, srcLength);
            final String dst = ids.get(buffer, at + IDS_OFFSET + srcLength, dstLength);
            final int frameLength = length - IDS_OFFSET - srcLength - dstLength;
            buffer.getBytes(at + IDS_OFFSET + srcLength + dstLength, inboxFrame, 0, frameLength);
            deliver(type, src, dst, inboxFrame, frameLength, true);
        }
        else if (typeId == LARGE_RELAY)
        {
            final LargeRelay relay = large[buffer.getInt(at + SENDER_OFFSET)].poll();
            largeBytes.addAndGet(-relay.frame().length);
            deliver(relay.type(), relay.src(), relay.dst(), relay.frame(), relay.frame().length, true);
        }
        else if (typeId == LINK)
        {
            onLink(buffer.getInt(at + ORIGIN_OFFSET), buffer.getInt(at + LINK_TYPE_OFFSET), buffer,
                at + LINK_PAYLOAD_OFFSET, length - LINK_PAYLOAD_OFFSET);
        }
        else if (typeId == LARGE_LINK)
        {
            final LargeLink link = largeLinks.poll();
            largeBytes.addAndGet(-link.message().length);
            onLink(link.origin(), link.linkType(), new UnsafeBuffer(link.message()), 0, link.message().length);
        }
        else if (typeId == PEER)
        {
            onPeerNode(buffer.getInt(at + NODE_OFFSET), buffer.getInt(at + UP_OFFSET) != 0);
        }
    }

    /** Null when {@code id} is plain ASCII (written char by char), else its UTF-8 bytes. */
    private static byte[] nonAscii(final String id)
    {
        for (int i = 0; i < id.length(); i++)
        {
            if (id.charAt(i) >= 0x80)
            {
                return id.getBytes(StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void putId(final MutableDirectBuffer buffer, final int at, final String id, final byte[] utf8)
    {
        if (utf8 == null)
        {
            buffer.putStringWithoutLengthAscii(at, id);
        }
        else
        {
            buffer.putBytes(at, utf8);
        }
    }

    private static boolean isEmpty(final String value)
    {
        return value == null || value.isEmpty();
    }

    /** A frame kept outside the ring (too large for a record, or waiting for room), with what its record says. */
    private record LargeRelay(MessageType type, String src, String dst, byte[] frame)
    {
    }

    /** A link message too large for an inbox record, copied. */
    private record LargeLink(int origin, int linkType, byte[] message)
    {
    }
}
