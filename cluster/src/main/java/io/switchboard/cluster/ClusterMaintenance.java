package io.switchboard.cluster;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * This node's housekeeping, on its own thread: while this node leads it asks for a snapshot on the
 * {@link SnapshotSchedule}; on every node, after each snapshot it took, it keeps the disk bounded by purging its own
 * archive of what recovery no longer needs. The recording log (the consensus module's file) is only read; the
 * archive is asked through this agent's own archive client.
 * <p>
 * <b>What is purged.</b> With the latest {@link ClusterContext#retainedSnapshots()} snapshot positions kept, the
 * oldest kept is the purge point: the log recording's segments wholly before it go
 * ({@link AeronArchive#purgeSegments}, segment aligned, so the recording's start moves up to a segment boundary at
 * or before that point), and so do the recordings of snapshots before it. Recovery loads the latest snapshot and
 * replays the log from its position, which both are kept; the recording log's entries are left as they are.
 */
final class ClusterMaintenance implements Agent
{
    /** How often a purge is looked for once a snapshot was taken (the recording log gains its entry just after). */
    static final long PURGE_CHECK_INTERVAL_MS = 200;
    /** A snapshot asked for and not seen is asked for again after this, or after the interval if shorter. */
    static final long MAX_SNAPSHOT_RETRY_MS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMaintenance.class);

    private final ClusterContext context;
    private final ClusterHealth health;
    private final BooleanSupplier requestSnapshot;
    private final Supplier<AeronArchive> archiveConnect;
    private final EpochClock clock;
    private final SnapshotSchedule schedule;
    private final LongHashSet purgedSnapshotRecordings = new LongHashSet();
    private final long[] descriptor = new long[4];
    private AeronArchive archive;
    private long handledSnapshots = -1;
    private long nextPurgeCheckMs;
    private long purgedTo;
    private long latestSnapshotPosition = -1;

    ClusterMaintenance(
        final ClusterContext context,
        final ClusterHealth health,
        final BooleanSupplier requestSnapshot,
        final Supplier<AeronArchive> archiveConnect,
        final EpochClock clock)
    {
        this.context = context;
        this.health = health;
        this.requestSnapshot = requestSnapshot;
        this.archiveConnect = archiveConnect;
        this.clock = clock;
        final long interval = context.snapshotIntervalMs();
        this.schedule = new SnapshotSchedule(interval, Math.min(interval, MAX_SNAPSHOT_RETRY_MS));
    }

    @Override
    public int doWork()
    {
        health.observe(System.nanoTime());
        final long nowMs = clock.time();
        int work = 0;
        if (schedule.due(nowMs, health.role() == ClusterHealth.Role.LEADER && health.working(),
            health.lastSnapshotTimeMs()))
        {
            schedule.requested(nowMs);
            final boolean accepted = requestSnapshot.getAsBoolean();
            LOG.info("cluster node {}: snapshot {} (last one {} ms ago)", context.nodeIndex(),
                accepted ? "requested" : "not requested, the control toggle is busy", health.snapshotAgeMs(nowMs));
            work++;
        }
        if (nowMs >= nextPurgeCheckMs)
        {
            nextPurgeCheckMs = nowMs + PURGE_CHECK_INTERVAL_MS;
            final long snapshots = health.snapshots();
            if (snapshots != handledSnapshots && purge())
            {
                handledSnapshots = snapshots;
                work++;
            }
        }
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(archive);
    }

    @Override
    public String roleName()
    {
        return "cluster-maintenance-" + context.nodeIndex();
    }

    /**
     * True when the recording log was read and showed a snapshot not seen before (or this was the first look), and
     * what that allowed was purged.
     */
    private boolean purge()
    {
        final File dir = context.consensusDir();
        if (!new File(dir, RecordingLog.RECORDING_LOG_FILE_NAME).exists())
        {
            return false;
        }
        final long purgePoint;
        final long latest;
        final long logRecordingId;
        final List<RecordingLog.Entry> entries;
        try (RecordingLog recordingLog = new RecordingLog(dir, false))
        {
            entries = recordingLog.entries();
            logRecordingId = recordingLog.findLastTermRecordingId();
            purgePoint = purgePoint(entries, context.retainedSnapshots());
            latest = purgePoint(entries, 1);
        }
        if (latest <= latestSnapshotPosition)
        {
            return false;
        }
        latestSnapshotPosition = latest;
        if (purgePoint <= purgedTo)
        {
            return true;
        }
        if (archive == null)
        {
            archive = archiveConnect.get();
        }
        try
        {
            purgeTo(purgePoint, logRecordingId, entries);
        }
        catch (final ArchiveException ex)
        {
            // A segment being replayed to a member catching up cannot go: the next snapshot tries again.
            LOG.warn("cluster node {}: purge before the snapshot at {} refused by the archive, retried after the "
                + "next snapshot: {}", context.nodeIndex(), purgePoint, ex.getMessage());
        }
        return true;
    }

    private void purgeTo(final long purgePoint, final long logRecordingId, final List<RecordingLog.Entry> entries)
    {
        long segments = 0;
        if (logRecordingId != Aeron.NULL_VALUE && describe(logRecordingId))
        {
            final long start = descriptor[0];
            final long base = AeronArchive.segmentFileBasePosition(
                start, purgePoint, (int)descriptor[2], (int)descriptor[3]);
            if (base > start)
            {
                segments = archive.purgeSegments(logRecordingId, base);
            }
        }
        int recordings = 0;
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && entry.logPosition < purgePoint
                && !purgedSnapshotRecordings.contains(entry.recordingId))
            {
                purgedSnapshotRecordings.add(entry.recordingId);
                if (describe(entry.recordingId))
                {
                    archive.purgeRecording(entry.recordingId);
                    recordings++;
                }
            }
        }
        purgedTo = purgePoint;
        LOG.info("cluster node {}: kept the log from the snapshot at {}; purged {} log segments and {} old snapshot "
            + "recordings", context.nodeIndex(), purgePoint, segments, recordings);
    }

    /** Start position, stop position, term length and segment length of a recording into {@link #descriptor}. */
    private boolean describe(final long recordingId)
    {
        try
        {
            return archive.listRecording(recordingId, (controlSessionId, correlationId, id, startTimestamp,
                stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength,
                mtuLength, sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) ->
            {
                descriptor[0] = startPosition;
                descriptor[1] = stopPosition;
                descriptor[2] = termBufferLength;
                descriptor[3] = segmentFileLength;
            }) == 1;
        }
        catch (final ArchiveException ex)
        {
            return false;
        }
    }

    /**
     * The log position of the oldest of the {@code retained} latest complete snapshots (one the consensus module
     * recorded, with every service's), 0 while there are fewer.
     */
    static long purgePoint(final List<RecordingLog.Entry> entries, final int retained)
    {
        final TreeSet<Long> positions = new TreeSet<>();
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT
                && entry.serviceId == ConsensusModule.Configuration.SERVICE_ID)
            {
                positions.add(entry.logPosition);
            }
        }
        if (positions.size() < retained)
        {
            return 0;
        }
        long point = 0;
        for (int i = 0; i < retained; i++)
        {
            point = positions.pollLast();
        }
        return point;
    }
}
