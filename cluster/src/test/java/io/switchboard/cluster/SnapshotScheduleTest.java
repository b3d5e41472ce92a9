package io.switchboard.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snapshot rhythm over a fake clock: due exactly one interval after the last snapshot, never early. */
class SnapshotScheduleTest
{
    private static final long INTERVAL_MS = 1_000;
    private static final long RETRY_MS = 300;

    private final SnapshotSchedule schedule = new SnapshotSchedule(INTERVAL_MS, RETRY_MS);

    @Test
    void aLeaderWithoutSnapshotsAsksOneIntervalAfterItBecameLeaderAndNotBefore()
    {
        assertFalse(schedule.due(5_000, true, 0));
        assertFalse(schedule.due(5_999, true, 0));
        assertTrue(schedule.due(6_000, true, 0));
    }

    @Test
    void theNextSnapshotIsDueOneIntervalAfterTheLastOneTakenNotAfterTheRequest()
    {
        schedule.due(0, true, 0);
        assertTrue(schedule.due(1_000, true, 0));
        schedule.requested(1_000);
        assertFalse(schedule.due(1_020, true, 1_010));
        assertFalse(schedule.due(2_009, true, 1_010));
        assertTrue(schedule.due(2_010, true, 1_010));
    }

    @Test
    void aRequestNotSeenAsASnapshotIsRepeatedAfterTheRetryDelay()
    {
        schedule.due(0, true, 0);
        schedule.requested(1_000);
        assertFalse(schedule.due(1_299, true, 0));
        assertTrue(schedule.due(1_300, true, 0));
    }

    @Test
    void aFollowerNeverAsksAndANewLeaderKeepsTheRhythmOfTheSnapshotsItHolds()
    {
        assertFalse(schedule.due(10_000, false, 1_000));
        assertEquals(Long.MAX_VALUE, schedule.dueAtMs(10_000, false, 1_000));
        assertEquals(7_010, schedule.dueAtMs(7_500, true, 6_010));
        assertFalse(schedule.due(8_009, true, 7_010));
        assertTrue(schedule.due(8_010, true, 7_010));
    }

    @Test
    void anIntervalOfZeroTurnsSchedulingOff()
    {
        final SnapshotSchedule off = new SnapshotSchedule(0, 0);
        assertFalse(off.due(Long.MAX_VALUE / 4, true, 0));
    }
}
