package io.switchboard.edge.peerjs;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** When the PeerJS wheel fires a deadline, on a fake clock: at the first tick start at or after it, never before. */
class DeadlineWheelClockTest
{
    private static final long TICK_MS = 100;
    private static final long START_MS = 5_000_000;

    private final CachedEpochClock clock = new CachedEpochClock();

    /** Remembers when it fired, and optionally asks to be called again a while later. */
    private static final class Recorded extends DeadlineWheel.Deadline
    {
        private final long againAfterMs;
        long firedAtMs = -1;
        int calls;

        Recorded(final long againAfterMs)
        {
            this.againAfterMs = againAfterMs;
        }

        @Override
        long expire(final long nowMs)
        {
            firedAtMs = nowMs;
            calls++;
            return calls == 1 && againAfterMs > 0 ? nowMs + againAfterMs : DeadlineWheel.NONE;
        }
    }

    @Test
    void eachDeadlineFiresAtTheFirstTickStartAtOrAfterIt()
    {
        clock.update(START_MS);
        final DeadlineWheel wheel = new DeadlineWheel(TICK_MS, clock, new Liveness(new Metrics()).register("deadlines"));
        final Random random = new Random(42);
        final Recorded[] deadlines = new Recorded[500];
        final long[] due = new long[deadlines.length];
        for (int i = 0; i < deadlines.length; i++)
        {
            deadlines[i] = new Recorded(0);
            due[i] = START_MS + random.nextInt(120_000);
            wheel.schedule(deadlines[i], due[i]);
        }
        for (long now = START_MS; now <= START_MS + 121_000; now++)
        {
            wheel.poll(now);
        }
        for (int i = 0; i < deadlines.length; i++)
        {
            assertTrue(deadlines[i].firedAtMs >= due[i], "deadline " + i + " fired early");
            assertTrue(deadlines[i].firedAtMs - due[i] < TICK_MS, "deadline " + i + " fired over a tick late");
            assertEquals(0, deadlines[i].firedAtMs % TICK_MS, "deadline " + i + " fired off a tick start");
        }
    }

    @Test
    void theThreadSleepsUntilTheNextTickStartAndAPollThereFiresWhatIsDue()
    {
        clock.update(START_MS + 30);
        final DeadlineWheel wheel = new DeadlineWheel(TICK_MS, clock, new Liveness(new Metrics()).register("deadlines"));
        final Recorded deadline = new Recorded(0);
        wheel.schedule(deadline, START_MS + 250);
        assertEquals(70, wheel.poll(START_MS + 30));
        assertEquals(100, wheel.poll(START_MS + 100));
        assertEquals(100, wheel.poll(START_MS + 200));
        assertEquals(-1, deadline.firedAtMs);
        assertEquals(100, wheel.poll(START_MS + 300));
        assertEquals(START_MS + 300, deadline.firedAtMs);
    }

    @Test
    void aDeadlineAskingToBeCalledAgainFiresAgainWithinATickOfItsNewDeadline()
    {
        clock.update(START_MS);
        final DeadlineWheel wheel = new DeadlineWheel(TICK_MS, clock, new Liveness(new Metrics()).register("deadlines"));
        final Recorded deadline = new Recorded(60_000);
        wheel.schedule(deadline, START_MS + 5_000);
        long firstMs = -1;
        for (long now = START_MS; now <= START_MS + 70_000; now += TICK_MS)
        {
            wheel.poll(now);
            if (firstMs < 0 && deadline.calls == 1)
            {
                firstMs = now;
            }
        }
        assertEquals(START_MS + 5_000, firstMs);
        assertEquals(2, deadline.calls);
        assertEquals(START_MS + 65_000, deadline.firedAtMs);
    }

    @Test
    void aDeadlineMoreThanOneLapAheadWaitsForItsLap()
    {
        clock.update(START_MS);
        final DeadlineWheel wheel = new DeadlineWheel(TICK_MS, clock, new Liveness(new Metrics()).register("deadlines"));
        final Recorded deadline = new Recorded(0);
        final long due = START_MS + 3 * 1024 * TICK_MS + 50;
        wheel.schedule(deadline, due);
        for (long now = START_MS; now < due; now += TICK_MS)
        {
            wheel.poll(now);
            assertEquals(-1, deadline.firedAtMs, "fired early at " + now);
        }
        wheel.poll(due + TICK_MS - 50);
        assertEquals(due + TICK_MS - 50, deadline.firedAtMs);
    }

    @Test
    void aLatePollAfterAStallFiresEveryOverdueDeadlineAtOnce()
    {
        clock.update(START_MS);
        final DeadlineWheel wheel = new DeadlineWheel(TICK_MS, clock, new Liveness(new Metrics()).register("deadlines"));
        final Recorded early = new Recorded(0);
        final Recorded later = new Recorded(0);
        wheel.schedule(early, START_MS + 1_000);
        wheel.schedule(later, START_MS + 9_000);
        wheel.poll(START_MS + 10_000);
        assertEquals(START_MS + 10_000, early.firedAtMs);
        assertEquals(START_MS + 10_000, later.firedAtMs);
    }
}
