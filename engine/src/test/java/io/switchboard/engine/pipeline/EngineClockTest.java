package io.switchboard.engine.pipeline;

import org.agrona.concurrent.EpochClock;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's default clock: on the epoch at start, then advanced by the monotonic clock only. */
class EngineClockTest
{
    @Test
    void startsOnTheWallClockAndAdvancesWithTheMonotonicClock()
    {
        final long wallBefore = System.currentTimeMillis();
        final EpochClock clock = EngineClock.monotonicEpochClock();
        final long start = clock.time();
        final long wallAfter = System.currentTimeMillis();
        assertTrue(start >= wallBefore - 1 && start <= wallAfter + 1, start + " vs wall " + wallBefore);

        final long nanosBefore = System.nanoTime();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanosBefore);
        final long advancedMs = clock.time() - start;
        assertTrue(advancedMs >= elapsedMs - 1 && advancedMs <= elapsedMs + 20,
            "advanced " + advancedMs + " ms over " + elapsedMs + " ms of System.nanoTime");
    }

    @Test
    void neverGoesBackwards()
    {
        final EngineClock clock = new EngineClock();
        long last = clock.nowMs();
        for (int i = 0; i < 100_000; i++)
        {
            clock.update();
            assertTrue(clock.nowMs() >= last);
            last = clock.nowMs();
        }
    }

    @Test
    void anInjectedSourceIsReadOncePerUpdate()
    {
        final long[] now = {1_000};
        final EngineClock clock = new EngineClock(() -> now[0]);
        now[0] = 2_000;
        assertEquals(1_000, clock.nowMs(), "read at construction, not per call");
        clock.update();
        assertEquals(2_000, clock.nowMs());
    }
}
