package io.switchboard.engine.limit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TokenBucketsTest
{
    @Test
    void burstIsGrantedThenRefillsAtTheRate()
    {
        final TokenBuckets buckets = new TokenBuckets(16, 10, 3);
        assertTrue(buckets.tryAcquire(42, 1_000));
        assertTrue(buckets.tryAcquire(42, 1_000));
        assertTrue(buckets.tryAcquire(42, 1_000));
        assertFalse(buckets.tryAcquire(42, 1_000));
        assertFalse(buckets.tryAcquire(42, 1_050), "half a token after 50 ms at 10/s");
        assertTrue(buckets.tryAcquire(42, 1_100), "one token after 100 ms at 10/s");
        assertFalse(buckets.tryAcquire(42, 1_100));
        assertTrue(buckets.tryAcquire(42, 60_000));
        assertTrue(buckets.tryAcquire(42, 60_000));
        assertTrue(buckets.tryAcquire(42, 60_000));
        assertFalse(buckets.tryAcquire(42, 60_000), "refill is capped at the burst");
    }

    @Test
    void hostsHaveTheirOwnBuckets()
    {
        final TokenBuckets buckets = new TokenBuckets(1 << 16, 1, 1);
        assertTrue(buckets.tryAcquire(1, 0));
        assertFalse(buckets.tryAcquire(1, 0));
        assertTrue(buckets.tryAcquire(2, 0));
    }

    @Test
    void slotsMustBeAPowerOfTwo()
    {
        assertThrows(IllegalArgumentException.class, () -> new TokenBuckets(1000, 1, 1));
    }
}
