package io.switchboard.edge.dop;

import io.switchboard.edge.peerjs.Client;
import io.switchboard.edge.peerjs.SignalEndpoint;
import io.switchboard.protocol.dop.DopState;
import io.switchboard.protocol.dop.DopToken;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Arrays;

/**
 * The server side of one dop node (spec 2.5): a socket's temporary node during the handshake, then a session that
 * outlives its sockets, registered by its final token. A session is a PeerJS {@link SignalEndpoint}: frames for it
 * go out at once while it is connected and wait in its queue while it is not. Touched by the thread of the agent
 * that owns its id only; {@link DopSessions} holds the rules.
 */
final class DopNode implements SignalEndpoint
{
    private final DopSessions sessions;
    final byte[] tokenLocal;
    final DopQueue queue;
    DopState state = DopState.OPEN;
    byte[] tokenRemote;
    String finalToken;
    byte[] finalBytes;
    /** The socket it speaks on; null while reconnecting and once disconnected. */
    DopConnection connection;
    /** While reconnecting: the lost socket, on whose agent's wheel the retention deadline is, and its timer. */
    DopConnection retainedBy;
    long retentionTimer = DopConnection.NO_TIMER;

    private Client registration;

    DopNode(final DopSessions sessions, final String tokenLocal, final DopQueue queue)
    {
        this.sessions = sessions;
        this.tokenLocal = DopToken.utf8(tokenLocal);
        this.queue = queue;
    }

    static boolean matches(final byte[] bytes, final int length, final byte[] token)
    {
        return token != null && Arrays.equals(bytes, 0, length, token, 0, token.length);
    }

    /**
     * Realm frames: sent while connected and nothing waits before them, else queued; refused once ended. The socket
     * copies what it sends before returning; only a queued frame (sent again after a resume) is kept as a copy.
     */
    @Override
    public boolean send(final byte[] frame, final int length)
    {
        if (state == DopState.DISCONNECTED)
        {
            return false;
        }
        if (state != DopState.CONNECTED || !queue.isEmpty() || !connection.send(frame, length))
        {
            queue.add(Arrays.copyOf(frame, length));
        }
        return true;
    }

    @Override
    public void sendAndClose(final byte[] frame)
    {
        send(frame, frame.length);
        sessions.disconnect(this);
    }

    @Override
    public void close(final AtomicCounter cause)
    {
        if (sessions.disconnect(this) && cause != null)
        {
            cause.increment();
        }
    }

    /** A session's liveness is its socket and the retention time, not PeerJS heartbeats. */
    @Override
    public void heartbeat()
    {
    }

    @Override
    public Client registration()
    {
        return registration;
    }

    @Override
    public void registration(final Client client)
    {
        registration = client;
    }
}
