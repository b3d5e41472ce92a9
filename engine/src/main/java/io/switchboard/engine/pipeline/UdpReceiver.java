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
    private final RingBuffer<RingSlot> ring;
    private final ByteBuffer scratch;
    private final int slotCapacity;
    private final AtomicCounter[] received;
    private final AtomicCounter[] oversize;
    private final AtomicCounter[] ringFull;

    UdpReceiver(
        final DatagramChannel[] channels,
        final RingBuffer<RingSlot> ring,
        final int slotCapacity,
        final AtomicCounter[] received,
        final AtomicCounter[] oversize,
        final AtomicCounter[] ringFull)
    {
        this.channels = channels;
        this.ring = ring;
        this.slotCapacity = slotCapacity;
        // One byte more than a slot holds, so an oversize datagram is seen as such rather than silently truncated.
        this.scratch = ByteBuffer.allocateDirect(slotCapacity + 1);
        this.received = received;
        this.oversize = oversize;
        this.ringFull = ringFull;
    }

    @Override
    public int doWork() throws IOException
    {
        int work = 0;
        for (int listener = 0; listener < channels.length; listener++)
        {
            work += drain(listener);
        }
        return work;
    }

    private int drain(final int listener) throws IOException
    {
        final DatagramChannel channel = channels[listener];
        int count = 0;
        while (count < BURST)
        {
            scratch.clear();
            final InetSocketAddress source = (InetSocketAddress)channel.receive(scratch);
            if (source == null)
            {
                break;
            }
            count++;
            received[listener].incrementRelease();
            final int length = scratch.position();
            if (length > slotCapacity)
            {
                oversize[listener].incrementRelease();
                continue;
            }
            final long sequence;
            try
            {
                sequence = ring.tryNext();
            }
            catch (final InsufficientCapacityException ex)
            {
                ringFull[listener].incrementRelease();
                continue;
            }
            final RingSlot slot = ring.get(sequence);
            slot.buffer().putBytes(0, scratch, 0, length);
            slot.datagram(listener, length, source, SocketAddresses.fingerprint(source));
            ring.publish(sequence);
        }
        return count;
    }

    @Override
    public String roleName()
    {
        return "switchboard-udp-receiver";
    }
}
