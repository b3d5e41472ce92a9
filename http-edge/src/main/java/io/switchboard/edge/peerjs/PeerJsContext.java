package io.switchboard.edge.peerjs;

import io.switchboard.engine.config.Require;
import io.switchboard.engine.links.LinkOutbox;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.util.List;

/**
 * Configuration of the PeerJS listener, one object: the reference server's options under {@code --peerjs-*} names
 * with its defaults, plus the limits the reference lacks. Setters return this; {@link #conclude()} validates and
 * normalises the path before anything is opened.
 */
public final class PeerJsContext
{
    public static final int DEFAULT_PORT = 9000;
    public static final String DEFAULT_PATH = "/";
    public static final String DEFAULT_KEY = "peerjs";
    public static final long DEFAULT_EXPIRE_TIMEOUT_MS = 5_000;
    /** The reference CLI's value; its library default is 90 s (spec 1). */
    public static final long DEFAULT_ALIVE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_CONCURRENT_LIMIT = 5_000;
    public static final int DEFAULT_MAX_IDS_PER_HOST = 256;
    /** The reference's {@code ws} maxPayload, 100 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 200_000;
    /** One IO thread: a relay between two sockets never hops threads (see docs/performance.md). */
    public static final int DEFAULT_IO_THREADS = 1;
    public static final int DEFAULT_MAX_QUEUED_PER_ID = 500;
    public static final int DEFAULT_MAX_QUEUED = 200_000;
    public static final long DEFAULT_MAX_SEND_BUFFER_BYTES = 16 * 1024 * 1024;
    /**
     * Bytes of each signaling agent's relay inbox, the ring other agents write the frames for its ids into (used when
     * there is more than one agent); frames above an eighth of it travel beside it, within the same budget.
     */
    public static final int DEFAULT_RELAY_INBOX_BYTES = 1024 * 1024;

    private String bindAddress = "0.0.0.0";
    private int port = DEFAULT_PORT;
    private String path = DEFAULT_PATH;
    private String key = DEFAULT_KEY;
    private long expireTimeoutMs = DEFAULT_EXPIRE_TIMEOUT_MS;
    private long aliveTimeoutMs = DEFAULT_ALIVE_TIMEOUT_MS;
    private int concurrentLimit = DEFAULT_CONCURRENT_LIMIT;
    private int maxIdsPerHost = DEFAULT_MAX_IDS_PER_HOST;
    private boolean allowDiscovery;
    private List<String> corsOrigins = List.of();
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int ioThreads = DEFAULT_IO_THREADS;
    private int maxQueuedPerId = DEFAULT_MAX_QUEUED_PER_ID;
    private int maxQueued = DEFAULT_MAX_QUEUED;
    private long maxSendBufferBytes = DEFAULT_MAX_SEND_BUFFER_BYTES;
    private int relayInboxBytes = DEFAULT_RELAY_INBOX_BYTES;
    private LinkOutbox linkOutbox;
    private EpochClock claimClock = SystemEpochClock.INSTANCE;


    public PeerJsContext conclude()
    {
        Require.port("peerjs port", port);
        if (key == null || key.isEmpty())
        {
            throw new IllegalArgumentException("peerjs key must not be empty");
        }
        if (path == null || path.isEmpty())
        {
            path = DEFAULT_PATH;
        }
        path = (path.startsWith("/") ? "" : "/") + path + (path.endsWith("/") ? "" : "/");
        Require.range("peerjs expire timeout ms", expireTimeoutMs, 1, 86_400_000);
        Require.range("peerjs alive timeout ms", aliveTimeoutMs, 1, 86_400_000);
        Require.range("peerjs concurrent limit", concurrentLimit, 1, 100_000_000);
        Require.range("peerjs max ids per host", maxIdsPerHost, 1, 100_000_000);
        Require.range("peerjs max frame bytes", maxFrameBytes, 64, Integer.MAX_VALUE - 8);
        Require.range("peerjs max connections", maxConnections, 1, 100_000_000);
        Require.range("peerjs io threads", ioThreads, 1, 1_024);
        Require.range("peerjs max queued per id", maxQueuedPerId, 1, 100_000_000);
        Require.range("peerjs max queued", maxQueued, 1, 100_000_000);
        Require.range("peerjs max send buffer bytes", maxSendBufferBytes, 1024, Long.MAX_VALUE);
        Require.range("peerjs relay inbox bytes", relayInboxBytes, 64 * 1024, 1 << 30);
        if (Integer.bitCount(relayInboxBytes) != 1)
        {
            throw new IllegalArgumentException("peerjs relay inbox bytes must be a power of two: " + relayInboxBytes);
        }
        for (final String origin : corsOrigins)
        {
            if (origin.isEmpty())
            {
                throw new IllegalArgumentException("peerjs cors origin must not be empty");
            }
        }
        return this;
    }

    public String bindAddress() { return bindAddress; }
    public PeerJsContext bindAddress(final String value) { bindAddress = value; return this; }
    public int port() { return port; }
    public PeerJsContext port(final int value) { port = value; return this; }
    /** Mount prefix, normalised by {@link #conclude()} to start and end with "/". */
    public String path() { return path; }
    public PeerJsContext path(final String value) { path = value; return this; }
    /** Checked on the WebSocket only, as the reference does. */
    public String key() { return key; }
    public PeerJsContext key(final String value) { key = value; return this; }
    /** Age of an offline queue after which it is dropped and its senders get EXPIRE. */
    public long expireTimeoutMs() { return expireTimeoutMs; }
    public PeerJsContext expireTimeoutMs(final long value) { expireTimeoutMs = value; return this; }
    /** A socket without HEARTBEAT for this long is closed. */
    public long aliveTimeoutMs() { return aliveTimeoutMs; }
    public PeerJsContext aliveTimeoutMs(final long value) { aliveTimeoutMs = value; return this; }
    /** Most registered ids. */
    public int concurrentLimit() { return concurrentLimit; }
    public PeerJsContext concurrentLimit(final int value) { concurrentLimit = value; return this; }
    public boolean allowDiscovery() { return allowDiscovery; }
    public PeerJsContext allowDiscovery(final boolean value) { allowDiscovery = value; return this; }
    /** Empty: reflect any Origin; else only these exact origins get Access-Control-Allow-Origin. */
    public List<String> corsOrigins() { return corsOrigins; }
    public PeerJsContext corsOrigins(final List<String> value) { corsOrigins = List.copyOf(value); return this; }
    /** Longer WebSocket messages get close 1009. */
    public int maxFrameBytes() { return maxFrameBytes; }
    public PeerJsContext maxFrameBytes(final int value) { maxFrameBytes = value; return this; }
    /** Most open WebSocket connections, registered or not; more upgrades get 503. */
    public int ioThreads() { return ioThreads; }
    public PeerJsContext ioThreads(final int value) { ioThreads = value; return this; }
    public int maxConnections() { return maxConnections; }
    public PeerJsContext maxConnections(final int value) { maxConnections = value; return this; }
    /** Most messages waiting for one offline id. */
    public int maxQueuedPerId() { return maxQueuedPerId; }
    public PeerJsContext maxQueuedPerId(final int value) { maxQueuedPerId = value; return this; }
    /** Most messages waiting for offline ids, all together. */
    public int maxQueued() { return maxQueued; }
    public PeerJsContext maxQueued(final int value) { maxQueued = value; return this; }
    /** A socket whose unsent frames exceed this is closed as a slow consumer. */
    public long maxSendBufferBytes() { return maxSendBufferBytes; }
    public PeerJsContext maxSendBufferBytes(final long value) { maxSendBufferBytes = value; return this; }
    public int maxIdsPerHost() { return maxIdsPerHost; }
    public PeerJsContext maxIdsPerHost(final int value) { maxIdsPerHost = value; return this; }
    public int relayInboxBytes() { return relayInboxBytes; }
    public PeerJsContext relayInboxBytes(final int value) { relayInboxBytes = value; return this; }
    /** A cluster member's queues to the other nodes (ids are claimed cluster-wide); null on one box. */
    public LinkOutbox linkOutbox() { return linkOutbox; }
    public PeerJsContext linkOutbox(final LinkOutbox value) { linkOutbox = value; return this; }
    /** Wall clock stamping each id's claim: between two holders of one id, the earlier claim wins. */
    public EpochClock claimClock() { return claimClock; }
    public PeerJsContext claimClock(final EpochClock value) { claimClock = value; return this; }
}
