package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.edge.websocket.WebSocketConnection;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One WebSocket connection of the PeerJS listener, on the signaling agent that owns the id its query names: the id
 * it holds once admitted (by that agent's {@link RealmShard}, as the agent starts reading it), its liveness (only
 * HEARTBEAT counts) and the connection its frames go out on, in the order {@link #send} is called. Everything here
 * runs on the owning agent's thread.
 * <p>
 * Its liveness deadline is a timer on the wheel of the signaling agent that owns the connection: armed when the agent
 * starts reading the socket, re-armed lazily (a HEARTBEAT only moves {@code lastHeartbeatMs}; when the timer fires
 * early for that, it is scheduled again at the last heartbeat plus the alive timeout), cancelled when the connection
 * is gone. So an idle socket costs its agent one timer visit per alive timeout. The liveness state
 * ({@code lastHeartbeatMs}, {@code aliveTimer}) is touched by the owning agent's thread only.
 */
final class PeerSocket implements SignalEndpoint, WebSocketConnection.Handler, SignalingAgent.Timer
{
    private static final long NO_TIMER = -1;

    /** Null until attached and once closed, so a closed socket holds no connection. */
    private WebSocketConnection connection;
    private final RealmShard shard;
    /** The query's parameters, until admission. */
    private WsQuery query;
    private Client client;
    /** The last HEARTBEAT (or the start), on the owning agent's clock; that agent's thread only. */
    private long lastHeartbeatMs;
    /** The liveness timer on the owning agent's wheel, or {@link #NO_TIMER}; that agent's thread only. */
    private long aliveTimer = NO_TIMER;

    /** A socket whose upgrade carried {@code query}, on the agent of {@code shard}. */
    PeerSocket(final RealmShard shard, final WsQuery query)
    {
        this.shard = shard;
        this.query = query;
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
        if (queued > 0 && queued + length > shard.realm().maxSendBufferBytes())
        {
            close(shard.realm().counters().closedSlowConsumer);
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

    /** On the owning agent's thread (the realm calls it for this socket's own HEARTBEAT): the deadline moves. */
    @Override
    public void heartbeat()
    {
        final WebSocketConnection connection = this.connection;
        if (connection != null)
        {
            lastHeartbeatMs = connection.nowMs();
        }
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
        shard.onMessage(this, bytes, length);
    }

    /**
     * The agent reads the socket from now on: admission (spec 3.2) by the shard that owns the id, then, when admitted,
     * its liveness runs from now, on the agent's wheel.
     */
    @Override
    public void onStarted()
    {
        shard.admit(this, query.id(), query.token(), query.key(),
            connection == null ? null : connection.clientHost());
        query = null;
        final WebSocketConnection connection = this.connection;
        if (connection == null || connection.isClosing())
        {
            return; // refused at admission: the close grace ends it
        }
        lastHeartbeatMs = connection.nowMs();
        aliveTimer = connection.scheduleAfter(shard.realm().aliveTimeoutMs(), this);
    }

    /** The connection is gone: its liveness timer goes and the realm forgets this socket. */
    @Override
    public void onClosed()
    {
        final WebSocketConnection connection = this.connection;
        if (aliveTimer != NO_TIMER && connection != null)
        {
            connection.cancelTimer(aliveTimer);
        }
        aliveTimer = NO_TIMER;
        shard.disconnected(this);
    }

    /** Drops the connection, so a closed socket holds nothing of it. */
    void closed()
    {
        connection = null;
    }

    /**
     * The liveness timer fired ({@code nowMs} on the agent's clock): closed (counted as an alive timeout) when no
     * HEARTBEAT came for the alive timeout, else armed again at the last heartbeat plus the timeout.
     */
    @Override
    public void onDeadline(final long nowMs)
    {
        aliveTimer = NO_TIMER;
        final WebSocketConnection connection = this.connection;
        if (connection == null || connection.isClosing())
        {
            return;
        }
        final long dueMs = lastHeartbeatMs + shard.realm().aliveTimeoutMs();
        if (nowMs >= dueMs)
        {
            close(shard.realm().counters().closedAliveTimeout);
            return;
        }
        aliveTimer = connection.scheduleAfter(dueMs - nowMs, this);
    }
}
