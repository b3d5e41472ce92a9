package io.switchboard.edge.registry;

import io.switchboard.cluster.ClusterContext;
import io.switchboard.cluster.ClusterCounters;
import io.switchboard.cluster.ClusterHealth;
import io.switchboard.cluster.ClusterNode;
import io.switchboard.cluster.ClusterRegistryLog;
import io.switchboard.cluster.ClusterReseed;
import io.switchboard.cluster.ClusterUnavailableException;
import io.switchboard.cluster.CommandApplier;
import io.switchboard.cluster.CommandResult;
import io.switchboard.cluster.DedupWindow;
import io.switchboard.cluster.LocalRegistryLog;
import io.switchboard.cluster.LogService;
import io.switchboard.cluster.RegistryLog;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where the appliance's durable changes go: one {@link RegistryMachine} behind a {@link RegistryLog}, local (the
 * default: applied on the caller's thread at once, persisted by the parts' own tables) or through Aeron Cluster
 * (this node's member embedded; committed by a quorum, then applied by every member to its own replica). Callers
 * encode a command, {@link #commit} it and answer their client after it returns; any thread may call.
 */
public final class Registry implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
    /** Beyond the log's own timeout, which fails the command first. */
    private static final long WAIT_MARGIN_MS = 1_000;
    private static final long JOIN_LOG_INTERVAL_MS = 5_000;
    private static final long RESEED_TIMEOUT_MS = 60_000;

    private final RegistryMachine machine = new RegistryMachine();
    private final ClusterContext cluster;
    private final Metrics metrics;
    private final Watch watch;
    private final ClusterCounters counters;
    private final AtomicCounter softDropped;
    /** 1 while this node is in a working cluster; registered for a cluster member only (no alert on one box). */
    private final AtomicCounter working;
    private final AtomicCounter commitPosition;
    private final AtomicCounter snapshotAgeMs;
    private final boolean reseed;
    private RegistryLog log;
    private ClusterNode node;

    private Registry(final ClusterContext cluster, final Metrics metrics, final Watch watch, final boolean reseed)
    {
        this.cluster = cluster;
        this.reseed = reseed;
        this.metrics = metrics;
        this.watch = watch;
        this.counters = new ClusterCounters(metrics);
        this.softDropped = metrics.counter("switchboard_registry_soft_sync_dropped_total", "",
            "Soft-field updates (heartbeat time, user counts) not replicated because the log refused or failed them.");
        this.working = cluster == null ? null : metrics.gauge("switchboard_cluster_working", "",
            "1 while this node is in a working cluster (it leads, or follows a known leader, outside an election), "
                + "else 0: durable writes through it then answer 503.");
        this.commitPosition = cluster == null ? null : metrics.gauge("switchboard_cluster_commit_position", "",
            "The log position the cluster has committed, as this node's consensus module knows it.");
        this.snapshotAgeMs = cluster == null ? null : metrics.gauge("switchboard_cluster_snapshot_age_ms", "",
            "Milliseconds since this node's latest snapshot (-1 before its first).");
    }

    /** A registry applied on this box alone (on its callers' threads: it has none of its own). */
    public static Registry local(final Metrics metrics)
    {
        return new Registry(null, metrics, null, false);
    }

    /**
     * A registry replicated through Aeron Cluster; {@code cluster} concluded.
     *
     * @param reseed replace this node's cluster state by a copy from the live members before it joins
     */
    public static Registry clustered(
        final ClusterContext cluster, final Metrics metrics, final Watch watch, final boolean reseed)
    {
        return new Registry(cluster, metrics, watch, reseed);
    }

    /** Where the parts attach, before {@link #start()}. */
    public RegistryMachine machine()
    {
        return machine;
    }

    /**
     * Starts the log once every part is attached. Clustered: the replica is emptied, this node's member starts and
     * rebuilds it from the latest snapshot and the log after it.
     */
    public void start()
    {
        final CommandApplier applier = new CommandApplier(machine, new DedupWindow(), counters);
        if (cluster == null)
        {
            log = new LocalRegistryLog(applier, 0, SystemEpochClock.INSTANCE);
            return;
        }
        machine.clear();
        if (reseed && !ClusterReseed.run(cluster, watch, RESEED_TIMEOUT_MS))
        {
            throw new IllegalStateException("--cluster-reseed: no complete copy from the other members within "
                + RESEED_TIMEOUT_MS / 1000 + " s (are a quorum of them up?); start again with it to retry");
        }
        node = ClusterNode.launch(cluster, new LogService(applier, counters), watch,
            () -> LOG.warn("cluster node {}: its member was terminated", cluster.nodeIndex()));
        log = new ClusterRegistryLog(cluster, node.aeronDirectoryName(), counters, watch,
            counters.appliedPosition::get);
    }

    /**
     * Where this node stands in its cluster, for /healthz and the console: null for the local registry.
     *
     * @param role          leader, follower, candidate or stopped
     * @param leader        the leader's node index, null while unknown
     * @param working       whether this node is in a cluster that can commit (see {@link ClusterHealth#working()})
     * @param snapshotAgeMs since this node's last snapshot, null before its first
     */
    public record Status(
        int node, int members, String role, Integer leader, long term, long commitPosition, boolean working,
        Long snapshotAgeMs)
    {
    }

    /**
     * Also refreshes the gauges read from the cluster's health view ({@code switchboard_cluster_working},
     * {@code _commit_position}, {@code _snapshot_age_ms}); the admin listener calls it before each scrape.
     */
    public Status status()
    {
        if (node == null)
        {
            return null;
        }
        final ClusterHealth.View view = node.health().view(System.currentTimeMillis());
        working.setRelease(view.working() ? 1 : 0);
        commitPosition.setRelease(view.commitPosition());
        snapshotAgeMs.setRelease(view.snapshotAgeMs());
        // The service's leader events miss the term a node restarted into from a snapshot; the view does not.
        counters.leader.setRelease(view.leader() == ClusterHealth.NO_LEADER ? -1 : view.leader());
        return new Status(view.nodeIndex(), view.memberCount(), view.role().label(),
            view.leader() == ClusterHealth.NO_LEADER ? null : view.leader(), view.term(), view.commitPosition(),
            view.working(), view.snapshotAgeMs() == ClusterHealth.NO_SNAPSHOT ? null : view.snapshotAgeMs());
    }

    /**
     * Waits until this node has joined its cluster (a working cluster: it leads or follows a known leader), logging
     * every few seconds while it waits; at once for the local registry.
     */
    public void awaitJoined()
    {
        while (node != null && !node.health().awaitJoined(JOIN_LOG_INTERVAL_MS))
        {
            if (Thread.currentThread().isInterrupted())
            {
                throw new IllegalStateException("interrupted while joining the cluster");
            }
            LOG.info("cluster node {}: waiting for a leader among {} (a quorum of members must be up)",
                cluster.nodeIndex(), cluster.members());
        }
    }

    /** {@code cluster=node:N/M} for the ready line once joined; empty for the local registry. */
    public String readyField()
    {
        return cluster == null ? "" : "cluster=node:" + cluster.nodeIndex() + "/" + cluster.memberList().size();
    }

    /** True when a commit is applied on the caller's thread before {@link #commit} returns, without waiting. */
    public boolean appliesOnCaller()
    {
        return cluster == null;
    }

    /** This node's cluster member, or null for the local registry. */
    public ClusterNode node()
    {
        return node;
    }

    public ClusterContext clusterContext()
    {
        return cluster;
    }

    /**
     * Commits one command and waits until this node's replica has applied it; answers the part's result code.
     *
     * @throws ClusterUnavailableException when it could not be committed in time (no quorum, no leader): its
     *                                     outcome is then unknown, the caller answers 503
     */
    public int commit(final int type, final DirectBuffer body, final int offset, final int length)
    {
        final CompletableFuture<CommandResult> future = log.submit(type, body, offset, length);
        final CommandResult result;
        try
        {
            result = future.get(timeoutMs() + WAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof ClusterUnavailableException unavailable)
            {
                throw unavailable;
            }
            throw new IllegalStateException("registry command failed", ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new ClusterUnavailableException("no answer from the cluster within " + timeoutMs() + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException("interrupted while waiting for the cluster");
        }
        if (result.refused())
        {
            throw new IllegalStateException("registry refused command type " + type + ": code " + result.code());
        }
        return result.code();
    }

    /**
     * Submits a command nobody waits for (a soft-field sync): counted when refused or failed, never retried here.
     */
    public void offer(final int type, final DirectBuffer body, final int offset, final int length)
    {
        log.submit(type, body, offset, length).whenComplete((result, failure) ->
        {
            if (failure != null || result.refused())
            {
                softDropped.increment();
            }
        });
    }

    private long timeoutMs()
    {
        return cluster == null ? 0 : cluster.clientTimeoutMs();
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(log);
        CloseHelper.quietClose(node);
    }
}
