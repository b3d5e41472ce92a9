package io.switchboard.cluster;

import io.aeron.Counter;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;

import java.util.concurrent.TimeUnit;

/**
 * What this node knows of its cluster, for any thread to read (the appliance's {@code /healthz} and ready line). It
 * owns no state of the cluster's: role, term, commit position, election and module state are read from the
 * consensus module's own counters; the leader's index (with the term it leads) and the time of the last snapshot are
 * recorded by the {@link ObservedService} on the service thread, which alone writes them.
 * <p>
 * <b>Working</b> means the consensus module is active, no election is running, the leader of the current term is
 * known and, when that leader is this node, its role says so. That is the brief's "heard from the leader within its heartbeat timeout,
 * or leads with a quorum": the consensus module itself starts an election when a follower has not heard from the
 * leader for {@link ClusterContext#leaderHeartbeatTimeoutMs()}, and a leader without a quorum for that long steps
 * down into one; so a node cut off says so at most one heartbeat timeout late. One exception, seen on this box: a
 * leader that loses its quorum while taking a snapshot waits in the snapshot state (its snapshot position never
 * commits) and does not step down; so a snapshot state that lasts longer than the heartbeat timeout counts as not
 * working. The maintenance agent, ticking every few milliseconds, notes when that state began ({@link #observe}).
 */
public final class ClusterHealth
{
    public static final int NO_LEADER = -1;
    public static final long NO_SNAPSHOT = -1;
    static final long AWAIT_POLL_MS = 10;

    /** This node's role as {@code /healthz} names it. */
    public enum Role
    {
        FOLLOWER("follower"), CANDIDATE("candidate"), LEADER("leader"), STOPPED("stopped");

        private final String label;

        Role(final String label)
        {
            this.label = label;
        }

        public String label()
        {
            return label;
        }
    }

    /** One consistent-enough reading of everything at once. */
    public record View(
        int nodeIndex,
        int memberCount,
        Role role,
        int leader,
        long term,
        long commitPosition,
        boolean working,
        long snapshots,
        long snapshotAgeMs)
    {
    }

    private final int nodeIndex;
    private final int memberCount;
    private final long leaderHeartbeatTimeoutNs;
    private volatile ConsensusModule.Context consensus;
    private volatile boolean closed;
    private volatile int leader = NO_LEADER;
    private volatile long leaderTerm = -1;
    private volatile long lastSnapshotTimeMs;
    private volatile long snapshots;
    /** {@link System#nanoTime()} when the consensus module was first seen in its snapshot state; 0: not in it. */
    private volatile long snapshotStateSinceNs;

    ClusterHealth(final int nodeIndex, final int memberCount, final long leaderHeartbeatTimeoutMs)
    {
        this.nodeIndex = nodeIndex;
        this.memberCount = memberCount;
        this.leaderHeartbeatTimeoutNs = TimeUnit.MILLISECONDS.toNanos(leaderHeartbeatTimeoutMs);
    }

    public View view(final long nowMs)
    {
        final boolean working = working();
        return new View(nodeIndex, memberCount, role(), working ? leader : NO_LEADER, term(), commitPosition(),
            working, snapshots, snapshotAgeMs(nowMs));
    }

    public int nodeIndex()
    {
        return nodeIndex;
    }

    public int memberCount()
    {
        return memberCount;
    }

    public Role role()
    {
        final Counter counter = counter(consensus == null ? null : consensus.clusterNodeRoleCounter());
        if (counter == null)
        {
            return Role.STOPPED;
        }
        return switch (Cluster.Role.get(counter))
        {
            case LEADER -> Role.LEADER;
            case CANDIDATE -> Role.CANDIDATE;
            default -> Role.FOLLOWER;
        };
    }

    /** The leader's member index while this node is in a working cluster, else {@link #NO_LEADER}. */
    public int leader()
    {
        return working() ? leader : NO_LEADER;
    }

    /** The leadership term this node is in, -1 before it joined one. */
    public long term()
    {
        final Counter counter = counter(consensus == null ? null : consensus.leadershipTermIdCounter());
        return counter == null ? -1 : counter.get();
    }

    /** The log position this node knows to be committed by a quorum. */
    public long commitPosition()
    {
        final Counter counter = counter(consensus == null ? null : consensus.commitPositionCounter());
        return counter == null ? 0 : counter.get();
    }

    public boolean working()
    {
        final ConsensusModule.Context context = consensus;
        if (context == null || closed)
        {
            return false;
        }
        final Counter moduleState = counter(context.moduleStateCounter());
        final Counter electionState = counter(context.electionStateCounter());
        if (moduleState == null || electionState == null)
        {
            return false;
        }
        final ConsensusModule.State state = ConsensusModule.State.get(moduleState.get());
        if ((state != ConsensusModule.State.ACTIVE && state != ConsensusModule.State.SNAPSHOT)
            || ElectionState.get(electionState.get()) != ElectionState.CLOSED)
        {
            return false;
        }
        final long snapshotSinceNs = snapshotStateSinceNs;
        if (state == ConsensusModule.State.SNAPSHOT && snapshotSinceNs != 0
            && System.nanoTime() - snapshotSinceNs > leaderHeartbeatTimeoutNs)
        {
            return false;
        }
        final int known = leader;
        final Role role = role();
        return known != NO_LEADER && leaderTerm == term() && role != Role.CANDIDATE
            && (role == Role.LEADER) == (known == nodeIndex);
    }

    /** Snapshots this node took since it started. */
    public long snapshots()
    {
        return snapshots;
    }

    /**
     * Cluster time (epoch ms, the leader's clock when the log reached the snapshot) of the latest snapshot this node
     * holds, taken by this process or found on disk at start; 0 when there is none.
     */
    public long lastSnapshotTimeMs()
    {
        return lastSnapshotTimeMs;
    }

    /** Milliseconds since the latest snapshot this node holds, {@link #NO_SNAPSHOT} when it holds none. */
    public long snapshotAgeMs(final long nowMs)
    {
        final long last = lastSnapshotTimeMs;
        return last > 0 ? Math.max(0, nowMs - last) : NO_SNAPSHOT;
    }

    /**
     * Waits, polling, until this node is in a working cluster; true if it is, false once {@code timeoutMs} passed
     * (or the calling thread was interrupted, its flag set again).
     */
    public boolean awaitJoined(final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!working())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            try
            {
                Thread.sleep(AWAIT_POLL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Called by the maintenance agent, its only caller, every tick: notes when a snapshot state began. */
    void observe(final long nowNs)
    {
        final ConsensusModule.Context context = consensus;
        final Counter moduleState = counter(context == null ? null : context.moduleStateCounter());
        final boolean inSnapshot = moduleState != null
            && ConsensusModule.State.get(moduleState.get()) == ConsensusModule.State.SNAPSHOT;
        if (!inSnapshot)
        {
            snapshotStateSinceNs = 0;
        }
        else if (snapshotStateSinceNs == 0)
        {
            snapshotStateSinceNs = nowNs;
        }
    }

    void attach(final ConsensusModule.Context context)
    {
        consensus = context;
    }

    /** Before the consensus module closes its counters: from now on nothing reads them. */
    void close()
    {
        closed = true;
    }

    /** Written by the service thread: {@code memberId} leads {@code term}. */
    void leader(final long term, final int memberId)
    {
        leader = memberId;
        leaderTerm = term;
    }

    int knownLeader()
    {
        return leader;
    }

    long knownLeaderTerm()
    {
        return leaderTerm;
    }

    void snapshotTaken(final long clusterTimeMs)
    {
        lastSnapshotTimeMs = clusterTimeMs;
        snapshots++;
    }

    void snapshotFound(final long clusterTimeMs)
    {
        if (clusterTimeMs > lastSnapshotTimeMs)
        {
            lastSnapshotTimeMs = clusterTimeMs;
        }
    }

    private Counter counter(final Counter counter)
    {
        return closed || counter == null || counter.isClosed() ? null : counter;
    }
}
