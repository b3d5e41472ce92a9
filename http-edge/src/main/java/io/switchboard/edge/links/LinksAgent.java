package io.switchboard.edge.links;

import io.switchboard.cluster.ClusterContext;
import io.switchboard.cluster.ClusterNode;
import io.switchboard.cluster.links.LinkListener;
import io.switchboard.cluster.links.LinkMessageHandler;
import io.switchboard.cluster.links.LinkOffer;
import io.switchboard.cluster.links.LinksContext;
import io.switchboard.cluster.links.LinksCounters;
import io.switchboard.cluster.links.NodeLinks;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.links.LinkEndpoint;
import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.links.LinkTypes;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A cluster member's links to the other nodes (soft, frequent traffic beside the Raft log; see {@link NodeLinks}):
 * one agent alone owns them, run on the cluster node's I/O thread after its media driver's duty
 * ({@link ClusterNode#addIoAgent}). It moves what this node's owners queued in the {@link LinkOutbox}
 * into each peer's publication (a message the peer cannot take yet stays first in its queue), hands what arrives to
 * the {@link LinkEndpoint} of the block its type is in (an endpoint whose owner's queue is full holds the stream
 * back, so the sender feels it), and tells every endpoint when a peer node is up or down, a peer being down once it
 * is silent for the PeerJS alive timeout or its stream ends. When a peer comes up, the endpoints' owners send it
 * what they hold (locations, claims): nothing sent to a node before it was up is assumed to have arrived.
 */
public final class LinksAgent implements Agent, LinkListener, AutoCloseable
{
    /** Its name in the health view (its thread is the cluster node's I/O thread). */
    public static final String THREAD = "switchboard-links";
    private static final Logger LOG = LoggerFactory.getLogger(LinksAgent.class);
    private static final int FRAGMENT_LIMIT = 64;
    private static final int DRAIN_LIMIT = 64;

    private final NodeLinks links;
    private final LinksCounters counters;
    private final LinkOutbox outbox;
    private final LinkEndpoint[] endpoints;
    /** Each endpoint once (one may own several blocks, as the engine does ICE and pulses): who hears peer events. */
    private final LinkEndpoint[] owners;
    private final Watch watch;
    /** The node whose I/O thread runs this agent (beside its media driver's duty). */
    private ClusterNode node;
    private final LinkOutbox.Sink toLinks = this::send;
    private final LinkMessageHandler onMessage = this::onMessage;

    /** Not started: {@link #start} runs it on its thread; a test may call {@link #doWork()} itself. */
    LinksAgent(
        final LinksContext context, final LinksCounters counters, final LinkOutbox outbox,
        final Map<Integer, LinkEndpoint> endpointsByBlock, final Watch watch)
    {
        this.counters = counters;
        this.outbox = outbox;
        this.endpoints = new LinkEndpoint[LinkTypes.blockOf(Short.MAX_VALUE) / LinkTypes.BLOCK + 1];
        endpointsByBlock.forEach((first, endpoint) ->
        {
            if (LinkTypes.blockOf(first) != first)
            {
                throw new IllegalArgumentException("not the first type of a block: " + first);
            }
            endpoints[first / LinkTypes.BLOCK] = endpoint;
        });
        final Set<LinkEndpoint> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(endpointsByBlock.values());
        this.owners = distinct.toArray(LinkEndpoint[]::new);
        this.watch = watch;
        // The links call this agent back on its own thread only (from doWork and poll), never before it runs. What
        // their Aeron client survives, an owner's exception on a delivered message among it (the image catches it
        // and offers the message again), is this agent's to report: counted by its watch, not only printed.
        this.links = new NodeLinks(context.errorHandler(watch), counters, this);
    }

    /** The per-peer counters of this member's links; the outbox's full counters are theirs. */
    public static LinksCounters counters(final ClusterContext cluster, final Metrics metrics)
    {
        return new LinksCounters(metrics, cluster.memberList().size(), cluster.nodeIndex());
    }

    /**
     * Opens the links of this member through its node's driver and runs them on the node's I/O thread.
     *
     * @param node             this member's running cluster node
     * @param timeoutMs        silence after which a peer node is down
     * @param endpointsByBlock by the first type of its {@link LinkTypes} block, who receives those messages
     */
    public static LinksAgent start(
        final ClusterContext cluster, final ClusterNode node, final long timeoutMs,
        final LinksCounters counters, final LinkOutbox outbox, final Map<Integer, LinkEndpoint> endpointsByBlock,
        final Watch watch)
    {
        final LinksContext context = new LinksContext()
            .cluster(cluster)
            .aeronDirectoryName(node.aeronDirectoryName())
            .timeoutMs(timeoutMs)
            .conclude();
        final LinksAgent agent = new LinksAgent(context, counters, outbox, endpointsByBlock, watch);
        // On the node's I/O thread, which sleeps --cluster-io-park-us whenever a cycle finds nothing: what a cycle drains
        // into the publications, the driver's duty sends in the next, with no hand-off to another thread.
        agent.node = node;
        node.addIoAgent(agent);
        return agent;
    }

    @Override
    public String roleName()
    {
        return THREAD;
    }

    /** One cycle on the node's I/O thread; what it throws is this agent's to report (not the driver's). */
    @Override
    public int doWork()
    {
        try
        {
            return duty();
        }
        catch (final Throwable throwable)
        {
            watch.onError(throwable);
            return 0; // a fault that repeats must not keep the shared I/O thread from ever sleeping
        }
    }

    private int duty()
    {
        int work = links.doWork();
        for (int node = 0, count = outbox.memberCount(); node < count; node++)
        {
            if (node != outbox.self())
            {
                work += outbox.drain(node, toLinks, DRAIN_LIMIT);
            }
        }
        return work + links.poll(onMessage, FRAGMENT_LIMIT);
    }

    private boolean send(
        final int node, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > links.maxPayloadLength())
        {
            counters.droppedTooLong.increment();
            return true;
        }
        // Not connected: the peer is not there to take it; it gets the owners' state again when it comes up.
        return links.offer(node, messageType, buffer, offset, length) != LinkOffer.BACK_PRESSURED;
    }

    private boolean onMessage(
        final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        final LinkEndpoint endpoint = endpoints[messageType / LinkTypes.BLOCK];
        if (endpoint == null)
        {
            counters.droppedType.increment();
            return true;
        }
        return endpoint.onLinkMessage(originNode, messageType, buffer, offset, length);
    }

    @Override
    public void onPeerUp(final int node, final long incarnation)
    {
        LOG.info("links: node {} up (incarnation {})", node, Long.toHexString(incarnation));
        for (final LinkEndpoint owner : owners)
        {
            owner.onPeerNode(node, true, incarnation);
        }
    }

    @Override
    public void onPeerDown(final int node)
    {
        LOG.info("links: node {} down", node);
        for (final LinkEndpoint owner : owners)
        {
            owner.onPeerNode(node, false, 0);
        }
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(links);
    }

    @Override
    public void close()
    {
        if (node == null)
        {
            onClose(); // never run on the node's I/O thread (a test drives it by hand)
        }
        else if (!node.removeIoAgent(this))
        {
            LOG.warn("links: the cluster I/O thread did not let the links go within {} ms",
                ClusterNode.IO_AGENT_TIMEOUT_MS);
        }
    }
}
