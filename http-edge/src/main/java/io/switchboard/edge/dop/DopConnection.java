package io.switchboard.edge.dop;

import io.switchboard.edge.peerjs.MessageReader;
import io.switchboard.edge.websocket.WebSocketConnection;
import io.switchboard.engine.health.Watch;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.agrona.concurrent.status.AtomicCounter;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket of the dop listener. It starts with a temporary node of its own and ends up serving a session: the
 * one its handshake connected, or the one whose final token it presented. Frames go out in the order
 * {@link #send} is called.
 */
final class DopConnection implements MessageReader.Sink, WebSocketCallback<ByteBuffer>
{
    /** How long a closing socket waits for the peer's close frame before the TCP connection is cut. */
    private static final long CLOSE_GRACE_MS = 2_000;

    private final WebSocketChannel channel;
    private final DopSessions sessions;
    private final Watch timers;
    private final AtomicLong unsentBytes = new AtomicLong();
    /** The query's {@code id} and {@code key}: the PeerJS admission of the session this socket connects. */
    final String id;
    final String key;
    /** Its temporary node, then the session it serves; written on this socket's IO thread only. */
    volatile DopNode node;
    /** Connected or resumed: the handshake timeout no longer applies. */
    volatile boolean established;
    XnioExecutor.Key handshakeTimer;

    /** @param timers where its timers' failures are reported */
    DopConnection(
        final WebSocketChannel channel, final DopSessions sessions, final String id, final String key,
        final Watch timers)
    {
        this.channel = channel;
        this.sessions = sessions;
        this.timers = timers;
        this.id = id;
        this.key = key;
    }

    /**
     * Queues one text frame.
     *
     * @return false when the socket is closing, or when its unsent bytes would pass the limit (it is then closed as
     * a slow consumer, and its session waits for a resume with the frame queued).
     */
    boolean send(final byte[] frame)
    {
        if (!channel.isOpen() || channel.isCloseFrameSent())
        {
            return false;
        }
        final long before = unsentBytes.getAndAdd(frame.length);
        if (before > 0 && before + frame.length > sessions.maxSendBufferBytes())
        {
            unsentBytes.getAndAdd(-frame.length);
            close(sessions.counters().closedSlowConsumer);
            return false;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(frame);
        WebSockets.sendText(buffer, channel, this, buffer);
        return true;
    }

    /** Close 1000 without a cause, 1008 with one; the TCP connection is cut after {@link #CLOSE_GRACE_MS}. */
    void close(final AtomicCounter cause)
    {
        if (!channel.isOpen() || channel.isCloseFrameSent())
        {
            return;
        }
        if (cause != null)
        {
            cause.increment();
        }
        WebSockets.sendClose(cause == null ? 1000 : 1008, null, channel, null);
        after(() -> IoUtils.safeClose(channel), CLOSE_GRACE_MS);
    }

    /** Runs {@code task} on this socket's IO thread after {@code delayMs}; never while the server stops. */
    XnioExecutor.Key after(final Runnable task, final long delayMs)
    {
        try
        {
            return channel.getIoThread().executeAfter(timers.guard(task), delayMs, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            return XnioExecutor.Key.IMMEDIATE;
        }
    }

    /** As the appliance stops: close 1001; {@code sent} runs once the frame is written, or could not be. */
    void goAway(final Runnable sent)
    {
        if (!channel.isOpen() || channel.isCloseFrameSent())
        {
            sent.run();
            return;
        }
        WebSockets.sendClose(WebSocketConnection.GOING_AWAY, null, channel, new WebSocketCallback<>()
        {
            @Override
            public void complete(final WebSocketChannel ws, final Void context)
            {
                sent.run();
            }

            @Override
            public void onError(final WebSocketChannel ws, final Void context, final Throwable throwable)
            {
                sent.run();
            }
        });
    }

    @Override
    public void onMessage(final byte[] bytes, final int length)
    {
        sessions.onFrame(this, bytes, length);
    }

    @Override
    public void complete(final WebSocketChannel channel, final ByteBuffer frame)
    {
        unsentBytes.getAndAdd(-frame.capacity());
    }

    @Override
    public void onError(final WebSocketChannel channel, final ByteBuffer frame, final Throwable throwable)
    {
        unsentBytes.getAndAdd(-frame.capacity());
        IoUtils.safeClose(channel);
    }
}
