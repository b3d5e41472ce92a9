package io.switchboard.engine.pipeline;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The handler's one timer wheel on a fake clock: each timer fires at the first poll at or after its deadline, never
 * before; the tests record the poll time each one fired at.
 */
class EngineTimersTest
{
    private static final long START_MS = 1_700_000_000_000L;

    private final EngineTimers timers = new EngineTimers(START_MS);
    /** Fired timers' keys and the poll time they fired at, in order. */
    private final List<Integer> firedKeys = new ArrayList<>();
    private final List<Long> firedAtMs = new ArrayList<>();
    private final EngineTimers.Owner owner = timers.register(this::record);

    private void record(final long timerId, final int key, final long nowMs)
    {
        firedKeys.add(key);
        firedAtMs.add(nowMs);
    }

    @Test
    void aTimerFiresAtTheFirstPollAtOrAfterItsDeadlineNeverBefore()
    {
        owner.schedule(START_MS + 30_500, 7);
        for (long now = START_MS; now <= START_MS + 31_000; now++)
        {
            timers.poll(now);
        }
        assertEquals(List.of(7), firedKeys);
        assertEquals(List.of(START_MS + 30_500), firedAtMs);
        assertEquals(0, timers.timerCount());
    }

    @Test
    void pollsEveryMillisecondFireEachOfManyDeadlinesOverSeveralLapsExactlyAtIt()
    {
        final Random random = new Random(13);
        final long[] due = new long[512];
        for (int key = 0; key < due.length; key++)
        {
            due[key] = START_MS + 1 + random.nextInt(60_000);
            owner.schedule(due[key], key);
        }
        for (long now = START_MS; now <= START_MS + 60_001; now++)
        {
            timers.poll(now);
        }
        assertEquals(due.length, firedKeys.size());
        for (int i = 0; i < firedKeys.size(); i++)
        {
            assertEquals(due[firedKeys.get(i)], firedAtMs.get(i), "timer " + firedKeys.get(i));
        }
    }

    @Test
    void pollsOnlyEveryHundredMillisecondsFireEachDeadlineWithinOneOfThem()
    {
        final long pollEveryMs = 100;
        final Random random = new Random(17);
        final long[] due = new long[512];
        for (int key = 0; key < due.length; key++)
        {
            due[key] = START_MS + 1 + random.nextInt(60_000);
            owner.schedule(due[key], key);
        }
        for (long now = START_MS + 7; now <= START_MS + 60_200; now += pollEveryMs)
        {
            timers.poll(now);
        }
        assertEquals(due.length, firedKeys.size());
        for (int i = 0; i < firedKeys.size(); i++)
        {
            final long deadline = due[firedKeys.get(i)];
            assertTrue(firedAtMs.get(i) >= deadline, "timer " + firedKeys.get(i) + " fired early");
            assertTrue(firedAtMs.get(i) < deadline + pollEveryMs, "timer " + firedKeys.get(i) + " fired late");
        }
    }

    @Test
    void aCancelledTimerNeverFiresAndNoTimerIsNothingToCancel()
    {
        final long cancelled = owner.schedule(START_MS + 5_000, 1);
        owner.schedule(START_MS + 5_000, 2);
        owner.cancel(cancelled);
        owner.cancel(cancelled);
        owner.cancel(EngineTimers.NO_TIMER);
        timers.poll(START_MS + 10_000);
        assertEquals(List.of(2), firedKeys);
    }

    @Test
    void aDeadlineAlreadyPassedWhenScheduledFiresAtTheNextPoll()
    {
        owner.schedule(START_MS - 3_600_000, 1);
        timers.poll(START_MS);
        assertEquals(List.of(START_MS), firedAtMs);
    }

    @Test
    void aPollAfterAClockJumpOfManyLapsFiresEveryPassedDeadlineAndKeepsTheRest()
    {
        for (int key = 0; key < 1_000; key++)
        {
            owner.schedule(START_MS + key * 1_000L, key);
        }
        owner.schedule(START_MS + 86_400_000L * 10, -1);
        final long jumpedTo = START_MS + 86_400_000L;
        assertEquals(1_000, timers.poll(jumpedTo));
        assertTrue(firedAtMs.stream().allMatch(at -> at == jumpedTo));
        assertEquals(1, timers.timerCount());
        timers.poll(START_MS + 86_400_000L * 10 - 1);
        assertEquals(1_000, firedKeys.size(), "the far timer fired early");
        timers.poll(START_MS + 86_400_000L * 10);
        assertEquals(-1, firedKeys.get(1_000));
    }

    @Test
    void aDueTimerScheduledFromAnExpiryFiresInTheSamePollWithinTheCurrentTick()
    {
        final EngineTimers.Owner[] self = new EngineTimers.Owner[1];
        self[0] = timers.register((timerId, key, nowMs) ->
        {
            record(timerId, key, nowMs);
            if (key < 3)
            {
                self[0].schedule(nowMs - 1, key + 1);
            }
        });
        self[0].schedule(START_MS + 5, 0);
        timers.poll(START_MS + 5);
        assertEquals(List.of(0, 1, 2, 3), firedKeys);
        assertEquals(List.of(START_MS + 5, START_MS + 5, START_MS + 5, START_MS + 5), firedAtMs);
    }

    @Test
    void aPassedTimerScheduledFromAnExpiryWhileCatchingUpFiresInTheSamePoll()
    {
        final EngineTimers.Owner[] self = new EngineTimers.Owner[1];
        self[0] = timers.register((timerId, key, nowMs) ->
        {
            record(timerId, key, nowMs);
            if (key == 0)
            {
                // Like a pulse client turning PENDING from a deadline long past: its next deadline has passed too.
                self[0].schedule(START_MS + 2_000, 1);
            }
        });
        self[0].schedule(START_MS + 1_000, 0);
        final long stalledUntil = START_MS + 10_000;
        timers.poll(stalledUntil);
        assertEquals(List.of(0, 1), firedKeys);
        assertEquals(List.of(stalledUntil, stalledUntil), firedAtMs);
    }

    @Test
    void afterAJumpOfManyLapsAPassedTimerScheduledFromAnExpiryFiresInTheSamePollWhateverSpokeItFallsIn()
    {
        final long jumpedTo = START_MS + 86_400_000L;
        final EngineTimers.Owner[] self = new EngineTimers.Owner[1];
        self[0] = timers.register((timerId, key, nowMs) ->
        {
            record(timerId, key, nowMs);
            if (key < 64)
            {
                self[0].schedule(jumpedTo - 1 - key * 997L, key + 1);
            }
        });
        self[0].schedule(START_MS + 1_000, 0);
        self[0].schedule(jumpedTo + 1, 100);
        timers.poll(jumpedTo);
        assertEquals(65, firedKeys.size());
        assertTrue(firedAtMs.stream().allMatch(at -> at == jumpedTo));
        timers.poll(jumpedTo + 1);
        assertEquals(100, firedKeys.get(65));
    }

    @Test
    void aFutureTimerScheduledFromAnExpiryFiresAtItsOwnDeadline()
    {
        final EngineTimers.Owner[] self = new EngineTimers.Owner[1];
        self[0] = timers.register((timerId, key, nowMs) ->
        {
            record(timerId, key, nowMs);
            if (key == 0)
            {
                self[0].schedule(nowMs + 3, 1);
            }
        });
        self[0].schedule(START_MS + 10, 0);
        for (long now = START_MS; now <= START_MS + 100; now++)
        {
            timers.poll(now);
        }
        assertEquals(List.of(START_MS + 10, START_MS + 13), firedAtMs);
    }

    @Test
    void eachOwnerIsHandedItsOwnTimersWithTheirKeys()
    {
        final List<Integer> other = new ArrayList<>();
        final EngineTimers.Owner second = timers.register((timerId, key, nowMs) -> other.add(key));
        owner.schedule(START_MS + 100, 11);
        second.schedule(START_MS + 100, 22);
        second.schedule(START_MS + 200, Integer.MIN_VALUE);
        timers.poll(START_MS + 500);
        assertEquals(List.of(11), firedKeys);
        assertEquals(java.util.Set.of(22, Integer.MIN_VALUE), java.util.Set.copyOf(other));
    }

    @Test
    void aPollHandsOverAtMostItsLimitAndTheRestAtTheNextPoll()
    {
        final int timers = EngineTimers.EXPIRIES_PER_POLL + 100;
        for (int key = 0; key < timers; key++)
        {
            owner.schedule(START_MS + 16 * (key % 64), key);
        }
        assertEquals(EngineTimers.EXPIRIES_PER_POLL, this.timers.poll(START_MS + 5_000));
        assertEquals(100, this.timers.poll(START_MS + 5_001));
        assertEquals(timers, firedKeys.stream().distinct().count());
    }
}
