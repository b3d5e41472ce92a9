package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.PartialBudget;
import io.switchboard.engine.health.Watch;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.StreamSourceFrameChannel;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.agrona.concurrent.status.AtomicCounter;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads each text or binary message of one socket, fragments joined, into a heap array and hands it to its sink;
 * both kinds are UTF-8 text to the server, as in the reference. A message longer than the frame limit or than one
 * socket's unfinished message may be, or whose array the {@link PartialBudget} cannot hold, gets close 1009 and the
 * connection is cut; the array's bytes go back to the budget when the message is complete or the socket closes. Runs
 * on the socket's IO thread, so messages are handled in arrival order; what reading or the sink throws is reported to
 * the {@link Watch} (XNIO would only log it) and cuts the connection.
 */
public final class MessageReader extends AbstractReceiveListener
{
    /** Where a socket's complete messages go. */
    public interface Sink
    {
        /** One message in {@code bytes[0, length)}; the array is the sink's to keep. */
        void onMessage(byte[] bytes, int length);
    }

    private static final int INITIAL_BYTES = 1024;

    private final Sink sink;
    private final AtomicCounter closedTooLarge;
    private final int maxBytes;
    private final PartialBudget partials;
    private final Watch watch;
    /** The longest message read: one byte more of array tells a longer one. */
    private final long longest;
    /** Bytes of the budget the unfinished message holds; any thread may close the socket, so under this. */
    private long held;
    /** Closed, or refused: the rest of what the socket sends is not read. */
    private boolean closed;

    /** Reads {@code channel}'s messages from now on. */
    public MessageReader(
        final WebSocketChannel channel,
        final Sink sink,
        final AtomicCounter closedTooLarge,
        final int maxBytes,
        final PartialBudget partials,
        final Watch watch)
    {
        this.sink = sink;
        this.closedTooLarge = closedTooLarge;
        this.maxBytes = maxBytes;
        this.partials = partials;
        this.watch = watch;
        this.longest = Math.min(maxBytes, partials.perSocketBytes());
        channel.addCloseTask(ws -> letGo(true));
        channel.getReceiveSetter().set(this);
    }

    /** Takes {@code bytes} more for the unfinished message; false when the socket is closed or would pass a limit. */
    private synchronized boolean hold(final int bytes)
    {
        if (closed || !partials.take(bytes))
        {
            return false;
        }
        held += bytes;
        return true;
    }

    /** The unfinished message is done with; {@code socketClosed}: and no other will be read. */
    private synchronized void letGo(final boolean socketClosed)
    {
        partials.give(held);
        held = 0;
        closed |= socketClosed;
    }

    /** Close 1009 once, giving the bytes back at once; the rest of the message is discarded, not read. */
    private void refuse(final StreamSourceFrameChannel message)
    {
        IoUtils.safeClose(message);
        final boolean first;
        synchronized (this)
        {
            first = !closed;
            letGo(true);
        }
        if (first)
        {
            tooLarge(message.getWebSocketChannel());
        }
    }

    @Override
    protected void onText(final WebSocketChannel channel, final StreamSourceFrameChannel message)
    {
        read(message);
    }

    @Override
    protected void onBinary(final WebSocketChannel channel, final StreamSourceFrameChannel message)
    {
        read(message);
    }

    private void read(final StreamSourceFrameChannel message)
    {
        final int initialBytes = (int)Math.min(INITIAL_BYTES, longest + 1);
        if (hold(initialBytes))
        {
            new Message(new byte[initialBytes]).read(message);
        }
        else
        {
            refuse(message);
        }
    }

    /** One message being read, possibly across several read events. */
    private final class Message implements ChannelListener<StreamSourceFrameChannel>
    {
        private byte[] bytes;
        private int length;

        Message(final byte[] bytes)
        {
            this.bytes = bytes;
        }

        void read(final StreamSourceFrameChannel message)
        {
            if (readAvailable(message))
            {
                message.getReadSetter().set(this);
                message.resumeReads();
            }
        }

        @Override
        public void handleEvent(final StreamSourceFrameChannel message)
        {
            if (!readAvailable(message))
            {
                message.suspendReads();
                message.getReadSetter().set(null);
            }
        }

        /** @return true when the message is incomplete and more must be awaited. */
        private boolean readAvailable(final StreamSourceFrameChannel message)
        {
            try
            {
                while (true)
                {
                    if (length == bytes.length)
                    {
                        if (length > maxBytes)
                        {
                            closedTooLarge.increment();
                            refuse(message);
                            return false;
                        }
                        final int grown = (int)Math.min((long)bytes.length * 2, longest + 1);
                        if (!partials.fitsOneSocket(length) || !hold(grown - bytes.length))
                        {
                            refuse(message);
                            return false;
                        }
                        bytes = Arrays.copyOf(bytes, grown);
                    }
                    final int read = message.read(ByteBuffer.wrap(bytes, length, bytes.length - length));
                    if (read < 0)
                    {
                        letGo(false);
                        sink.onMessage(bytes, length);
                        return false;
                    }
                    if (read == 0)
                    {
                        return true;
                    }
                    length += read;
                }
            }
            catch (final IOException ex)
            {
                IoUtils.safeClose(message.getWebSocketChannel());
                return false;
            }
            catch (final RuntimeException | Error ex)
            {
                watch.onError(ex);
                IoUtils.safeClose(message.getWebSocketChannel());
                return false;
            }
        }
    }

    /** Close 1009, then the connection is cut. */
    private void tooLarge(final WebSocketChannel channel)
    {
        WebSockets.sendClose(CloseMessage.MSG_TOO_BIG, null, channel, new WebSocketCallback<>()
        {
            @Override
            public void complete(final WebSocketChannel ws, final Void context)
            {
                IoUtils.safeClose(ws);
            }

            @Override
            public void onError(final WebSocketChannel ws, final Void context, final Throwable throwable)
            {
                IoUtils.safeClose(ws);
            }
        });
    }
}
