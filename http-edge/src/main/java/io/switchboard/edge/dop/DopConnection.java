package io.switchboard.edge.dop;

import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.edge.websocket.WebSocketConnection;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetAddress;


/**
 * One WebSocket of the dop listener, owned by a signaling agent like a PeerJS socket. It starts with a temporary
 * node of its own and ends up serving a session: the one its handshake connected, or the one whose final token it
 * presented. Frames go out in the order {@link #send} is called; its timers are on its agent's wheel.
 */
final class DopConnection implements WebSocketConnection.Endpoint
{
    static final long NO_TIMER = -1;

    private final DopSessions sessions;
    /** The query's {@code id} and {@code key}: the PeerJS admission of the session this socket connects. */
    final String id;
    final String key;
    private WebSocketConnection connection;
    /** Its temporary node, then the session it serves (agent's thread only). */
    DopNode node;
    /** Connected or resumed: the handshake timeout no longer applies (agent's thread only). */
    boolean established;
    /** The handshake timeout on the agent's wheel, or {@link #NO_TIMER} (agent's thread only). */
    long handshakeTimer = NO_TIMER;

    DopConnection(final DopSessions sessions, final String id, final String key)
    {
        this.sessions = sessions;
        this.id = id;
        this.key = key;
    }

    @Override
    public void attach(final WebSocketConnection connection)
    {
        this.connection = connection;
    }

    /**
     * Sends one text frame.
     *
     * @return false when the socket is closing, or when its unsent bytes would pass the limit (it is then closed as
     * a slow consumer, and its session waits for a resume with the frame queued).
     */
    boolean send(final byte[] frame)
    {
        return send(frame, frame.length);
    }

    /** {@link #send(byte[])} of {@code frame[0, length)}, copied before this returns. */
    boolean send(final byte[] frame, final int length)
    {
        if (connection.isClosing())
        {
            return false;
        }
        final long queued = connection.queuedBytes();
        if (queued > 0 && queued + length > sessions.maxSendBufferBytes())
        {
            close(sessions.counters().closedSlowConsumer);
            return false;
        }
        return connection.sendText(frame, length);
    }

    /** Close 1000 without a cause, 1008 with one; the TCP connection is cut after the close grace. */
    void close(final AtomicCounter cause)
    {
        if (connection.isClosing())
        {
            return;
        }
        if (cause != null)
        {
            cause.increment();
        }
        connection.close(cause == null ? WebSocketConnection.NORMAL_CLOSURE : WebSocketConnection.POLICY_VIOLATION);
    }

    /** The client's address, or null when the socket no longer knows it. */
    InetAddress clientHost()
    {
        return connection.clientHost();
    }

    /** On the agent's thread: {@code timer} runs there after {@code delayMs}. */
    long after(final long delayMs, final SignalingAgent.Timer timer)
    {
        return connection.scheduleAfter(delayMs, timer);
    }

    /** On the agent's thread: the timer {@link #after} returned will not fire. */
    void cancelTimer(final long timerId)
    {
        connection.cancelTimer(timerId);
    }

    /** On the agent's thread: the handshake timeout no longer applies. */
    void stopHandshakeTimer()
    {
        if (handshakeTimer != NO_TIMER)
        {
            connection.cancelTimer(handshakeTimer);
            handshakeTimer = NO_TIMER;
        }
    }

    @Override
    public void onStarted()
    {
        sessions.opened(this);
    }

    @Override
    public void onMessage(final byte[] bytes, final int length)
    {
        sessions.onFrame(this, bytes, length);
    }

    @Override
    public void onClosed()
    {
        sessions.closed(this);
    }
}
