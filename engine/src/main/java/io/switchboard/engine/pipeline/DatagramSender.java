package io.switchboard.engine.pipeline;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Sends replies from one listener's socket, owned by the handler thread: encode into {@link #buffer()} then
 * {@link #send}. A full socket buffer drops the reply (counted) rather than blocking the handler.
 */
public final class DatagramSender
{
    private final DatagramChannel channel;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private final AtomicCounter sent;
    private final AtomicCounter sendFailures;

    public DatagramSender(
        final DatagramChannel channel, final int capacity, final AtomicCounter sent, final AtomicCounter sendFailures)
    {
        this.channel = channel;
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
}
