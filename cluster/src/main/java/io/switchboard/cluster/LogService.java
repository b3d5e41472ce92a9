package io.switchboard.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * This node's replica of the registry: the Aeron clustered service that applies each committed command envelope
 * through the {@link CommandApplier} (de-duplicated, then the {@link StateMachine}) and answers the command's session
 * on egress with (command id, result, log position); followers and replays apply the same and their answers go
 * nowhere. Runs on the service container's thread, which alone touches the state machine; snapshots hold the state
 * machine and the de-dup window.
 */
public final class LogService implements ClusteredService
{
    /** Egress offers tried per answer, each after one idle of the cluster's idle strategy. */
    public static final int MAX_REPLY_ATTEMPTS = 200;
    /** Snapshot offers tried per record while back-pressured (archive catching up). */
    public static final int MAX_SNAPSHOT_OFFER_ATTEMPTS = 20_000;

    private static final Logger LOG = LoggerFactory.getLogger(LogService.class);

    private final CommandApplier applier;
    private final ClusterCounters counters;
    private final MutableDirectBuffer replyBuffer = new UnsafeBuffer(new byte[CommandReply.LENGTH]);
    private Cluster cluster;

    public LogService(final CommandApplier applier, final ClusterCounters counters)
    {
        this.applier = applier;
        this.counters = counters;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        // onRoleChange reports changes only: a member that starts and stays a follower is never told.
        counters.role.setRelease(cluster.role().code());
        if (snapshotImage != null)
        {
            applier.loadSnapshot(new ImageSnapshotReader(snapshotImage, cluster.idleStrategy()));
            LOG.info("node {}: snapshot loaded", cluster.memberId());
        }
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
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
        final long timeMs = cluster.timeUnit().toMillis(timestamp);
        final int result = applier.apply(buffer, offset, length, timeMs);
        final long position = header.position();
        counters.appliedPosition.setRelease(position);
        if (session != null && CommandApplier.hasCommandId(length))
        {
            final int flags = applier.lastDuplicate() ? CommandReply.FLAG_DUPLICATE : 0;
            CommandReply.put(replyBuffer, 0, applier.lastCommandId(), result, position, flags);
            reply(session);
        }
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication publication)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        applier.takeSnapshot(
            (buffer, offset, length) -> offerSnapshotRecord(publication, idle, buffer, offset, length));
        counters.snapshots.increment();
        counters.lastSnapshotTimeMs.setRelease(cluster.timeUnit().toMillis(cluster.time()));
        LOG.info("node {}: snapshot taken at log position {}", cluster.memberId(), cluster.logPosition());
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        counters.role.setRelease(newRole.code());
        LOG.info("node {}: role {}", cluster.memberId(), newRole);
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
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
        counters.term.setRelease(leadershipTermId);
        counters.leader.setRelease(leaderMemberId);
        LOG.info("node {}: term {} leader {}", cluster.memberId(), leadershipTermId, leaderMemberId);
    }

    private void reply(final ClientSession session)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        for (int attempt = 0; attempt < MAX_REPLY_ATTEMPTS; attempt++)
        {
            final long result = session.offer(replyBuffer, 0, CommandReply.LENGTH);
            if (result > 0 || result == Publication.NOT_CONNECTED || result == Publication.CLOSED
                || result == Publication.MAX_POSITION_EXCEEDED)
            {
                // Sent, or nobody to send to: the gateway re-sends the command and gets the remembered result.
                return;
            }
            idle.idle();
        }
        LOG.warn("node {}: egress to session {} back-pressured; answer dropped", cluster.memberId(), session.id());
    }

    /** Writes one snapshot record, retrying a bounded number of times on back-pressure; throws when it cannot. */
    static void offerSnapshotRecord(
        final ExclusivePublication publication,
        final IdleStrategy idle,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        idle.reset();
        for (int attempt = 0; attempt < MAX_SNAPSHOT_OFFER_ATTEMPTS; attempt++)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return;
            }
            if (result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION)
            {
                throw new IllegalStateException("snapshot record not written: " + Publication.errorString(result));
            }
            idle.idle();
        }
        throw new IllegalStateException("snapshot record not written: back-pressured too long");
    }

    /** The records of a snapshot image, one whole message each, polled until each one has arrived. */
    private static final class ImageSnapshotReader implements SnapshotReader
    {
        private final Image image;
        private final IdleStrategy idle;
        private final ExpandableArrayBuffer record = new ExpandableArrayBuffer(1024);
        private final ImageFragmentAssembler assembler;
        private int length;
        private boolean have;

        ImageSnapshotReader(final Image image, final IdleStrategy idle)
        {
            this.image = image;
            this.idle = idle;
            this.assembler = new ImageFragmentAssembler((buffer, offset, length, header) ->
            {
                record.putBytes(0, buffer, offset, length);
                this.length = length;
                have = true;
            });
        }

        @Override
        public boolean next()
        {
            have = false;
            idle.reset();
            while (!have)
            {
                if (image.poll(assembler, 1) == 0)
                {
                    if (image.isClosed() || image.isEndOfStream())
                    {
                        return false;
                    }
                    idle.idle();
                }
            }
            return true;
        }

        @Override
        public DirectBuffer buffer()
        {
            return record;
        }

        @Override
        public int offset()
        {
            return 0;
        }

        @Override
        public int length()
        {
            return length;
        }
    }
}
