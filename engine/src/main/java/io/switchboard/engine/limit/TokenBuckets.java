package io.switchboard.engine.limit;

/**
 * A fixed array of token buckets indexed by a hash of the source host. Hosts whose hashes collide share a bucket
 * instead of resetting each other's, so spoofing a colliding address never buys a fresh burst. Bounded memory,
 * allocation-free; single-threaded (the owner's thread).
 */
public final class TokenBuckets
{
    private static final long MILLI_TOKENS = 1_000;

    private final long[] milliTokens;
    private final long[] lastRefillMs;
    private final int mask;
    private final long ratePerSecond;
    private final long capacityMilliTokens;

    /** @param slots power of two; @param ratePerSecond refill; @param burst bucket size */
    public TokenBuckets(final int slots, final int ratePerSecond, final int burst)
    {
        if (Integer.bitCount(slots) != 1)
        {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        this.milliTokens = new long[slots];
        this.lastRefillMs = new long[slots];
        this.mask = slots - 1;
        this.ratePerSecond = ratePerSecond;
        this.capacityMilliTokens = burst * MILLI_TOKENS;
        java.util.Arrays.fill(milliTokens, capacityMilliTokens);
    }

    /** Takes one token from {@code host}'s bucket at {@code nowMs}; false when it is empty. */
    public boolean tryAcquire(final long host, final long nowMs)
    {
        final int slot = index(host);
        final long elapsedMs = nowMs - lastRefillMs[slot];
        long tokens = milliTokens[slot];
        if (elapsedMs > 0)
        {
            // rate tokens/s = rate milli-tokens/ms
            tokens = Math.min(capacityMilliTokens, tokens + Math.min(elapsedMs, 86_400_000L) * ratePerSecond);
            lastRefillMs[slot] = nowMs;
        }
        if (tokens < MILLI_TOKENS)
        {
            milliTokens[slot] = tokens;
            return false;
        }
        milliTokens[slot] = tokens - MILLI_TOKENS;
        return true;
    }

    private int index(final long host)
    {
        long h = host * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 29;
        return (int)h & mask;
    }
}
