package io.switchboard.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The node's clustered service seen from the outside: every call goes to the real service unchanged, and the
 * leader named by each new term and the time of each snapshot taken are recorded in the {@link ClusterHealth}. Runs
 * on the service container's thread, the health's only writer of those two facts.
 */
final class ObservedService implements ClusteredService
{
    private final ClusteredService service;
    private final ClusterHealth health;
    private Cluster cluster;

    ObservedService(final ClusteredService service, final ClusterHealth health)
    {
        this.service = service;
        this.health = health;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
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
        health.leader(leaderMemberId);
        service.onNewLeadershipTermEvent(leadershipTermId, logPosition, timestamp, termBaseLogPosition,
            leaderMemberId, logSessionId, timeUnit, appVersion);
    }

    @Override
    public int doBackgroundWork(final long nowNs)
    {
        return service.doBackgroundWork(nowNs);
    }
}
