package io.switchboard.cluster.links;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * This node's links to the other cluster members over plain Aeron (never the Raft log): one subscription on its
 * own endpoint, one exclusive publication per peer node, a 16-byte {@link LinkHeader} on every message, heartbeats
 * every {@link LinksContext#heartbeatIntervalMs()} and peer liveness by {@link PeerLiveness}.
 * <p>
 * <b>Owns</b> its Aeron client (on the node's own media driver, in invoker mode: the client's conductor runs inside
 * {@link #doWork()}, so image events and every {@link LinkListener} call happen on the owner's thread), the
 * subscription, the publications and the liveness state. <b>Single owner, no locks:</b> one thread calls
 * {@link #doWork()}, {@link #poll}, {@link #offer} and {@link #broadcast}; it is a duty that thread's agent performs,
 * and it should call {@link #doWork()} at least every heartbeat interval (its client is dropped by the driver after
 * 10 s without it). Listener calls come from {@link #doWork()} (timeouts, streams gone) and {@link #poll} (a peer
 * heard, or heard as a new incarnation), never from inside an Aeron callback.
 * <p>
 * <b>Bounded:</b> nothing is held. An offer is sent, or refused at once as back-pressured (the peer's window of half
 * a term is full) or not connected, and counted; the caller retries or drops.
 */
public final class NodeLinks implements AutoCloseable
{
    private final int self;
    private final int memberCount;
    private final long incarnation;
    private final long heartbeatIntervalMs;
    private final EpochClock clock;
    private final LinksCounters counters;
    private final PeerLiveness liveness;
    private final Aeron aeron;
    private final AgentInvoker invoker;
    private final Subscription subscription;
    private final ExclusivePublication[] publications;
    private final int maxPayloadLength;
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[LinkHeader.LENGTH]);
    private final LinkHeader outHeader = new LinkHeader().wrap(headerBuffer, 0);
    private final LinkHeader inHeader = new LinkHeader();
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onFragment);
    private final IntArrayList goneSessions = new IntArrayList();
    private LinkMessageHandler handler;
    private long pollNowMs;
    private long nextHeartbeatMs;

    /** Connects to the node's driver and opens the subscription and the publications; {@code context} concluded. */
    public NodeLinks(final LinksContext context, final LinksCounters counters, final LinkListener listener)
    {
        self = context.nodeIndex();
        memberCount = context.memberCount();
        incarnation = context.incarnation();
        heartbeatIntervalMs = context.heartbeatIntervalMs();
        clock = context.clock();
        this.counters = counters;
        liveness = new PeerLiveness(memberCount, self, context.timeoutMs(), listener, counters);
        outHeader.originNode(self).incarnation(incarnation);
        maxPayloadLength = context.maxPayloadLength();

        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(context.aeronDirectoryName())
            .clientName("switchboard-links-" + self)
            .useConductorAgentInvoker(true)
            .errorHandler(context.errorHandler()));
        invoker = aeron.conductorAgentInvoker();
        try
        {
            subscription = aeron.addSubscription(
                context.subscriptionChannel(), context.streamId(), null, this::onUnavailableImage);
            publications = new ExclusivePublication[memberCount];
            for (int node = 0; node < memberCount; node++)
            {
                if (node != self)
                {
                    publications[node] =
                        aeron.addExclusivePublication(context.publicationChannel(node), context.streamId());
                }
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
        nextHeartbeatMs = clock.time();
    }

    /**
     * The links' own duty: the Aeron client's conductor, heartbeats when due, peers whose stream ended or who went
     * silent for the timeout taken down. Returns the work done (0 when idle).
     */
    public int doWork()
    {
        int work = invoker.invoke();
        for (int i = 0, size = goneSessions.size(); i < size; i++)
        {
            final int sessionId = goneSessions.getInt(i);
            assembler.freeSessionBuffer(sessionId);
            liveness.onStreamGone(sessionId);
        }
        work += goneSessions.size();
        goneSessions.clear();
        final long nowMs = clock.time();
        if (nowMs >= nextHeartbeatMs)
        {
            nextHeartbeatMs = nowMs + heartbeatIntervalMs;
            work += heartbeat();
        }
        return work + liveness.poll(nowMs);
    }

    /**
     * Hands the messages of up to {@code fragmentLimit} fragments to {@code messageHandler}, in order per sender; a
     * message the handler refuses stops the poll and comes again at the next one.
     */
    public int poll(final LinkMessageHandler messageHandler, final int fragmentLimit)
    {
        handler = messageHandler;
        pollNowMs = clock.time();
        try
        {
            return subscription.controlledPoll(assembler, fragmentLimit);
        }
        finally
        {
            handler = null;
        }
    }

    /**
     * Offers one message of {@code messageType} ({@link LinkHeader#MIN_MESSAGE_TYPE}..{@link
     * LinkHeader#MAX_MESSAGE_TYPE}) to {@code peerNode}; never blocks, never holds it.
     */
    public LinkOffer offer(
        final int peerNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        if (peerNode < 0 || peerNode >= memberCount || peerNode == self)
        {
            throw new IllegalArgumentException("not a peer node: " + peerNode);
        }
        checkMessage(messageType, length);
        return send(peerNode, messageType, buffer, offset, length);
    }

    /** Offers one message to every peer whose publication is connected; returns to how many it was sent. */
    public int broadcast(final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        checkMessage(messageType, length);
        int sent = 0;
        for (int node = 0; node < memberCount; node++)
        {
            if (node != self && publications[node].isConnected()
                && send(node, messageType, buffer, offset, length) == LinkOffer.SENT)
            {
                sent++;
            }
        }
        return sent;
    }

    public boolean isUp(final int node)
    {
        return liveness.isUp(node);
    }

    /** The incarnation {@code node} was last heard with (0 before it ever was). */
    public long peerIncarnation(final int node)
    {
        return liveness.incarnation(node);
    }

    /** When {@code node} goes down unless heard before (its last frame plus the timeout); meaningful while up. */
    long downDeadlineMs(final int node)
    {
        return liveness.downDeadlineMs(node);
    }

    /** This process's incarnation, in every header it sends. */
    public long incarnation()
    {
        return incarnation;
    }

    /** The largest payload one message may carry: {@link LinksContext#maxPayloadLength()}. */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    public int nodeIndex()
    {
        return self;
    }

    @Override
    public void close()
    {
        CloseHelper.close(aeron);
    }

    private void checkMessage(final int messageType, final int length)
    {
        if (messageType < LinkHeader.MIN_MESSAGE_TYPE || messageType > LinkHeader.MAX_MESSAGE_TYPE)
        {
            throw new IllegalArgumentException("link message type out of range: " + messageType);
        }
        if (length < 0 || length > maxPayloadLength)
        {
            throw new IllegalArgumentException(
                "link message length must be in [0, " + maxPayloadLength + "]: " + length);
        }
    }

    private LinkOffer send(
        final int node, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        outHeader.messageType(messageType).length(length);
        final long result = publications[node].offer(headerBuffer, 0, LinkHeader.LENGTH, buffer, offset, length);
        if (result > 0)
        {
            counters.messagesSent[node].increment();
            counters.bytesSent[node].getAndAdd(LinkHeader.LENGTH + length);
            return LinkOffer.SENT;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            counters.backPressured[node].increment();
            return LinkOffer.BACK_PRESSURED;
        }
        counters.notConnected[node].increment();
        return LinkOffer.NOT_CONNECTED;
    }

    private int heartbeat()
    {
        outHeader.messageType(LinkHeader.TYPE_HEARTBEAT).length(0);
        int sent = 0;
        for (int node = 0; node < memberCount; node++)
        {
            if (node != self && publications[node].offer(headerBuffer, 0, LinkHeader.LENGTH) > 0)
            {
                counters.heartbeatsSent[node].increment();
                sent++;
            }
        }
        return sent;
    }

    private Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < LinkHeader.LENGTH)
        {
            counters.droppedShort.increment();
            return Action.CONTINUE;
        }
        inHeader.wrap(buffer, offset);
        final int payloadLength = length - LinkHeader.LENGTH;
        final int messageType = inHeader.messageType();
        if (inHeader.length() != payloadLength)
        {
            counters.droppedLength.increment();
            return Action.CONTINUE;
        }
        if (messageType < LinkHeader.TYPE_HEARTBEAT || (messageType == LinkHeader.TYPE_HEARTBEAT && payloadLength != 0))
        {
            counters.droppedType.increment();
            return Action.CONTINUE;
        }
        final int origin = inHeader.originNode();
        if (origin < 0 || origin >= memberCount || origin == self)
        {
            counters.droppedOrigin.increment();
            return Action.CONTINUE;
        }
        if (!liveness.onHeard(origin, inHeader.incarnation(), header.sessionId(), pollNowMs))
        {
            counters.droppedStale.increment();
            return Action.CONTINUE;
        }
        if (messageType == LinkHeader.TYPE_HEARTBEAT)
        {
            counters.heartbeatsReceived[origin].increment();
            return Action.CONTINUE;
        }
        if (!handler.onMessage(origin, messageType, buffer, offset + LinkHeader.LENGTH, payloadLength))
        {
            counters.receiverFull[origin].increment();
            return Action.ABORT;
        }
        counters.messagesReceived[origin].increment();
        counters.bytesReceived[origin].getAndAdd(length);
        return Action.CONTINUE;
    }

    private void onUnavailableImage(final Image image)
    {
        goneSessions.addInt(image.sessionId());
    }
}
