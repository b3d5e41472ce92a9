package io.switchboard.cluster;

/**
 * When the leader asks for the next snapshot: {@code intervalMs} after the latest snapshot this node holds (every
 * member takes the snapshot the leader asks for, so a new leader continues the old one's rhythm), or after it became
 * leader when there is none; a request not yet seen as a snapshot is repeated after {@code retryMs}. A pure rule
 * over times handed in, driven by the {@link ClusterMaintenance} agent's clock.
 */
final class SnapshotSchedule
{
    static final long NOT_LEADER = -1;

    private final long intervalMs;
    private final long retryMs;
    private long leaderSinceMs = NOT_LEADER;
    private long lastRequestMs = Long.MIN_VALUE / 2;

    /** {@code intervalMs} 0: never due. */
    SnapshotSchedule(final long intervalMs, final long retryMs)
    {
        this.intervalMs = intervalMs;
        this.retryMs = retryMs;
    }

    /** The time a snapshot is due, or {@link Long#MAX_VALUE} when none is (not leader, or scheduling is off). */
    long dueAtMs(final long nowMs, final boolean leader, final long lastSnapshotMs)
    {
        if (!leader)
        {
            leaderSinceMs = NOT_LEADER;
            return Long.MAX_VALUE;
        }
        if (leaderSinceMs == NOT_LEADER)
        {
            leaderSinceMs = nowMs;
        }
        if (intervalMs == 0)
        {
            return Long.MAX_VALUE;
        }
        final long base = lastSnapshotMs > 0 ? lastSnapshotMs : leaderSinceMs;
        return Math.max(base + intervalMs, lastRequestMs + retryMs);
    }

    boolean due(final long nowMs, final boolean leader, final long lastSnapshotMs)
    {
        return nowMs >= dueAtMs(nowMs, leader, lastSnapshotMs);
    }

    void requested(final long nowMs)
    {
        lastRequestMs = nowMs;
    }
}
