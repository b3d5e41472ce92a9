package io.switchboard.cluster;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The replicated log's operator-visible state, as counters in the appliance's {@link Metrics}: what this node's
 * replica applied (set by the applying thread) and what its gateway did with callers' commands (set by the gateway
 * thread). Allocated once at start-up.
 */
public final class ClusterCounters
{
    private static final String COMMANDS = "switchboard_cluster_commands_total";
    private static final String COMMANDS_HELP =
        "Registry commands by outcome: applied/duplicate/refused by this node's replica (replays included), "
            + "submitted/acknowledged/timed_out/rejected by this node's gateway.";
    private static final String GATEWAY = "switchboard_cluster_gateway_events_total";
    private static final String GATEWAY_HELP =
        "The gateway's cluster client: sessions connected, new leaders seen, commands re-sent after one.";

    public final AtomicCounter applied;
    public final AtomicCounter duplicates;
    public final AtomicCounter refused;
    public final AtomicCounter submitted;
    public final AtomicCounter acknowledged;
    public final AtomicCounter timedOut;
    public final AtomicCounter rejected;
    public final AtomicCounter connects;
    public final AtomicCounter newLeaders;
    public final AtomicCounter resent;
    public final AtomicCounter role;
    public final AtomicCounter leader;
    public final AtomicCounter term;
    public final AtomicCounter appliedPosition;
    public final AtomicCounter snapshots;
    public final AtomicCounter lastSnapshotTimeMs;

    public ClusterCounters(final Metrics metrics)
    {
        applied = metrics.counter(COMMANDS, "outcome=\"applied\"", COMMANDS_HELP);
        duplicates = metrics.counter(COMMANDS, "outcome=\"duplicate\"", COMMANDS_HELP);
        refused = metrics.counter(COMMANDS, "outcome=\"refused\"", COMMANDS_HELP);
        submitted = metrics.counter(COMMANDS, "outcome=\"submitted\"", COMMANDS_HELP);
        acknowledged = metrics.counter(COMMANDS, "outcome=\"acknowledged\"", COMMANDS_HELP);
        timedOut = metrics.counter(COMMANDS, "outcome=\"timed_out\"", COMMANDS_HELP);
        rejected = metrics.counter(COMMANDS, "outcome=\"rejected\"", COMMANDS_HELP);
        connects = metrics.counter(GATEWAY, "event=\"connected\"", GATEWAY_HELP);
        newLeaders = metrics.counter(GATEWAY, "event=\"new_leader\"", GATEWAY_HELP);
        resent = metrics.counter(GATEWAY, "event=\"resent\"", GATEWAY_HELP);
        role = metrics.gauge("switchboard_cluster_role", "",
            "This node's role: 0 follower, 1 candidate, 2 leader (-1 before it joined).");
        leader = metrics.gauge("switchboard_cluster_leader", "",
            "The leader's member index as this node last saw it (-1 while unknown).");
        term = metrics.gauge("switchboard_cluster_term", "", "The leadership term this node last saw.");
        appliedPosition = metrics.gauge("switchboard_cluster_applied_position", "",
            "Log position after the last command this node's replica applied.");
        snapshots = metrics.counter("switchboard_cluster_snapshots_total", "",
            "Snapshots this node's replica took.");
        lastSnapshotTimeMs = metrics.gauge("switchboard_cluster_last_snapshot_time_ms", "",
            "Cluster time (epoch ms) of this node's last snapshot, 0 before the first; its age is now minus this.");
        role.setRelease(-1);
        leader.setRelease(-1);
    }
}
