package io.switchboard.edge.metaverse;

import io.switchboard.engine.limit.TokenBuckets;
import io.switchboard.engine.wire.SocketAddresses;

import java.net.InetSocketAddress;

/** Temporary domains created per source host: a token bucket per host, refilled per minute. Thread-safe. */
final class TemporaryDomainLimiter
{
    private static final long MS_PER_MINUTE_OVER_MS_PER_SECOND = 60;

    private final TokenBuckets buckets;

    TemporaryDomainLimiter(final int slots, final int perMinute, final int burst)
    {
        buckets = new TokenBuckets(slots, perMinute, burst);
    }

    synchronized boolean tryAcquire(final InetSocketAddress source, final long nowMs)
    {
        final long host = source == null ? 0 : SocketAddresses.hostFingerprint(source.getAddress());
        // TokenBuckets refills per second; a clock running 60 times slower makes that per minute.
        return buckets.tryAcquire(host, nowMs / MS_PER_MINUTE_OVER_MS_PER_SECOND);
    }
}
