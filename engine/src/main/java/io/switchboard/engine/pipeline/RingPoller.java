package io.switchboard.engine.pipeline;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import org.agrona.concurrent.Agent;

/**
 * The handler run as an agent on the receiver's thread (threading {@code shared}): it polls the ring instead of
 * waiting on it, so a datagram goes from socket to reply without a thread hand-off or a wake-up. The ring, its
 * slots and the single-writer rule are unchanged; other threads' commands still arrive through the ring.
 */
final class RingPoller implements Agent, EventPoller.Handler<RingSlot>
{
    private final EventPoller<RingSlot> poller;
    private final EngineHandler handler;
    private int polled;

    RingPoller(final RingBuffer<RingSlot> ring, final EngineHandler handler)
    {
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.handler = handler;
    }

    @Override
    public int doWork() throws Exception
    {
        polled = 0;
        poller.poll(this);
        if (polled > 0)
        {
            handler.countEvents(polled);
        }
        return polled;
    }

    @Override
    public boolean onEvent(final RingSlot slot, final long sequence, final boolean endOfBatch)
    {
        if (polled++ == 0)
        {
            handler.beginBatch();
        }
        handler.onEvent(slot, sequence, endOfBatch);
        return true;
    }

    /** On the agent's thread as it stops: handles what the ring still holds, then closes the protocols. */
    @Override
    public void onClose()
    {
        try
        {
            doWork();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            handler.onShutdown();
        }
    }

    @Override
    public String roleName()
    {
        return "switchboard-engine-poller";
    }
}
