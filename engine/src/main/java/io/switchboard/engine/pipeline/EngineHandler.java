package io.switchboard.engine.pipeline;

import com.lmax.disruptor.EventHandler;
import io.switchboard.engine.command.CommandHeader;
import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.LinkCommand;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The single writer: the one thread that decodes datagrams, applies commands and mutates engine state. It routes
 * each slot to the protocol of the listener it arrived on; commands go to the protocol that owns their type. At the
 * start of each batch whose clock moved it polls the protocols' one timer wheel, then ticks them.
 */
final class EngineHandler implements EventHandler<RingSlot>
{
    private static final Logger LOG = LoggerFactory.getLogger(EngineHandler.class);

    private final UdpProtocol[] protocols;
    private final EngineClock clock;
    private final EngineTimers timers;
    private final AtomicCounter unknownCommands;
    private final AtomicCounter handlerErrors;
    private final AtomicCounter batches;
    private final AtomicCounter events;
    private final CountDownLatch closed = new CountDownLatch(1);
    private long lastTickMs;

    EngineHandler(
        final UdpProtocol[] protocols,
        final EngineClock clock,
        final EngineTimers timers,
        final AtomicCounter unknownCommands,
        final AtomicCounter handlerErrors,
        final AtomicCounter batches,
        final AtomicCounter events)
    {
        this.batches = batches;
        this.events = events;
        this.protocols = protocols;
        this.clock = clock;
        this.timers = timers;
        this.unknownCommands = unknownCommands;
        this.handlerErrors = handlerErrors;
    }

    @Override
    public void onBatchStart(final long batchSize, final long queueDepth)
    {
        beginBatch();
        countEvents(batchSize);
    }

    /** Once per wake-up, before its first event: reads the clock and runs the protocols' timers when it moved. */
    void beginBatch()
    {
        batches.incrementRelease();
        clock.update();
        final long nowMs = clock.nowMs();
        if (nowMs != lastTickMs)
        {
            lastTickMs = nowMs;
            try
            {
                timers.poll(nowMs);
                for (final UdpProtocol protocol : protocols)
                {
                    protocol.onTick(nowMs);
                }
            }
            catch (final RuntimeException ex)
            {
                // As for an event: the timers still due, and the ticks not run, follow at the next batch.
                handlerErrors.incrementRelease();
                LOG.warn("engine timer error", ex);
            }
        }
    }

    void countEvents(final long count)
    {
        events.getAndAddRelease(count);
    }

    @Override
    public void onEvent(final RingSlot slot, final long sequence, final boolean endOfBatch)
    {
        try
        {
            if (slot.kind() == RingSlot.KIND_DATAGRAM)
            {
                protocols[slot.listener()].onDatagram(
                    slot.buffer(), slot.length(), slot.source(), slot.sourceFingerprint());
            }
            else
            {
                onCommand(slot);
            }
        }
        catch (final RuntimeException ex)
        {
            // One bad event must never stop the engine; it is counted and the next one is handled.
            handlerErrors.incrementRelease();
            LOG.warn("engine handler error", ex);
        }
    }

    private void onCommand(final RingSlot slot)
    {
        if (slot.length() < CommandHeader.LENGTH)
        {
            unknownCommands.incrementRelease();
            return;
        }
        final int type = CommandHeader.type(slot.buffer(), 0);
        if (type == CommandType.TICK)
        {
            return;
        }
        if (type == CommandType.LINK_MESSAGE)
        {
            onLinkMessage(slot);
            return;
        }
        if (type == CommandType.LINK_PEER)
        {
            final DirectBuffer buffer = slot.buffer();
            for (final UdpProtocol protocol : protocols)
            {
                protocol.onPeerNode(LinkCommand.node(buffer, 0), LinkCommand.up(buffer, 0),
                    LinkCommand.incarnation(buffer, 0));
            }
            return;
        }
        for (final UdpProtocol protocol : protocols)
        {
            if (protocol.onCommand(type, slot.buffer(), 0, slot.length()))
            {
                return;
            }
        }
        unknownCommands.incrementRelease();
    }

    private void onLinkMessage(final RingSlot slot)
    {
        final DirectBuffer buffer = slot.buffer();
        final int originNode = LinkCommand.originNode(buffer, 0);
        final int messageType = LinkCommand.messageType(buffer, 0);
        final int length = slot.length() - LinkCommand.MESSAGE_OFFSET;
        for (final UdpProtocol protocol : protocols)
        {
            if (protocol.onLinkMessage(originNode, messageType, buffer, LinkCommand.MESSAGE_OFFSET, length))
            {
                return;
            }
        }
        unknownCommands.incrementRelease();
    }

    @Override
    public void onShutdown()
    {
        for (final UdpProtocol protocol : protocols)
        {
            try
            {
                protocol.close();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("error closing {}", protocol, ex);
            }
        }
        closed.countDown();
    }

    /** Waits for {@link #onShutdown()} on the handler thread: the Disruptor's halt does not. */
    boolean awaitClosed(final long timeoutMs) throws InterruptedException
    {
        return closed.await(timeoutMs, TimeUnit.MILLISECONDS);
    }
}
