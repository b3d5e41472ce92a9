package io.switchboard.edge.peerjs;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deadlines fire once due, never before, and may ask to be called again. */
class DeadlineWheelTest
{
    private static Watch watch()
    {
        return new Liveness(new Metrics()).register("test-deadlines");
    }

    @Test
    void deadlinesFireNeverEarlyAndCanReschedule() throws Exception
    {
        try (DeadlineWheel wheel = new DeadlineWheel(10, "test-deadlines", watch()))
        {
            final int count = 200;
            final CountDownLatch fired = new CountDownLatch(count);
            final AtomicInteger early = new AtomicInteger();
            final long start = DeadlineWheel.nowMs();
            for (int i = 0; i < count; i++)
            {
                final long due = start + 5 + i * 3L;
                wheel.schedule(new DeadlineWheel.Deadline()
                {
                    @Override
                    long expire(final long nowMs)
                    {
                        if (nowMs < due || DeadlineWheel.nowMs() < due)
                        {
                            early.incrementAndGet();
                        }
                        fired.countDown();
                        return DeadlineWheel.NONE;
                    }
                }, due);
            }
            final CountDownLatch again = new CountDownLatch(3);
            wheel.schedule(new DeadlineWheel.Deadline()
            {
                @Override
                long expire(final long nowMs)
                {
                    again.countDown();
                    return again.getCount() == 0 ? DeadlineWheel.NONE : nowMs + 20;
                }
            }, start + 20);
            assertTrue(fired.await(10, TimeUnit.SECONDS));
            assertTrue(again.await(10, TimeUnit.SECONDS));
            assertEquals(0, early.get());
        }
    }

    @Test
    void aDeadlineBeyondOneTurnOfTheWheelWaitsForItsRound() throws Exception
    {
        try (DeadlineWheel wheel = new DeadlineWheel(1, "test-deadlines", watch()))
        {
            final long due = DeadlineWheel.nowMs() + 1500;
            final CountDownLatch fired = new CountDownLatch(1);
            final long[] at = new long[1];
            wheel.schedule(new DeadlineWheel.Deadline()
            {
                @Override
                long expire(final long nowMs)
                {
                    at[0] = nowMs;
                    fired.countDown();
                    return DeadlineWheel.NONE;
                }
            }, due);
            assertTrue(fired.await(10, TimeUnit.SECONDS));
            assertTrue(at[0] >= due, "fired " + (due - at[0]) + " ms early");
        }
    }
}
