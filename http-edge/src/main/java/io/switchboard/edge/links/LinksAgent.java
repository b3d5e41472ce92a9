package io.switchboard.edge.links;

import io.switchboard.cluster.ClusterContext;
import io.switchboard.cluster.links.LinkListener;
import io.switchboard.cluster.links.LinksContext;
import io.switchboard.cluster.links.LinksCounters;
import io.switchboard.cluster.links.NodeLinks;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * A cluster member's links to the other nodes (soft, frequent traffic beside the Raft log; see
 * {@link NodeLinks}): one agent on its own thread alone owns them, sends their heartbeats and tells which peer nodes
 * are up, a peer being down once it is silent for the PeerJS alive timeout (the ids it held are then free
 * cluster-wide, issue #16). Nothing routes messages over them yet: what arrives is counted by the links and dropped.
 */
public final class LinksAgent implements Agent, LinkListener, AutoCloseable
{
    public static final String THREAD = "switchboard-links";
    private static final Logger LOG = LoggerFactory.getLogger(LinksAgent.class);
    private static final int FRAGMENT_LIMIT = 64;

    private final NodeLinks links;
    private final AgentRunner runner;

    private LinksAgent(final LinksContext context, final LinksCounters counters, final Watch watch)
    {
        // The links call this agent back on its own thread only (from doWork), never before it runs.
        this.links = new NodeLinks(context, counters, this);
        this.runner = new AgentRunner(new BackoffIdleStrategy(
            1, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)), watch, null, this);
    }

    /**
     * Opens the links of this member through its node's driver and starts their thread.
     *
     * @param aeronDirectory the embedded driver's directory ({@code ClusterNode.aeronDirectoryName()})
     * @param timeoutMs      silence after which a peer node is down
     */
    public static LinksAgent start(
        final ClusterContext cluster, final String aeronDirectory, final long timeoutMs, final Metrics metrics,
        final Watch watch)
    {
        final LinksContext context = new LinksContext()
            .cluster(cluster)
            .aeronDirectoryName(aeronDirectory)
            .timeoutMs(timeoutMs)
            .conclude();
        final LinksAgent agent = new LinksAgent(
            context, new LinksCounters(metrics, context.memberCount(), context.nodeIndex()), watch);
        AgentRunner.startOnThread(agent.runner);
        return agent;
    }

    @Override
    public String roleName()
    {
        return THREAD;
    }

    @Override
    public int doWork()
    {
        return links.doWork() + links.poll(this::onMessage, FRAGMENT_LIMIT);
    }

    private void onMessage(
        final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
    }

    @Override
    public void onPeerUp(final int node, final long incarnation)
    {
        LOG.info("links: node {} up (incarnation {})", node, Long.toHexString(incarnation));
    }

    @Override
    public void onPeerDown(final int node)
    {
        LOG.info("links: node {} down", node);
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(links);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(runner);
    }
}
