package io.switchboard.engine.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the engine, one object, Aeron-style: defaults are named constants, setters return this, and
 * {@link #conclude()} validates before anything is opened. Nothing else in the engine reads configuration.
 */
public final class EngineContext
{
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_ICE_PORT = 7337;
    public static final int DEFAULT_RING_SIZE = 8192;
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 2048;
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
    public static final String THREADING_SHARED = "shared";
    public static final String THREADING_DEDICATED = "dedicated";
    public static final String DEFAULT_THREADING = THREADING_SHARED;
    public static final String DEFAULT_WAIT_STRATEGY = "blocking";
    public static final long DEFAULT_TICK_INTERVAL_MS = 100;
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
    public static final String ICE_VERIFY_AUTO = "auto";
    public static final String ICE_VERIFY_NATIVE = "native";
    public static final String ICE_VERIFY_JDK = "jdk";
    public static final String DEFAULT_ICE_VERIFY_PROVIDER = ICE_VERIFY_AUTO;
    public static final List<String> ICE_VERIFY_PROVIDERS = List.of(ICE_VERIFY_AUTO, ICE_VERIFY_NATIVE, ICE_VERIFY_JDK);
    public static final int DEFAULT_ICE_PEER_INFO_RATE = 100;

    public static final List<String> THREADINGS = List.of(THREADING_SHARED, THREADING_DEDICATED);
    public static final List<String> WAIT_STRATEGIES = List.of("blocking", "lite-blocking", "phased", "sleeping", "yielding", "busy-spin");

    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int icePort = DEFAULT_ICE_PORT;
    private int ringSize = DEFAULT_RING_SIZE;
    private int maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES;
    private int socketBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;
    private String threading = DEFAULT_THREADING;
    private String waitStrategy = DEFAULT_WAIT_STRATEGY;
    private long tickIntervalMs = DEFAULT_TICK_INTERVAL_MS;
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
    private String iceVerifyProvider = DEFAULT_ICE_VERIFY_PROVIDER;
    private int icePeerInfoRate = DEFAULT_ICE_PEER_INFO_RATE;
    private final List<String> domainKeys = new ArrayList<>();

    public EngineContext conclude()
    {
        try
        {
            InetAddress.getByName(bindAddress);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("bind address is not an address: " + bindAddress);
        }
        requirePort("ice port", icePort);
        if (ringSize < 16 || Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("ring size must be a power of two >= 16: " + ringSize);
        }
        requireRange("max datagram bytes", maxDatagramBytes, 576, 65_507);
        requireRange("socket buffer bytes", socketBufferBytes, 65_536, Integer.MAX_VALUE);
        if (!THREADINGS.contains(threading))
        {
            throw new IllegalArgumentException("engine threading must be one of " + THREADINGS + ": " + threading);
        }
        if (!WAIT_STRATEGIES.contains(waitStrategy))
        {
            throw new IllegalArgumentException("wait strategy must be one of " + WAIT_STRATEGIES + ": " + waitStrategy);
        }
        requireRange("tick interval ms", tickIntervalMs, 1, 10_000);
        requireRange("ice peer timeout ms", icePeerTimeoutMs, 100, 86_400_000);
        requireRange("ice max domains", iceMaxDomains, 16, 100_000_000);
        requireRange("ice query rate", iceQueryRate, 1, 1_000_000);
        requireRange("ice query burst", iceQueryBurst, 1, 1_000_000);
        requireRange("ice verify rate", iceVerifyRate, 1, 1_000_000);
        requireRange("ice verify burst", iceVerifyBurst, 1, 1_000_000);
        requirePowerOfTwo("rate limit slots", rateLimitSlots);
        requirePowerOfTwo("sequence slots", sequenceSlots);
        if (metaverseUrl != null)
        {
            final URI uri = URI.create(metaverseUrl);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
            {
                throw new IllegalArgumentException("metaverse url must be http or https: " + metaverseUrl);
            }
        }
        requireRange("key fetch timeout ms", keyFetchTimeoutMs, 100, 600_000);
        requireRange("key fetch backoff ms", keyFetchBackoffMs, 10, 3_600_000);
        requireRange("key fetch max backoff ms", keyFetchMaxBackoffMs, keyFetchBackoffMs, 86_400_000);
        requireRange("key fetch rate", keyFetchRate, 1, 1_000_000);
        requireRange("key fetch rate per host", keyFetchRatePerHost, 1, 1_000_000);
        if (!ICE_VERIFY_PROVIDERS.contains(iceVerifyProvider))
        {
            throw new IllegalArgumentException(
                "ice verify provider must be one of " + ICE_VERIFY_PROVIDERS + ": " + iceVerifyProvider);
        }
        requireRange("ice peer info rate", icePeerInfoRate, 1, 1_000_000);
        return this;
    }

    private static void requirePort(final String name, final int port)
    {
        requireRange(name, port, 0, 65_535);
    }

    private static void requireRange(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    private static void requirePowerOfTwo(final String name, final int value)
    {
        if (value < 2 || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(name + " must be a power of two: " + value);
        }
    }

    public String bindAddress() { return bindAddress; }
    public EngineContext bindAddress(final String value) { bindAddress = value; return this; }
    public int icePort() { return icePort; }
    public EngineContext icePort(final int value) { icePort = value; return this; }
    public int ringSize() { return ringSize; }
    public EngineContext ringSize(final int value) { ringSize = value; return this; }
    public int maxDatagramBytes() { return maxDatagramBytes; }
    public EngineContext maxDatagramBytes(final int value) { maxDatagramBytes = value; return this; }
    public int socketBufferBytes() { return socketBufferBytes; }
    public EngineContext socketBufferBytes(final int value) { socketBufferBytes = value; return this; }
    public String threading() { return threading; }
    public EngineContext threading(final String value) { threading = value; return this; }
    public String waitStrategy() { return waitStrategy; }
    public EngineContext waitStrategy(final String value) { waitStrategy = value; return this; }
    public long tickIntervalMs() { return tickIntervalMs; }
    public EngineContext tickIntervalMs(final long value) { tickIntervalMs = value; return this; }
    public long icePeerTimeoutMs() { return icePeerTimeoutMs; }
    public EngineContext icePeerTimeoutMs(final long value) { icePeerTimeoutMs = value; return this; }
    public int iceMaxDomains() { return iceMaxDomains; }
    public EngineContext iceMaxDomains(final int value) { iceMaxDomains = value; return this; }
    public int iceQueryRate() { return iceQueryRate; }
    public EngineContext iceQueryRate(final int value) { iceQueryRate = value; return this; }
    public int iceQueryBurst() { return iceQueryBurst; }
    public EngineContext iceQueryBurst(final int value) { iceQueryBurst = value; return this; }
    public int iceVerifyRate() { return iceVerifyRate; }
    public EngineContext iceVerifyRate(final int value) { iceVerifyRate = value; return this; }
    public int iceVerifyBurst() { return iceVerifyBurst; }
    public EngineContext iceVerifyBurst(final int value) { iceVerifyBurst = value; return this; }
    public int rateLimitSlots() { return rateLimitSlots; }
    public EngineContext rateLimitSlots(final int value) { rateLimitSlots = value; return this; }
    public int sequenceSlots() { return sequenceSlots; }
    public EngineContext sequenceSlots(final int value) { sequenceSlots = value; return this; }
    public String metaverseUrl() { return metaverseUrl; }
    public EngineContext metaverseUrl(final String value) { metaverseUrl = value; return this; }
    public long keyFetchTimeoutMs() { return keyFetchTimeoutMs; }
    public EngineContext keyFetchTimeoutMs(final long value) { keyFetchTimeoutMs = value; return this; }
    public long keyFetchBackoffMs() { return keyFetchBackoffMs; }
    public EngineContext keyFetchBackoffMs(final long value) { keyFetchBackoffMs = value; return this; }
    public long keyFetchMaxBackoffMs() { return keyFetchMaxBackoffMs; }
    public EngineContext keyFetchMaxBackoffMs(final long value) { keyFetchMaxBackoffMs = value; return this; }
    public int keyFetchRate() { return keyFetchRate; }
    public EngineContext keyFetchRate(final int value) { keyFetchRate = value; return this; }
    public int keyFetchRatePerHost() { return keyFetchRatePerHost; }
    public EngineContext keyFetchRatePerHost(final int value) { keyFetchRatePerHost = value; return this; }
    public String iceVerifyProvider() { return iceVerifyProvider; }
    public EngineContext iceVerifyProvider(final String value) { iceVerifyProvider = value; return this; }
    public int icePeerInfoRate() { return icePeerInfoRate; }
    public EngineContext icePeerInfoRate(final int value) { icePeerInfoRate = value; return this; }
    /** {@code UUID:BASE64_SPKI} entries from the operator. */
    public List<String> domainKeys() { return domainKeys; }
    public EngineContext addDomainKey(final String value) { domainKeys.add(value); return this; }
}
