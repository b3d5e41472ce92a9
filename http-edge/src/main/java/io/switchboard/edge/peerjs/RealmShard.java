package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;
import org.agrona.BufferUtil;
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
import java.util.Arrays;
import java.util.HashMap;
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
 */
public final class RealmShard implements SignalingAgent.Duty
{
    static final int RELAY = 1;
    static final int LARGE_RELAY = 2;
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
        if (shards > 1)
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
        if (current != null && !current.token.equals(token))
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
        final Client client;
        if (current == null)
        {
            client = new Client(id, token, endpoint, realm.nextSequence(), SignalFrame.quoted(id), host);
            realm.listed(client);
            counters.admittedOpen.increment();
        }
        else
        {
            client = new Client(id, token, endpoint, current.sequence, current.quotedId, current.host);
            current.endpoint.registration(null);
            counters.admittedTakeover.increment();
        }
        slot.client = client;
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
            deliver(type, src, dst, frame, length);
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
     * and the sender gets LEAVE from dst, as the reference does.
     */
    private void deliver(final MessageType type, final String src, final String dst, final byte[] frame, final int length)
    {
        final IdSlot slot = slots.get(dst);
        final Client client = slot == null ? null : slot.client;
        if (client == null)
        {
            if (type.queued)
            {
                enqueue(slot, dst, src, frame, length);
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

    private void enqueue(final IdSlot found, final String dst, final String src, final byte[] frame, final int length)
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
        queue.add(src, Arrays.copyOf(frame, length));
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
    }

    private void removeIfEmpty(final IdSlot slot)
    {
        if (slot.client == null && slot.queue == null)
        {
            slots.remove(slot.id, slot);
        }
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
            deliver(type, src, dst, inboxFrame, frameLength);
        }
        else if (typeId == LARGE_RELAY)
        {
            final LargeRelay relay = large[buffer.getInt(at + SENDER_OFFSET)].poll();
            largeBytes.addAndGet(-relay.frame().length);
            deliver(relay.type(), relay.src(), relay.dst(), relay.frame(), relay.frame().length);
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
}
