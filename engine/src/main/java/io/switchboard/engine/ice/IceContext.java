package io.switchboard.engine.ice;

import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.config.Require;
import io.switchboard.engine.links.LinkOutbox;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the ICE server, Aeron-style: defaults are named constants, setters return this, and
 * {@link #conclude()} validates before anything is opened. Accessors follow their options' names
 * ({@code iceMaxDomains} is {@code --ice-max-domains}). It holds the server's port, table size, per-host limits,
 * how domain keys are fetched and who verifies heartbeats; the ring it runs on is the engine's.
 */
public final class IceContext
{
    /** Who verifies heartbeat signatures (RSA). */
    public enum VerifyProvider
    {
        /** The native provider where its library loads, else the JDK's. */
        AUTO,
        /** The native provider (Amazon Corretto Crypto Provider), or refuse to start. */
        NATIVE,
        /** The JDK's provider. */
        JDK
    }

    /** Vircadia clients always use 7337. */
    public static final int DEFAULT_ICE_PORT = 7337;
    public static final long DEFAULT_ICE_PEER_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_ICE_MAX_DOMAINS = 100_000;
    public static final int DEFAULT_ICE_QUERY_RATE = 20;
    public static final int DEFAULT_ICE_QUERY_BURST = 40;
    public static final int DEFAULT_ICE_VERIFY_RATE = 200;
    public static final int DEFAULT_ICE_VERIFY_BURST = 400;
    public static final int DEFAULT_RATE_LIMIT_SLOTS = 65_536;
    public static final int DEFAULT_SEQUENCE_SLOTS = 65_536;
    public static final long DEFAULT_KEY_FETCH_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_KEY_FETCH_BACKOFF_MS = 1_000;
    public static final long DEFAULT_KEY_FETCH_MAX_BACKOFF_MS = 60_000;
    public static final int DEFAULT_KEY_FETCH_RATE = 50;
    public static final int DEFAULT_KEY_FETCH_RATE_PER_HOST = 10;
    public static final VerifyProvider DEFAULT_ICE_VERIFY_PROVIDER = VerifyProvider.AUTO;
    public static final int DEFAULT_ICE_PEER_INFO_RATE = 100;

    private int icePort = DEFAULT_ICE_PORT;
    private long icePeerTimeoutMs = DEFAULT_ICE_PEER_TIMEOUT_MS;
    private int iceMaxDomains = DEFAULT_ICE_MAX_DOMAINS;
    private int iceQueryRate = DEFAULT_ICE_QUERY_RATE;
    private int iceQueryBurst = DEFAULT_ICE_QUERY_BURST;
    private int iceVerifyRate = DEFAULT_ICE_VERIFY_RATE;
    private int iceVerifyBurst = DEFAULT_ICE_VERIFY_BURST;
    private int rateLimitSlots = DEFAULT_RATE_LIMIT_SLOTS;
    private int sequenceSlots = DEFAULT_SEQUENCE_SLOTS;
    private String metaverseUrl;
    private long keyFetchTimeoutMs = DEFAULT_KEY_FETCH_TIMEOUT_MS;
    private long keyFetchBackoffMs = DEFAULT_KEY_FETCH_BACKOFF_MS;
    private long keyFetchMaxBackoffMs = DEFAULT_KEY_FETCH_MAX_BACKOFF_MS;
    private int keyFetchRate = DEFAULT_KEY_FETCH_RATE;
    private int keyFetchRatePerHost = DEFAULT_KEY_FETCH_RATE_PER_HOST;
    private VerifyProvider iceVerifyProvider = DEFAULT_ICE_VERIFY_PROVIDER;
    private int icePeerInfoRate = DEFAULT_ICE_PEER_INFO_RATE;
    private int maxDatagramBytes = EngineContext.DEFAULT_MAX_DATAGRAM_BYTES;
    private final List<String> domainKeys = new ArrayList<>();
    private LinkOutbox linkOutbox;

    public IceContext conclude()
    {
        Require.port("ice port", icePort);
        Require.range("ice peer timeout ms", icePeerTimeoutMs, 100, 86_400_000);
        Require.range("ice max domains", iceMaxDomains, 16, 100_000_000);
        Require.range("ice query rate", iceQueryRate, 1, 1_000_000);
        Require.range("ice query burst", iceQueryBurst, 1, 1_000_000);
        Require.range("ice verify rate", iceVerifyRate, 1, 1_000_000);
        Require.range("ice verify burst", iceVerifyBurst, 1, 1_000_000);
        Require.powerOfTwo("rate limit slots", rateLimitSlots);
        Require.powerOfTwo("sequence slots", sequenceSlots);
        if (metaverseUrl != null)
        {
            final URI uri = URI.create(metaverseUrl);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
            {
                throw new IllegalArgumentException("metaverse url must be http or https: " + metaverseUrl);
            }
        }
        Require.range("key fetch timeout ms", keyFetchTimeoutMs, 100, 600_000);
        Require.range("key fetch backoff ms", keyFetchBackoffMs, 10, 3_600_000);
        Require.range("key fetch max backoff ms", keyFetchMaxBackoffMs, keyFetchBackoffMs, 86_400_000);
        Require.range("key fetch rate", keyFetchRate, 1, 1_000_000);
        Require.range("key fetch rate per host", keyFetchRatePerHost, 1, 1_000_000);
        if (iceVerifyProvider == null)
        {
            throw new IllegalArgumentException("ice verify provider must be set");
        }
        Require.range("ice peer info rate", icePeerInfoRate, 1, 1_000_000);
        Require.range("max datagram bytes", maxDatagramBytes, 576, 65_507);
        return this;
    }

    /** UDP port of the ICE listener (0 = any free port). */
    public int icePort() { return icePort; }
    public IceContext icePort(final int value) { icePort = value; return this; }
    /** A domain without a verified heartbeat for this long is forgotten. */
    public long icePeerTimeoutMs() { return icePeerTimeoutMs; }
    public IceContext icePeerTimeoutMs(final long value) { icePeerTimeoutMs = value; return this; }
    /** Most domains heartbeating at once: sizes the peer and key tables. */
    public int iceMaxDomains() { return iceMaxDomains; }
    public IceContext iceMaxDomains(final int value) { iceMaxDomains = value; return this; }
    public int iceQueryRate() { return iceQueryRate; }
    public IceContext iceQueryRate(final int value) { iceQueryRate = value; return this; }
    public int iceQueryBurst() { return iceQueryBurst; }
    public IceContext iceQueryBurst(final int value) { iceQueryBurst = value; return this; }
    public int iceVerifyRate() { return iceVerifyRate; }
    public IceContext iceVerifyRate(final int value) { iceVerifyRate = value; return this; }
    public int iceVerifyBurst() { return iceVerifyBurst; }
    public IceContext iceVerifyBurst(final int value) { iceVerifyBurst = value; return this; }
    /** Per-host token buckets of each limit (power of two); hosts whose hashes collide share one. */
    public int rateLimitSlots() { return rateLimitSlots; }
    public IceContext rateLimitSlots(final int value) { rateLimitSlots = value; return this; }
    /** Slots of the per-destination sequence numbers (power of two). */
    public int sequenceSlots() { return sequenceSlots; }
    public IceContext sequenceSlots(final int value) { sequenceSlots = value; return this; }
    /** Where unknown domains' keys are fetched from; null: local keys only. */
    public String metaverseUrl() { return metaverseUrl; }
    public IceContext metaverseUrl(final String value) { metaverseUrl = value; return this; }
    public long keyFetchTimeoutMs() { return keyFetchTimeoutMs; }
    public IceContext keyFetchTimeoutMs(final long value) { keyFetchTimeoutMs = value; return this; }
    public long keyFetchBackoffMs() { return keyFetchBackoffMs; }
    public IceContext keyFetchBackoffMs(final long value) { keyFetchBackoffMs = value; return this; }
    public long keyFetchMaxBackoffMs() { return keyFetchMaxBackoffMs; }
    public IceContext keyFetchMaxBackoffMs(final long value) { keyFetchMaxBackoffMs = value; return this; }
    public int keyFetchRate() { return keyFetchRate; }
    public IceContext keyFetchRate(final int value) { keyFetchRate = value; return this; }
    public int keyFetchRatePerHost() { return keyFetchRatePerHost; }
    public IceContext keyFetchRatePerHost(final int value) { keyFetchRatePerHost = value; return this; }
    public VerifyProvider iceVerifyProvider() { return iceVerifyProvider; }
    public IceContext iceVerifyProvider(final VerifyProvider value) { iceVerifyProvider = value; return this; }
    public int icePeerInfoRate() { return icePeerInfoRate; }
    public IceContext icePeerInfoRate(final int value) { icePeerInfoRate = value; return this; }
    /** Longest datagram the engine delivers (the engine's, copied by the composition root): sizes the verifier. */
    public int maxDatagramBytes() { return maxDatagramBytes; }
    public IceContext maxDatagramBytes(final int value) { maxDatagramBytes = value; return this; }
    /** {@code UUID:BASE64_SPKI} entries from the operator. */
    public List<String> domainKeys() { return domainKeys; }
    public IceContext addDomainKey(final String value) { domainKeys.add(value); return this; }
    /**
     * The queues to the other cluster nodes (set by the composition root in a cluster): domain locations and
     * introductions cross nodes through it. Null on one box: nothing crosses, exactly the single-server behaviour.
     */
    public LinkOutbox linkOutbox() { return linkOutbox; }
    public IceContext linkOutbox(final LinkOutbox value) { linkOutbox = value; return this; }
}
