package io.switchboard.edge.peerjs;

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
 * both kinds are UTF-8 text to the server, as in the reference. A message longer than the frame limit gets close
 * 1009 and the connection is cut. Runs on the socket's IO thread, so messages are handled in arrival order.
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

    public MessageReader(final Sink sink, final AtomicCounter closedTooLarge, final int maxBytes)
    {
        this.sink = sink;
        this.closedTooLarge = closedTooLarge;
        this.maxBytes = maxBytes;
    }

    @Override
    protected void onText(final WebSocketChannel channel, final StreamSourceFrameChannel message)
    {
        new Message().read(message);
    }

    @Override
    protected void onBinary(final WebSocketChannel channel, final StreamSourceFrameChannel message)
    {
        new Message().read(message);
    }

    /** One message being read, possibly across several read events. */
    private final class Message implements ChannelListener<StreamSourceFrameChannel>
    {
        private byte[] bytes = new byte[Math.min(INITIAL_BYTES, maxBytes + 1)];
        private int length;

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
                            tooLarge(message.getWebSocketChannel());
                            return false;
                        }
                        bytes = Arrays.copyOf(bytes, (int)Math.min((long)bytes.length * 2, maxBytes + 1L));
                    }
                    final int read = message.read(ByteBuffer.wrap(bytes, length, bytes.length - length));
                    if (read < 0)
                    {
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
        }
    }

    private void tooLarge(final WebSocketChannel channel)
    {
        closedTooLarge.increment();
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
