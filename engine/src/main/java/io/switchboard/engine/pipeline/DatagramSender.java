package io.switchboard.engine.pipeline;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Sends replies from one listener's socket, owned by the handler thread: encode into {@link #buffer()} then
 * {@link #send}. A full socket buffer drops the reply (counted) rather than blocking the handler. A listener bound to
 * an IPv4 and an IPv6 address has a socket of each family, and a reply leaves from the one of its destination's.
 */
public final class DatagramSender
{
    private final DatagramChannel ipv4;
    private final DatagramChannel ipv6;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private final AtomicCounter sent;
    private final AtomicCounter sendFailures;

    public DatagramSender(
        final DatagramChannel channel, final int capacity, final AtomicCounter sent, final AtomicCounter sendFailures)
    {
        this(new DatagramChannel[] {channel}, capacity, sent, sendFailures);
    }

    /** @param channels the listener's sockets, at most one per family (a dual-stack IPv6 one serves both) */
    public DatagramSender(
        final DatagramChannel[] channels, final int capacity, final AtomicCounter sent, final AtomicCounter sendFailures)
    {
        DatagramChannel v4 = null;
        DatagramChannel v6 = null;
        for (final DatagramChannel channel : channels)
        {
            if (isIpv4(channel))
            {
                v4 = channel;
            }
            else
            {
                v6 = channel;
            }
        }
        this.ipv4 = v4 != null ? v4 : v6;
        this.ipv6 = v6 != null ? v6 : v4;
        this.byteBuffer = ByteBuffer.allocateDirect(capacity);
        this.buffer = new UnsafeBuffer(byteBuffer);
        this.sent = sent;
        this.sendFailures = sendFailures;
    }

    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /** Sends {@code buffer()[0, length)}; false when the kernel refused it. */
    public boolean send(final int length, final SocketAddress destination)
    {
        byteBuffer.clear().limit(length);
        try
        {
            final DatagramChannel channel = ipv4 == ipv6 ||
                ((InetSocketAddress)destination).getAddress() instanceof Inet4Address ? ipv4 : ipv6;
            if (channel.send(byteBuffer, destination) == length)
            {
                sent.incrementRelease();
                return true;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Unreachable destinations and closed sockets are the peer's problem, never the handler's.
        }
        sendFailures.incrementRelease();
        return false;
    }

    private static boolean isIpv4(final DatagramChannel channel)
    {
        try
        {
            return ((InetSocketAddress)channel.getLocalAddress()).getAddress() instanceof Inet4Address;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false; // unbound (a test's socket): a single channel, used for every destination
        }
    }
}
