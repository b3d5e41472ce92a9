package io.switchboard.engine.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Reads datagrams from every listener's non-blocking channel and publishes each into a ring slot. Owns nothing but
 * its duty: datagrams too long for a slot, or arriving while the ring is full, are counted and dropped here so the
 * handler never sees them.
 */
public final class UdpReceiver implements Agent
{
    /** Datagrams read from one channel before looking at the next, so one flooded port cannot starve another. */
    static final int BURST = 64;

    private final DatagramChannel[] channels;
    /** Each channel's listener: a listener has one channel per bind address. */
    private final int[] listenerOf;
    private final RingBuffer<RingSlot> ring;
    private final ByteBuffer[] staged;
    private final InetSocketAddress[] stagedSources;
    private final int slotCapacity;
    private final AtomicCounter[] received;
    private final AtomicCounter[] oversize;
    private final AtomicCounter[] ringFull;

    UdpReceiver(
        final DatagramChannel[] channels,
        final int[] listenerOf,
        final RingBuffer<RingSlot> ring,
        final int slotCapacity,
        final AtomicCounter[] received,
        final AtomicCounter[] oversize,
        final AtomicCounter[] ringFull)
    {
        this.channels = channels;
        this.listenerOf = listenerOf;
        this.ring = ring;
        this.slotCapacity = slotCapacity;
        this.staged = new ByteBuffer[BURST];
        this.stagedSources = new InetSocketAddress[BURST];
        for (int i = 0; i < BURST; i++)
        {
            // One byte more than a slot holds, so an oversize datagram is seen as such rather than silently truncated.
            staged[i] = ByteBuffer.allocateDirect(slotCapacity + 1);
        }
        this.received = received;
        this.oversize = oversize;
        this.ringFull = ringFull;
    }

    @Override
    public int doWork() throws IOException
    {
        int work = 0;
        for (int i = 0; i < channels.length; i++)
        {
            work += drain(channels[i], listenerOf[i]);
        }
        return work;
    }

    /**
     * Reads what the socket holds (up to a burst), then publishes it into the ring as one range: the handler is
     * signalled once per burst rather than once per datagram.
     */
    private int drain(final DatagramChannel channel, final int listener) throws IOException
    {
        int count = 0;
        int accepted = 0;
        while (count < BURST)
        {
            final ByteBuffer buffer = staged[accepted];
            buffer.clear();
            final InetSocketAddress source = (InetSocketAddress)channel.receive(buffer);
            if (source == null)
            {
                break;
            }
            count++;
            if (buffer.position() > slotCapacity)
            {
                oversize[listener].incrementRelease();
                continue;
            }
            stagedSources[accepted++] = source;
        }
        if (count > 0)
        {
            received[listener].getAndAddRelease(count);
        }
        if (accepted > 0)
        {
            publish(listener, accepted);
        }
        return count;
    }

    private void publish(final int listener, final int accepted)
    {
        final long hi;
        try
        {
            hi = ring.tryNext(accepted);
        }
        catch (final InsufficientCapacityException ex)
        {
            ringFull[listener].getAndAddRelease(accepted);
            return;
        }
        final long lo = hi - accepted + 1;
        for (int i = 0; i < accepted; i++)
        {
            final ByteBuffer buffer = staged[i];
            final InetSocketAddress source = stagedSources[i];
            final RingSlot slot = ring.get(lo + i);
            slot.buffer().putBytes(0, buffer, 0, buffer.position());
            slot.datagram(listener, buffer.position(), source, SocketAddresses.fingerprint(source));
            stagedSources[i] = null;
        }
        ring.publish(lo, hi);
    }

    @Override
    public String roleName()
    {
        return "switchboard-udp-receiver";
    }
}
