package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PeerJS id space (spec 3), partitioned across the signaling agents: each id is owned by one agent
 * ({@link #owner}, a stable hash of the id), whose {@link RealmShard} alone holds the id's registration and offline
 * queue and applies every rule about it; a PeerJS or dop socket naming an id is handed to that agent at its upgrade.
 * A frame for an id another agent owns travels to that agent's shard as a message on its relay inbox, so no id is
 * ever touched by two threads and the relay path takes no lock.
 * <p>
 * What is shared here is counts (the concurrent, per-host and queue limits, open sockets) and the directory
 * the HTTP API reads ({@code GET /peers}, {@code GET /id}): ids with their registration order, written by the shard
 * that owns each id as it registers and frees it, read by any thread.
 */
public final class Realm
{
    private final PeerJsContext context;
    private final PeerJsCounters counters;
    private final RealmShard[] shards;
    private final AtomicInteger registered = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger openSockets = new AtomicInteger();
    private final AtomicLong registrations = new AtomicLong();
    /** Registered ids and their registration sequence: the view the HTTP API reads. */
    private final Map<String, Long> directory = new ConcurrentHashMap<>();
    /** Registered ids per client address, for {@code --peerjs-max-ids-per-host}; an address with none is absent. */
    private final Map<InetAddress, Integer> idsPerHost = new ConcurrentHashMap<>();

    /** One shard per agent, in order; {@code agents[i]} runs shard {@code i}. */
    Realm(final PeerJsContext context, final PeerJsCounters counters, final SignalingAgent... agents)
    {
        this.context = context;
        this.counters = counters;
        this.shards = new RealmShard[agents.length];
        for (int i = 0; i < agents.length; i++)
        {
            shards[i] = new RealmShard(this, i, agents.length, agents[i]);
        }
    }

    /** The index of the agent that owns {@code id} (null and "" included: a refused socket still has an owner). */
    public int owner(final String id)
    {
        return owner(id, shards.length);
    }

    /** The index of the agent, of {@code agents}, that owns {@code id}: a stable hash, the same in every process. */
    public static int owner(final String id, final int agents)
    {
        if (agents == 1)
        {
            return 0;
        }
        final int hash = id == null ? 0 : id.hashCode();
        return Math.floorMod(hash ^ hash >>> 16, agents);
    }

    /** The shard of the agent that owns {@code id}: call it on that agent's thread only. */
    public RealmShard shardFor(final String id)
    {
        return shards[owner(id)];
    }

    /** How many shards (agents) the id space is spread over. */
    public int shards()
    {
        return shards.length;
    }

    /** The shard run by agent {@code index}: call it on that agent's thread only. */
    public RealmShard shard(final int index)
    {
        return shards[index];
    }

    PeerJsContext context()
    {
        return context;
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

    /** A PeerJS socket was upgraded (any thread). */
    void socketOpened()
    {
        openSockets.incrementAndGet();
        counters.openConnections.increment();
        counters.connectionsOpened.increment();
    }

    /** A PeerJS socket is gone (its agent's thread). */
    void socketClosed()
    {
        openSockets.decrementAndGet();
        counters.openConnections.decrement();
        counters.connectionsClosed.increment();
    }

    /** A place under the concurrent limit for a new registration; false when the limit is reached. */
    boolean reserveRegistration()
    {
        if (registered.incrementAndGet() > context.concurrentLimit())
        {
            registered.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * A place under {@code --peerjs-max-ids-per-host} for one more id from {@code host} (null: no address known,
     * not limited); false when the host has its share.
     */
    boolean reserveHost(final InetAddress host)
    {
        if (host == null)
        {
            return true;
        }
        final int max = context.maxIdsPerHost();
        final boolean[] reserved = new boolean[1];
        idsPerHost.compute(host, (address, ids) ->
        {
            final int held = ids == null ? 0 : ids;
            reserved[0] = held < max;
            return reserved[0] ? held + 1 : ids;
        });
        return reserved[0];
    }

    void releaseHost(final InetAddress host)
    {
        if (host != null)
        {
            idsPerHost.computeIfPresent(host, (address, ids) -> ids <= 1 ? null : ids - 1);
        }
    }

    /** Gives back a place {@link #reserveRegistration} took, for an admission refused after it. */
    void releaseRegistration()
    {
        registered.decrementAndGet();
    }

    /** The next registration's place in registration order. */
    long nextSequence()
    {
        return registrations.incrementAndGet();
    }

    /** The owning shard registered {@code client}: the HTTP API sees it from now on. */
    void listed(final Client client)
    {
        directory.put(client.id, client.sequence);
        counters.registeredClients.increment();
    }

    /** The owning shard freed {@code client}'s id: its place under the limit is given back. */
    void unlisted(final Client client)
    {
        directory.remove(client.id, client.sequence);
        releaseHost(client.host);
        registered.decrementAndGet();
        counters.registeredClients.decrement();
    }

    /** A place under {@code --peerjs-max-queued} for one more offline message; false when none is left. */
    boolean reserveQueued()
    {
        if (queued.incrementAndGet() > context.maxQueued())
        {
            queued.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseQueued(final int messages)
    {
        queued.addAndGet(-messages);
        counters.queuedMessages.getAndAdd(-messages);
    }

    /** Whether an id is registered now: generated ids must not be (spec 2). Any thread. */
    boolean isRegistered(final String id)
    {
        return directory.containsKey(id);
    }

    /** Every registered id in registration order, for {@code GET /{key}/peers}. Any thread. */
    List<String> registeredIds()
    {
        final List<Map.Entry<String, Long>> entries = new ArrayList<>(directory.entrySet());
        entries.sort(Map.Entry.comparingByValue());
        final List<String> ids = new ArrayList<>(entries.size());
        entries.forEach(entry -> ids.add(entry.getKey()));
        return ids;
    }
}
