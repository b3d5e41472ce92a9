package io.switchboard.edge.peerjs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PeerJS state rules (spec 3): admission, relaying with the offline queue, EXPIRE, LEAVE and disconnects. Ids
 * live in a concurrent map of {@link IdSlot}s; everything about one id happens under that slot's monitor, and no
 * thread holds two slots at once. Callers are the signaling agents that own the PeerJS and dop sockets (one per
 * connection, so frames from one socket are handled in order), Undertow's IO threads (a new socket, the HTTP API)
 * and the deadline wheel (offline-queue expiry). The parties are {@link SignalEndpoint}s: PeerJS sockets,
 * and the dop sessions that carry signaling into the same id space.
 */
public final class Realm
{
    private final PeerJsContext context;
    private final PeerJsCounters counters;
    private final DeadlineWheel wheel;
    /** One reader per thread that hands the realm frames: the signaling agents. */
    private final ThreadLocal<SignalFrameReader> readers;
    private final ConcurrentHashMap<String, IdSlot> slots = new ConcurrentHashMap<>();
    private final AtomicInteger registered = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger openSockets = new AtomicInteger();
    private final AtomicLong registrations = new AtomicLong();

    Realm(final PeerJsContext context, final PeerJsCounters counters, final DeadlineWheel wheel)
    {
        this.context = context;
        this.counters = counters;
        this.wheel = wheel;
        final SignalFrame codec = new SignalFrame(context.maxFrameBytes());
        this.readers = ThreadLocal.withInitial(() -> new SignalFrameReader(codec));
    }

    PeerJsCounters counters()
    {
        return counters;
    }

    long aliveTimeoutMs()
    {
        return context.aliveTimeoutMs();
    }

    public long maxSendBufferBytes()
    {
        return context.maxSendBufferBytes();
    }

    public int maxFrameBytes()
    {
        return context.maxFrameBytes();
    }

    int openSockets()
    {
        return openSockets.get();
    }

    /**
     * A new WebSocket: runs admission (spec 3.2) on its query parameters. Its liveness deadline is its own, on the
     * wheel of the agent that owns its connection (see {@link PeerSocket}).
     */
    void connect(final PeerSocket socket, final String id, final String token, final String key)
    {
        openSockets.incrementAndGet();
        counters.openConnections.increment();
        counters.connectionsOpened.increment();
        admit(socket, id, token, key);
    }

    /** Admission (spec 3.2) of an endpoint presenting these parameters; OPEN and the queued messages on success. */
    public void admit(final SignalEndpoint endpoint, final String id, final String token, final String key)
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
        while (true)
        {
            final IdSlot slot = slots.computeIfAbsent(id, IdSlot::new);
            final SignalEndpoint displaced;
            synchronized (slot)
            {
                if (slot.retired)
                {
                    continue;
                }
                final Client current = slot.client;
                if (current != null && !current.token.equals(token))
                {
                    counters.refusedIdTaken.increment();
                    endpoint.sendAndClose(SignalFrame.ID_TAKEN);
                    return;
                }
                if (current == null && registered.incrementAndGet() > context.concurrentLimit())
                {
                    registered.decrementAndGet();
                    retireIfEmpty(slot);
                    counters.refusedConcurrentLimit.increment();
                    endpoint.sendAndClose(SignalFrame.CONCURRENT_LIMIT);
                    return;
                }
                final Client client = current == null ?
                    new Client(id, token, endpoint, registrations.incrementAndGet(), SignalFrame.quoted(id)) :
                    new Client(id, token, endpoint, current.sequence, current.quotedId);
                displaced = current == null ? null : current.endpoint;
                if (displaced != null)
                {
                    displaced.registration(null);
                    counters.admittedTakeover.increment();
                }
                else
                {
                    counters.registeredClients.increment();
                    counters.admittedOpen.increment();
                }
                slot.client = client;
                endpoint.registration(client);
                endpoint.send(SignalFrame.OPEN, SignalFrame.OPEN.length);
                drain(slot, endpoint);
            }
            if (displaced != null && displaced != endpoint)
            {
                displaced.close(counters.closedTakenOver);
            }
            return;
        }
    }

    /** OPEN is out; the queued messages follow it, before any later relay, since the caller holds the slot. */
    private void drain(final IdSlot slot, final SignalEndpoint endpoint)
    {
        final OfflineQueue queue = slot.queue;
        if (queue == null)
        {
            return;
        }
        slot.queue = null;
        for (final byte[] frame : queue.frames())
        {
            endpoint.send(frame, frame.length);
            counters.relayDelivered.increment();
        }
        queued.addAndGet(-queue.size());
        counters.queuedMessages.getAndAdd(-queue.size());
    }

    /**
     * One complete client message, text or binary, as UTF-8 JSON in {@code bytes[0, length)}; the array may be
     * reused once this returns.
     */
    public void onMessage(final SignalEndpoint endpoint, final byte[] bytes, final int length)
    {
        final SignalFrameReader frame = readers.get();
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
        deliver(type, client.id, client.quotedId, dst, frame.out(), relayed);
    }

    /**
     * Routes one frame to {@code dst}: sent when it is connected, queued when it is not and the type is queued,
     * else dropped. When dst is registered but its socket cannot take the frame, dst is forgotten and the sender
     * gets LEAVE from dst, as the reference does.
     */
    private void deliver(
        final MessageType type, final String src, final byte[] srcQuoted, final String dst, final byte[] frame,
        final int length)
    {
        while (true)
        {
            final IdSlot slot = type.queued ? slots.computeIfAbsent(dst, IdSlot::new) : slots.get(dst);
            if (slot == null)
            {
                counters.relayDroppedOffline.increment();
                return;
            }
            final Client failed;
            synchronized (slot)
            {
                if (slot.retired)
                {
                    continue;
                }
                final Client client = slot.client;
                if (client == null)
                {
                    if (type.queued)
                    {
                        enqueue(slot, src, Arrays.copyOf(frame, length));
                    }
                    else
                    {
                        counters.relayDroppedOffline.increment();
                        retireIfEmpty(slot);
                    }
                    return;
                }
                if (client.endpoint.send(frame, length))
                {
                    counters.relayDelivered.increment();
                    return;
                }
                counters.relayDeliveryFailed.increment();
                unregister(slot, client);
                failed = client;
            }
            failed.endpoint.close(null);
            final byte[] leave = SignalFrame.notice(MessageType.LEAVE, failed.quotedId, srcQuoted);
            deliver(MessageType.LEAVE, dst, failed.quotedId, src, leave, leave.length);
            return;
        }
    }

    private void enqueue(final IdSlot slot, final String src, final byte[] frame)
    {
        OfflineQueue queue = slot.queue;
        if (queue != null && queue.size() >= context.maxQueuedPerId() || !reserveQueued())
        {
            counters.relayDroppedQueueFull.increment();
            retireIfEmpty(slot);
            return;
        }
        if (queue == null)
        {
            queue = new OfflineQueue(this, slot);
            slot.queue = queue;
            wheel.schedule(queue, wheel.time() + context.expireTimeoutMs());
        }
        queue.add(src, frame);
        counters.queuedMessages.increment();
        counters.relayQueued.increment();
    }

    private boolean reserveQueued()
    {
        if (queued.incrementAndGet() > context.maxQueued())
        {
            queued.decrementAndGet();
            return false;
        }
        return true;
    }

    /** The queue's deadline: drop it whole and send one EXPIRE per sender (spec 3.4), unless it was drained. */
    void expire(final OfflineQueue queue)
    {
        final IdSlot slot = queue.slot;
        final Set<String> sources;
        synchronized (slot)
        {
            if (slot.queue != queue)
            {
                return;
            }
            slot.queue = null;
            retireIfEmpty(slot);
            sources = queue.distinctSources();
        }
        queued.addAndGet(-queue.size());
        counters.queuedMessages.getAndAdd(-queue.size());
        counters.queuesExpired.increment();
        final byte[] dstQuoted = SignalFrame.quoted(slot.id);
        for (final String src : sources)
        {
            counters.expireSent.increment();
            final byte[] expire = SignalFrame.notice(MessageType.EXPIRE, dstQuoted, SignalFrame.quoted(src));
            deliver(MessageType.EXPIRE, slot.id, dstQuoted, src, expire, expire.length);
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
        openSockets.decrementAndGet();
        counters.openConnections.decrement();
        counters.connectionsClosed.increment();
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
        if (slot == null)
        {
            return false;
        }
        synchronized (slot)
        {
            if (slot.client != client)
            {
                return false;
            }
            unregister(slot, client);
            return true;
        }
    }

    private void unregister(final IdSlot slot, final Client client)
    {
        slot.client = null;
        client.endpoint.registration(null);
        registered.decrementAndGet();
        counters.registeredClients.decrement();
        retireIfEmpty(slot);
    }

    private void retireIfEmpty(final IdSlot slot)
    {
        if (slot.client == null && slot.queue == null && !slot.retired)
        {
            slot.retired = true;
            slots.remove(slot.id, slot);
        }
    }

    /** Whether an id is registered now: generated ids must not be (spec 2). */
    boolean isRegistered(final String id)
    {
        final IdSlot slot = slots.get(id);
        if (slot == null)
        {
            return false;
        }
        synchronized (slot)
        {
            return slot.client != null;
        }
    }

    /** Every registered id in registration order, for {@code GET /{key}/peers}. */
    List<String> registeredIds()
    {
        final List<Client> clients = new ArrayList<>();
        for (final IdSlot slot : slots.values())
        {
            synchronized (slot)
            {
                if (slot.client != null)
                {
                    clients.add(slot.client);
                }
            }
        }
        clients.sort(Comparator.comparingLong(client -> client.sequence));
        final List<String> ids = new ArrayList<>(clients.size());
        clients.forEach(client -> ids.add(client.id));
        return ids;
    }

    private static boolean isEmpty(final String value)
    {
        return value == null || value.isEmpty();
    }
}
