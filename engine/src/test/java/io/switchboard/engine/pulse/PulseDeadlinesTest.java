package io.switchboard.engine.pulse;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The deadline wheel: one deadline per client slot, handed over at the first poll at or after it, never before. */
class PulseDeadlinesTest
{
    private static final long TICK_MS = 1_000;
    private static final long START_MS = 1_700_000_000_000L;

    private final List<Integer> fired = new ArrayList<>();
    private final PulseDeadlines.Expiry record = (slot, deadline) -> fired.add(slot);

    @Test
    void deadlineIsDueOnceNowReachesIt()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(16, TICK_MS, 300_000, START_MS);
        final int slot = deadlines.allocate(1, 2);
        deadlines.schedule(slot, START_MS + 30_500);
        assertEquals(0, deadlines.poll(START_MS + 30_000, record, 100));
        assertEquals(0, deadlines.poll(START_MS + 30_499, record, 100));
        assertEquals(1, deadlines.poll(START_MS + 30_500, record, 100), "due although its tick has not passed");
        assertEquals(List.of(slot), fired);
        assertFalse(deadlines.isScheduled(slot));
        assertEquals(1, deadlines.clientMsb(slot));
        assertEquals(2, deadlines.clientLsb(slot));
    }

    @Test
    void pollsEveryMillisecondHandEachDeadlineOverExactlyAtIt()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(256, 16, 300_000, START_MS);
        final long[] firedAt = new long[256];
        final long[] now = new long[1];
        final PulseDeadlines.Expiry at = (slot, deadline) -> firedAt[slot] = now[0];
        final java.util.Random random = new java.util.Random(13);
        final long[] due = new long[256];
        for (int i = 0; i < 256; i++)
        {
            final int slot = deadlines.allocate(i, i);
            due[slot] = START_MS + 1 + random.nextInt(40_000);
            deadlines.schedule(slot, due[slot]);
        }
        for (now[0] = START_MS; now[0] <= START_MS + 40_001; now[0]++)
        {
            deadlines.poll(now[0], at, 1_000);
        }
        for (int slot = 0; slot < 256; slot++)
        {
            assertEquals(due[slot], firedAt[slot], "slot " + slot);
        }
    }

    @Test
    void pollsOnlyEveryEngineTickHandEachDeadlineOverWithinOneOfThem()
    {
        final long engineTickMs = 100;
        final PulseDeadlines deadlines = new PulseDeadlines(256, TICK_MS, 300_000, START_MS);
        final long[] firedAt = new long[256];
        final long[] now = new long[1];
        final PulseDeadlines.Expiry at = (slot, deadline) -> firedAt[slot] = now[0];
        final java.util.Random random = new java.util.Random(17);
        final long[] due = new long[256];
        for (int i = 0; i < 256; i++)
        {
            final int slot = deadlines.allocate(i, i);
            due[slot] = START_MS + 1 + random.nextInt(40_000);
            deadlines.schedule(slot, due[slot]);
        }
        for (now[0] = START_MS + 7; now[0] <= START_MS + 40_200; now[0] += engineTickMs)
        {
            deadlines.poll(now[0], at, 1_000);
        }
        for (int slot = 0; slot < 256; slot++)
        {
            assertTrue(firedAt[slot] >= due[slot], "slot " + slot + " fired early");
            assertTrue(firedAt[slot] < due[slot] + engineTickMs, "slot " + slot + " fired over a tick late");
        }
    }

    @Test
    void reschedulingMovesTheOneDeadline()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(16, TICK_MS, 300_000, START_MS);
        final int slot = deadlines.allocate(1, 2);
        deadlines.schedule(slot, START_MS + 30_000);
        deadlines.schedule(slot, START_MS + 60_000);
        assertEquals(0, deadlines.poll(START_MS + 45_000, record, 100));
        assertEquals(1, deadlines.poll(START_MS + 61_000, record, 100));
        assertEquals(List.of(slot), fired);
    }

    @Test
    void cancelledAndFreedSlotsNeverFire()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(16, TICK_MS, 300_000, START_MS);
        final int a = deadlines.allocate(1, 1);
        final int b = deadlines.allocate(2, 2);
        deadlines.schedule(a, START_MS + 5_000);
        deadlines.schedule(b, START_MS + 5_000);
        deadlines.cancel(a);
        deadlines.free(b);
        assertEquals(0, deadlines.poll(START_MS + 10_000, record, 100));
        assertEquals(1, deadlines.size());
    }

    @Test
    void passedDeadlinesFireAtTheNextPoll()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(16, TICK_MS, 300_000, START_MS);
        final int slot = deadlines.allocate(1, 1);
        deadlines.schedule(slot, START_MS - 3_600_000);
        assertEquals(1, deadlines.poll(START_MS + 1_000, record, 100));
    }

    @Test
    void deadlinesBeyondOneLapWaitForTheirLap()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(16, TICK_MS, 10_000, START_MS);
        final int slot = deadlines.allocate(1, 1);
        final long far = START_MS + 100L * deadlines.spokes() * TICK_MS;
        deadlines.schedule(slot, far);
        for (long now = START_MS; now < far; now += TICK_MS)
        {
            assertEquals(0, deadlines.poll(now, record, 100));
        }
        assertEquals(1, deadlines.poll(far + TICK_MS, record, 100));
    }

    @Test
    void aClockJumpOfManyLapsCatchesUpInOnePass()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(1_024, TICK_MS, 300_000, START_MS);
        for (int i = 0; i < 1_000; i++)
        {
            deadlines.schedule(deadlines.allocate(i, i), START_MS + i * 1_000L);
        }
        final int late = deadlines.allocate(-1, -1);
        deadlines.schedule(late, START_MS + 86_400_000L * 10);
        assertEquals(1_000, deadlines.poll(START_MS + 86_400_000L, record, 10_000));
        assertTrue(deadlines.isScheduled(late));
    }

    @Test
    void theLimitLeavesTheRestDueForTheNextPoll()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(100, TICK_MS, 300_000, START_MS);
        for (int i = 0; i < 100; i++)
        {
            deadlines.schedule(deadlines.allocate(i, i), START_MS + 2_000);
        }
        assertEquals(30, deadlines.poll(START_MS + 5_000, record, 30));
        assertEquals(30, deadlines.poll(START_MS + 5_000, record, 30));
        assertEquals(40, deadlines.poll(START_MS + 5_000, record, 100));
        assertEquals(100, fired.stream().distinct().count());
    }

    @Test
    void theExpiryHandlerMayRescheduleTheSlotItIsGiven()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(16, TICK_MS, 300_000, START_MS);
        final int slot = deadlines.allocate(1, 1);
        deadlines.schedule(slot, START_MS + 1_000);
        final PulseDeadlines.Expiry toPending = (s, deadline) ->
        {
            fired.add(s);
            if (fired.size() == 1)
            {
                deadlines.schedule(s, deadline + 180_000);
            }
        };
        assertEquals(1, deadlines.poll(START_MS + 2_000, toPending, 100));
        assertEquals(0, deadlines.poll(START_MS + 180_000, toPending, 100));
        assertEquals(1, deadlines.poll(START_MS + 182_000, toPending, 100));
        assertEquals(2, fired.size());
    }

    @Test
    void everySlotCanBeTakenThenNoneIsLeft()
    {
        final PulseDeadlines deadlines = new PulseDeadlines(16, TICK_MS, 300_000, START_MS);
        for (int i = 0; i < 16; i++)
        {
            assertNotEquals(PulseDeadlines.NONE, deadlines.allocate(i, i));
        }
        assertEquals(PulseDeadlines.NONE, deadlines.allocate(99, 99));
        deadlines.free(3);
        assertEquals(3, deadlines.allocate(99, 99));
    }
}
