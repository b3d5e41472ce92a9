package io.switchboard.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The node's clustered service seen from the outside: every call goes to the real service unchanged, and the
 * leader named by each new term and the time of each snapshot taken are recorded in the {@link ClusterHealth}. Runs
 * on the service container's thread, the health's only writer of those facts.
 * <p>
 * A term's leader is named once, in the log, when the term starts; a node restarted from a snapshot taken later
 * in that term would never see it. So each snapshot begins with one record of this class's own, ahead of the
 * service's records, holding the term and its leader:
 * <pre>
 *   0  int32 LE  {@link #LEADER_RECORD_TAG}
 *   4  int32 LE  leader member id
 *   8  int64 LE  leadership term id
 * </pre>
 * and loading a snapshot reads it back first (a snapshot without it is handed over untouched).
 */
final class ObservedService implements ClusteredService
{
    static final int LEADER_RECORD_TAG = 0x4C45_4144;
    static final int LEADER_RECORD_LENGTH = 16;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final ClusteredService service;
    private final ClusterHealth health;
    private final UnsafeBuffer leaderRecord = new UnsafeBuffer(new byte[LEADER_RECORD_LENGTH]);
    private Cluster cluster;
    private boolean snapshotFrontRead;

    ObservedService(final ClusteredService service, final ClusterHealth health)
    {
        this.service = service;
        this.health = health;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (snapshotImage != null)
        {
            readLeaderRecord(snapshotImage, cluster.idleStrategy());
        }
        service.onStart(cluster, snapshotImage);
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        service.onSessionOpen(session, timestamp);
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        service.onSessionClose(session, timestamp, closeReason);
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        service.onSessionMessage(session, timestamp, buffer, offset, length, header);
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        service.onTimerEvent(correlationId, timestamp);
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        writeLeaderRecord(snapshotPublication, cluster.idleStrategy());
        service.onTakeSnapshot(snapshotPublication);
        health.snapshotTaken(cluster.timeUnit().toMillis(cluster.time()));
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        service.onRoleChange(newRole);
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        service.onTerminate(cluster);
    }

    @Override
    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        health.leader(leadershipTermId, leaderMemberId);
        service.onNewLeadershipTermEvent(leadershipTermId, logPosition, timestamp, termBaseLogPosition,
            leaderMemberId, logSessionId, timeUnit, appVersion);
    }

    @Override
    public int doBackgroundWork(final long nowNs)
    {
        return service.doBackgroundWork(nowNs);
    }

    private void writeLeaderRecord(final ExclusivePublication publication, final IdleStrategy idle)
    {
        leaderRecord.putInt(0, LEADER_RECORD_TAG, ORDER);
        leaderRecord.putInt(4, health.knownLeader(), ORDER);
        leaderRecord.putLong(8, health.knownLeaderTerm(), ORDER);
        LogService.offerSnapshotRecord(publication, idle, leaderRecord, 0, LEADER_RECORD_LENGTH);
    }

    /** Takes this class's record off the front of the snapshot, if it is there, and leaves the rest. */
    private void readLeaderRecord(final Image image, final IdleStrategy idle)
    {
        final ControlledFragmentHandler handler = (buffer, offset, length, header) ->
        {
            snapshotFrontRead = true;
            if (length != LEADER_RECORD_LENGTH || buffer.getInt(offset, ORDER) != LEADER_RECORD_TAG)
            {
                return ControlledFragmentHandler.Action.ABORT;
            }
            health.leader(buffer.getLong(offset + 8, ORDER), buffer.getInt(offset + 4, ORDER));
            return ControlledFragmentHandler.Action.BREAK;
        };
        snapshotFrontRead = false;
        idle.reset();
        while (!snapshotFrontRead && !image.isClosed() && !image.isEndOfStream())
        {
            if (image.controlledPoll(handler, 1) == 0 && !snapshotFrontRead)
            {
                idle.idle();
            }
        }
    }
}
