package io.switchboard.engine.links;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What this node's owners (the engine's handler thread, the signaling agents) send to the other cluster nodes: one
 * bounded queue per peer node (an Agrona {@link ManyToOneRingBuffer}), so a slow peer never holds another's messages
 * and the messages of one sender to one peer keep their order. Any thread may offer, without locks or allocation;
 * only the links agent drains, into the node links. A full queue refuses at once and is counted
 * ({@code switchboard_links_outbox_full_total{peer}}): nothing is buffered beyond it.
 */
public final class LinkOutbox
{
    /** Drains one queued message into the links; false when the peer's publication cannot take it now. */
    @FunctionalInterface
    public interface Sink
    {
        boolean send(int node, int messageType, DirectBuffer buffer, int offset, int length);
    }

    private final int self;
    private final int memberCount;
    private final ManyToOneRingBuffer[] queues;
    private final AtomicCounter[] full;
    private Sink sink;
    private int drainingNode;
    private boolean blocked;
    private final ControlledMessageHandler onQueued = this::onQueued;

    /**
     * @param self          this node's index in the cluster members
     * @param memberCount   how many members the cluster has
     * @param bytesPerPeer  capacity of each peer's queue (a power of two)
     * @param full          per node, the count of offers refused because its queue was full (own entry unused)
     */
    public LinkOutbox(final int self, final int memberCount, final int bytesPerPeer, final AtomicCounter[] full)
    {
        if (self < 0 || self >= memberCount)
        {
            throw new IllegalArgumentException("node " + self + " not in 0.." + (memberCount - 1));
        }
        this.self = self;
        this.memberCount = memberCount;
        this.full = full;
        queues = new ManyToOneRingBuffer[memberCount];
        for (int node = 0; node < memberCount; node++)
        {
            if (node != self)
            {
                queues[node] = new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                    bytesPerPeer + RingBufferDescriptor.TRAILER_LENGTH, 64)));
            }
        }
    }

    public int self()
    {
        return self;
    }

    public int memberCount()
    {
        return memberCount;
    }

    /** The largest message one offer takes. */
    public int maxMessageLength()
    {
        for (final ManyToOneRingBuffer queue : queues)
        {
            if (queue != null)
            {
                return queue.maxMsgLength();
            }
        }
        return 0;
    }

    /** Queues one message of {@code messageType} for {@code node}; false (counted) when its queue is full. */
    public boolean offer(
        final int node, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        if (node == self || node < 0 || node >= memberCount)
        {
            throw new IllegalArgumentException("not a peer node: " + node);
        }
        if (queues[node].write(messageType, buffer, offset, length))
        {
            return true;
        }
        full[node].increment();
        return false;
    }

    /** Queues one message for every peer node; returns how many queues took it (the others are counted full). */
    public int broadcast(final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        int queued = 0;
        for (int node = 0; node < memberCount; node++)
        {
            if (node != self && offer(node, messageType, buffer, offset, length))
            {
                queued++;
            }
        }
        return queued;
    }

    /**
     * Links agent only: hands up to {@code limit} queued messages for {@code node} to {@code sink}, in order, stopping
     * at the first the sink cannot take (it stays first in the queue). Returns how many were sent.
     */
    public int drain(final int node, final Sink sink, final int limit)
    {
        this.sink = sink;
        drainingNode = node;
        blocked = false;
        try
        {
            return queues[node].controlledRead(onQueued, limit);
        }
        finally
        {
            this.sink = null;
        }
    }

    /** Whether the last {@link #drain} stopped at a message the links could not take. */
    public boolean blocked()
    {
        return blocked;
    }

    /** Messages waiting for {@code node}, in bytes. */
    public int queuedBytes(final int node)
    {
        return queues[node] == null ? 0 : queues[node].size();
    }

    private ControlledMessageHandler.Action onQueued(
        final int messageType, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (sink.send(drainingNode, messageType, buffer, index, length))
        {
            return ControlledMessageHandler.Action.CONTINUE;
        }
        blocked = true;
        return ControlledMessageHandler.Action.ABORT;
    }
}
