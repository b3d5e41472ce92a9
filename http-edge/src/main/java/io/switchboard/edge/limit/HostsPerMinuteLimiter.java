package io.switchboard.edge.limit;

import io.switchboard.engine.limit.TokenBuckets;
import io.switchboard.engine.wire.SocketAddresses;

import java.net.InetSocketAddress;

/**
 * Actions per source host and minute (domains created, pulse clients registered): a token bucket per host, for the
 * edge's HTTP threads. Thread-safe.
 */
public final class HostsPerMinuteLimiter
{
    private static final long MS_PER_MINUTE_OVER_MS_PER_SECOND = 60;

    private final TokenBuckets buckets;

    /** @param slots power of two; hosts whose hashes collide share a bucket */
    public HostsPerMinuteLimiter(final int slots, final int perMinute, final int burst)
    {
        buckets = new TokenBuckets(slots, perMinute, burst);
    }

    /** Takes one token from the source host's bucket; false when it is empty. A missing source counts as one host. */
    public synchronized boolean tryAcquire(final InetSocketAddress source, final long nowMs)
    {
        final long host = source == null ? 0 : SocketAddresses.hostFingerprint(source.getAddress());
        // TokenBuckets refills per second; a clock running 60 times slower makes that per minute.
        return buckets.tryAcquire(host, nowMs / MS_PER_MINUTE_OVER_MS_PER_SECOND);
    }
}
