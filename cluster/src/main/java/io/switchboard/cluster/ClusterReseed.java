package io.switchboard.cluster;

import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ClusterBackupEventsListener;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.RecordingLog;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Re-seeds this node's cluster dir from the live members, for a member that cannot catch up by itself (down
 * longer than the peers keep their log, or its disk lost): with the node stopped, its archive and consensus state
 * are deleted and Aeron's {@link ClusterBackup} copies the latest snapshot and the log after it from the others into
 * the same dirs, on this member's own consensus and catchup ports; once the backup follows the live log, it stops
 * and the node can be launched as usual. Runs on the caller's thread, blocking.
 */
public final class ClusterReseed
{
    /** The live log must have stopped moving for this long (or be followed) before the copy counts as done. */
    static final long SETTLE_MS = 500;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterReseed.class);

    private ClusterReseed()
    {
    }

    /**
     * Replaces this node's cluster dir by a copy from the other members; true once the copy follows the live log,
     * false if that did not happen within {@code timeoutMs} (the dir is then incomplete: run it again).
     */
    public static boolean run(final ClusterContext context, final ErrorHandler errorHandler, final long timeoutMs)
    {
        if (context.singleNode())
        {
            throw new IllegalArgumentException("a cluster of one has nobody to re-seed from");
        }
        LOG.warn("cluster node {}: re-seeding {} from the other members; its archive and consensus state are "
            + "deleted", context.nodeIndex(), context.clusterDir());
        ClusterNode.removeMarkFilesOfAGoneProcess(context);
        IoUtil.delete(context.archiveDir(), true);
        IoUtil.delete(context.consensusDir(), true);
        final Progress progress = new Progress();
        ArchivingMediaDriver driver = null;
        ClusterBackup backup = null;
        try
        {
            driver = ArchivingMediaDriver.launch(
                ClusterNode.driverContext(context, errorHandler, () -> {}),
                ClusterNode.archiveContext(context, errorHandler));
            backup = ClusterBackup.launch(new ClusterBackup.Context()
                .aeronDirectoryName(context.aeronDir())
                .clusterDir(context.consensusDir())
                .consensusChannel(ClusterNode.udp(
                    context.self().endpoint(ClusterContext.CONSENSUS_PORT_OFFSET), context.clientTermLength()))
                .clusterConsensusEndpoints(otherConsensusEndpoints(context))
                .catchupEndpoint(context.self().endpoint(ClusterContext.CATCHUP_PORT_OFFSET))
                .archiveContext(ClusterNode.localArchiveClient(context))
                .clusterArchiveContext(new AeronArchive.Context()
                    .aeronDirectoryName(context.aeronDir())
                    .controlRequestChannel("aeron:udp?term-length=" + context.clientTermLength())
                    .controlResponseChannel(ClusterNode.udp(context.self().host() + ":0",
                        context.clientTermLength())))
                .sourceType(ClusterBackup.SourceType.ANY)
                .initialReplayStart(ClusterBackup.Configuration.ReplayStart.LATEST_SNAPSHOT)
                .clusterBackupCoolDownIntervalNs(TimeUnit.SECONDS.toNanos(1))
                .idleStrategySupplier(context::newIdleStrategy)
                .errorHandler(errorHandler)
                .eventsListener(progress)
                .deleteDirOnStart(true));
            final long deadlineMs = System.currentTimeMillis() + timeoutMs;
            while (System.currentTimeMillis() < deadlineMs)
            {
                if (progress.settled(System.currentTimeMillis()))
                {
                    LOG.info("cluster node {}: re-seeded: {} snapshots copied, log followed to position {}",
                        context.nodeIndex(), progress.snapshots, progress.liveLogPosition);
                    return true;
                }
                Thread.sleep(10);
            }
            LOG.warn("cluster node {}: re-seed not done within {} ms", context.nodeIndex(), timeoutMs);
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        finally
        {
            CloseHelper.closeAll(backup, driver);
        }
    }

    private static String otherConsensusEndpoints(final ClusterContext context)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < context.memberList().size(); i++)
        {
            if (i != context.nodeIndex())
            {
                out.append(out.length() == 0 ? "" : ",")
                    .append(context.memberList().get(i).endpoint(ClusterContext.CONSENSUS_PORT_OFFSET));
            }
        }
        return out.toString();
    }

    /** What the backup reported, from its agent's thread. */
    private static final class Progress implements ClusterBackupEventsListener
    {
        private volatile boolean recordingLogUpdated;
        private volatile int snapshots;
        private volatile long liveLogPosition = -1;
        private volatile long liveLogMovedMs;

        @Override
        public void onBackupQuery()
        {
        }

        @Override
        public void onPossibleFailure(final Exception ex)
        {
            LOG.warn("cluster re-seed: {}", ex.toString());
        }

        @Override
        public void onBackupResponse(
            final ClusterMember[] clusterMembers,
            final ClusterMember logSourceMember,
            final List<RecordingLog.Snapshot> snapshotsToRetrieve)
        {
        }

        @Override
        public void onUpdatedRecordingLog(final RecordingLog recordingLog, final List<RecordingLog.Snapshot> retrieved)
        {
            snapshots = retrieved.size();
            recordingLogUpdated = true;
        }

        @Override
        public void onLiveLogProgress(final long recordingId, final long recordingPosCounterId, final long logPosition)
        {
            if (logPosition != liveLogPosition)
            {
                liveLogPosition = logPosition;
                liveLogMovedMs = System.currentTimeMillis();
            }
        }

        boolean settled(final long nowMs)
        {
            return recordingLogUpdated && liveLogPosition >= 0 && nowMs - liveLogMovedMs >= SETTLE_MS;
        }
    }
}
