package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.WebSocketConnection;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One WebSocket connection of the PeerJS listener: the id it holds once admitted, its liveness (only HEARTBEAT
 * counts) and the connection its frames go out on, in the order {@link #send} is called. It is its own liveness
 * deadline, so an idle socket costs the wheel nothing but one visit per alive timeout.
 */
final class PeerSocket extends DeadlineWheel.Deadline implements SignalEndpoint, WebSocketConnection.Handler
{
    /** Null until attached and once closed, so a socket waiting in the wheel holds no connection. */
    private volatile WebSocketConnection connection;
    private final Realm realm;
    private volatile Client client;
    volatile long lastHeartbeatMs;

    PeerSocket(final Realm realm, final long nowMs)
    {
        this.realm = realm;
        this.lastHeartbeatMs = nowMs;
    }

    void attach(final WebSocketConnection connection)
    {
        this.connection = connection;
    }

    /**
     * Sends one text frame, copied before this returns.
     *
     * @return false when the socket is closing, or when its unsent bytes would pass the limit (it is then closed as
     * a slow consumer); the frame is not sent then.
     */
    @Override
    public boolean send(final byte[] frame, final int length)
    {
        final WebSocketConnection connection = this.connection;
        if (connection == null)
        {
            return false;
        }
        final long queued = connection.queuedBytes();
        if (queued > 0 && queued + length > realm.maxSendBufferBytes())
        {
            close(realm.counters().closedSlowConsumer);
            return false;
        }
        return connection.sendText(frame, length);
    }

    @Override
    public void sendAndClose(final byte[] frame)
    {
        send(frame, frame.length);
        close(null);
    }

    /**
     * Close 1000 (the reference sends an empty close frame, 1005; the client ignores the code), then the TCP
     * connection is cut once the peer answers or after {@link WebSocketConnection#CLOSE_GRACE_MS}.
     */
    @Override
    public void close(final AtomicCounter cause)
    {
        final WebSocketConnection connection = this.connection;
        if (connection == null || connection.isClosing())
        {
            return;
        }
        if (cause != null)
        {
            cause.increment();
        }
        connection.close(WebSocketConnection.NORMAL_CLOSURE);
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

    /** The array is the connection's, valid during the call: the realm copies what it relays or queues. */
    @Override
    public void onMessage(final byte[] bytes, final int length)
    {
        realm.onMessage(this, bytes, length);
    }

    /** The connection is gone: the realm forgets this socket. */
    @Override
    public void onClosed()
    {
        realm.disconnected(this);
    }

    /** Drops the connection, so the socket holds nothing of it while it waits in the wheel. */
    void closed()
    {
        connection = null;
    }

    @Override
    long expire(final long nowMs)
    {
        final WebSocketConnection connection = this.connection;
        if (connection == null || !connection.isOpen())
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
}
