package io.switchboard.edge.peerjs;

import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.agrona.concurrent.status.AtomicCounter;
import org.xnio.IoUtils;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection of the PeerJS listener: the id it holds once admitted, its liveness (only HEARTBEAT
 * counts) and its unsent bytes. It is its own liveness deadline, so an idle socket costs the wheel nothing but one
 * visit per alive timeout. Frames go out in the order {@link #send} is called.
 */
final class PeerSocket extends DeadlineWheel.Deadline
    implements SignalEndpoint, MessageReader.Sink, WebSocketCallback<ByteBuffer>
{
    /** How long a closing socket waits for the peer's close frame before the TCP connection is cut. */
    static final long CLOSE_GRACE_MS = 2_000;
    private static final VarHandle UNSENT_BYTES;

    static
    {
        try
        {
            UNSENT_BYTES = MethodHandles.lookup().findVarHandle(PeerSocket.class, "unsentBytes", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Null once closed, so that a socket waiting in the wheel until its deadline holds nothing of Undertow's. */
    private volatile WebSocketChannel channel;
    private final Realm realm;
    private volatile Client client;
    volatile long lastHeartbeatMs;
    @SuppressWarnings("unused")
    private volatile long unsentBytes;

    PeerSocket(final WebSocketChannel channel, final Realm realm, final long nowMs)
    {
        this.channel = channel;
        this.realm = realm;
        this.lastHeartbeatMs = nowMs;
    }

    /**
     * Queues one text frame.
     *
     * @return false when the socket is closing, or when its unsent bytes would pass the limit (it is then closed as
     * a slow consumer); the frame is not sent then.
     */
    @Override
    public boolean send(final byte[] frame)
    {
        final WebSocketChannel channel = this.channel;
        if (channel == null || !channel.isOpen() || channel.isCloseFrameSent())
        {
            return false;
        }
        final long before = (long)UNSENT_BYTES.getAndAdd(this, (long)frame.length);
        if (before > 0 && before + frame.length > realm.maxSendBufferBytes())
        {
            UNSENT_BYTES.getAndAdd(this, (long)-frame.length);
            close(realm.counters().closedSlowConsumer);
            return false;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(frame);
        WebSockets.sendText(buffer, channel, this, buffer);
        return true;
    }

    @Override
    public void sendAndClose(final byte[] frame)
    {
        send(frame);
        close(null);
    }

    /**
     * Close 1000 (the reference sends an empty close frame, 1005; the client ignores the code), then the TCP
     * connection is cut once the peer answers or after {@link #CLOSE_GRACE_MS}.
     */
    @Override
    public void close(final AtomicCounter cause)
    {
        final WebSocketChannel channel = this.channel;
        if (channel == null || !channel.isOpen() || channel.isCloseFrameSent())
        {
            return;
        }
        if (cause != null)
        {
            cause.increment();
        }
        WebSockets.sendClose(CloseMessage.NORMAL_CLOSURE, null, channel, null);
        channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void heartbeat()
    {
        lastHeartbeatMs = DeadlineWheel.nowMs();
    }

    @Override
    public Client registration()
    {
        return client;
    }

    @Override
    public void registration(final Client client)
    {
        this.client = client;
    }

    @Override
    public void onMessage(final byte[] bytes, final int length)
    {
        realm.onMessage(this, bytes, length);
    }

    /** The connection is gone: drop it. */
    void closed()
    {
        channel = null;
    }

    @Override
    long expire(final long nowMs)
    {
        final WebSocketChannel channel = this.channel;
        if (channel == null || !channel.isOpen())
        {
            return DeadlineWheel.NONE;
        }
        final long dueMs = lastHeartbeatMs + realm.aliveTimeoutMs();
        if (nowMs >= dueMs)
        {
            close(realm.counters().closedAliveTimeout);
            return DeadlineWheel.NONE;
        }
        return dueMs;
    }

    @Override
    public void complete(final WebSocketChannel channel, final ByteBuffer frame)
    {
        UNSENT_BYTES.getAndAdd(this, (long)-frame.capacity());
    }

    @Override
    public void onError(final WebSocketChannel channel, final ByteBuffer frame, final Throwable throwable)
    {
        UNSENT_BYTES.getAndAdd(this, (long)-frame.capacity());
        IoUtils.safeClose(channel);
    }
}
