package io.switchboard.edge.dop;

import io.switchboard.edge.peerjs.RealmShard;
import io.switchboard.protocol.dop.DopState;
import io.switchboard.protocol.dop.DopToken;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's dop rules (spec 2.5 with the §2.12 recommendations): the token handshake, resume by final token,
 * half-open takeover, formal disconnect both ways, retention of sessions whose socket is gone and the handshake
 * timeout. Sessions are registered by final token in a real map; temporary nodes are held by their socket only, so
 * a failed handshake leaves nothing behind. Connected sessions carry PeerJS signaling into the realm.
 * <p>
 * One per signaling agent, touched by that agent's thread only: a dop socket is owned by the agent that owns the id
 * its query names (as a PeerJS socket is), so a session, its sockets, its timers and its id's {@link RealmShard} are
 * all on one thread. A resume re-opens the same URL (spec part 2), so it reaches the agent that holds the session; a
 * final token unknown there is an ordinary remote token. The cap on kept sessions is one count over all agents.
 */
final class DopSessions
{
    private final DopContext context;
    private final DopCounters counters;
    private final RealmShard realm;
    private final Map<String, DopNode> sessions = new HashMap<>();
    /** Sessions kept (connected or retained) by every agent's DopSessions together. */
    private final AtomicInteger kept;

    /** The sessions of the agent whose realm shard is {@code realm}; {@code kept} is shared by all agents. */
    DopSessions(final DopContext context, final DopCounters counters, final RealmShard realm, final AtomicInteger kept)
    {
        this.context = context;
        this.counters = counters;
        this.realm = realm;
        this.kept = kept;
    }

    DopCounters counters()
    {
        return counters;
    }

    long maxSendBufferBytes()
    {
        return realm.realm().maxSendBufferBytes();
    }

    /** A new socket: a temporary node in OPEN sends its local token, and the handshake clock starts. */
    void opened(final DopConnection connection)
    {
        counters.connectionsOpened.increment();
        counters.openConnections.increment();
        final DopNode node = new DopNode(this, DopToken.local(),
            new DopQueue(context.maxQueuedMessages(), context.maxQueuedBytes(), counters));
        node.connection = connection;
        connection.node = node;
        connection.handshakeTimer = connection.after(context.handshakeTimeoutMs(), nowMs -> handshakeDue(connection));
        connection.send(node.tokenLocal);
    }

    private void handshakeDue(final DopConnection connection)
    {
        connection.handshakeTimer = DopConnection.NO_TIMER;
        if (!connection.established)
        {
            connection.close(counters.closedHandshakeTimeout);
        }
    }

    /** One message of a socket, on its agent's thread. Junk is closed or ignored, never thrown. */
    void onFrame(final DopConnection connection, final byte[] bytes, final int length)
    {
        final DopNode node = connection.node;
        if (node.connection != connection)
        {
            counters.framesIgnored.increment();
            return;
        }
        switch (node.state)
        {
            case CONNECTED ->
            {
                if (DopNode.matches(bytes, length, node.finalBytes))
                {
                    counters.framesControl.increment();
                    counters.clientDisconnected.increment();
                    end(node);
                    connection.close(null);
                    realm.release(node);
                }
                else
                {
                    counters.framesData.increment();
                    realm.onMessage(node, bytes, length);
                }
            }
            case OPEN ->
            {
                final String token = new String(bytes, 0, length, StandardCharsets.UTF_8);
                if (!DopToken.isAcceptable(token))
                {
                    connection.close(counters.closedBadToken);
                    return;
                }
                counters.framesControl.increment();
                final DopNode named = sessions.get(token);
                if (named == null)
                {
                    preconnect(node, token);
                }
                else
                {
                    resume(connection, node, named);
                }
            }
            case PRECONNECTED ->
            {
                final boolean repeat = DopNode.matches(bytes, length, node.tokenRemote);
                (repeat ? counters.framesControl : counters.framesIgnored).increment();
                if (repeat && connect(node))
                {
                    realm.admit(node, connection.id, node.finalToken, connection.key, connection.clientHost());
                }
            }
            default -> counters.framesIgnored.increment();
        }
    }

    /** OPEN, and the token names no session: remember it as the remote token and send the local one again. */
    private static void preconnect(final DopNode node, final String token)
    {
        node.tokenRemote = DopToken.utf8(token);
        node.state = DopState.PRECONNECTED;
        node.connection.send(node.tokenLocal);
    }

    /**
     * The remote token came again: the session exists under its final token (false if that is taken, or if the
     * sessions kept, connected and retained, are at the cap: each may hold a queue, so the cap bounds memory).
     */
    private boolean connect(final DopNode node)
    {
        if (kept.get() >= context.maxSessions())
        {
            node.connection.close(counters.refusedTooManySessions);
            return false;
        }
        final String finalToken = DopToken.unique(
            new String(node.tokenLocal, StandardCharsets.UTF_8), new String(node.tokenRemote, StandardCharsets.UTF_8));
        if (sessions.putIfAbsent(finalToken, node) != null)
        {
            node.connection.close(counters.closedBadToken);
            return false;
        }
        kept.incrementAndGet();
        node.finalToken = finalToken;
        node.finalBytes = DopToken.utf8(finalToken);
        node.state = DopState.CONNECTED;
        node.connection.established = true;
        node.connection.stopHandshakeTimer();
        counters.connected.increment();
        counters.connectedSessions.increment();
        node.queue.flushTo(node.connection);
        return true;
    }

    /**
     * The socket presented a session's final token: the socket moves to that session, which confirms with its final
     * token and sends what waited; the temporary node is dropped. A session that still looks connected is taken over
     * (its old socket closed) unless the strict reference behaviour is configured; one that has just ended makes the
     * token an ordinary remote token (the reconnect becomes a new connection).
     */
    private void resume(final DopConnection connection, final DopNode temporary, final DopNode session)
    {
        DopConnection displaced = null;
        switch (session.state)
        {
            case RECONNECTING ->
            {
                stopRetention(session);
                counters.reconnectingSessions.decrement();
                counters.connectedSessions.increment();
                counters.resumed.increment();
            }
            case CONNECTED ->
            {
                if (!context.halfOpenTakeover())
                {
                    counters.refusedHalfOpen.increment();
                    connection.close(null);
                    return;
                }
                displaced = session.connection;
                counters.takenOver.increment();
            }
            default ->
            {
            }
        }
        if (session.state == DopState.DISCONNECTED)
        {
            preconnect(temporary, session.finalToken);
            return;
        }
        session.connection = connection;
        session.state = DopState.CONNECTED;
        connection.node = session;
        connection.established = true;
        connection.stopHandshakeTimer();
        connection.send(session.finalBytes);
        session.queue.flushTo(connection);
        if (displaced != null)
        {
            displaced.close(null);
        }
    }

    /** The socket is gone: a connected session waits for a resume until the retention time; a temporary node goes. */
    void closed(final DopConnection connection)
    {
        final DopNode node = connection.node;
        if (node == null)
        {
            return; // cut before it started: never opened
        }
        counters.openConnections.decrement();
        connection.stopHandshakeTimer();
        if (node.connection != connection)
        {
            return;
        }
        node.connection = null;
        if (node.state != DopState.CONNECTED)
        {
            node.state = DopState.DISCONNECTED;
            return;
        }
        node.state = DopState.RECONNECTING;
        counters.socketLost.increment();
        counters.connectedSessions.decrement();
        counters.reconnectingSessions.increment();
        node.retainedBy = connection;
        node.retentionTimer = connection.after(context.retentionMs(), nowMs -> retentionDue(node));
    }

    private void retentionDue(final DopNode node)
    {
        node.retainedBy = null;
        node.retentionTimer = DopConnection.NO_TIMER;
        if (node.state != DopState.RECONNECTING)
        {
            return;
        }
        counters.retentionExpired.increment();
        end(node);
        realm.release(node);
    }

    /**
     * Formal disconnect by the server (spec 2.5, local {@code disconnect()}): a connected session sends its final
     * token and closes; a reconnecting one is dropped. Called by the realm, which has already forgotten the id.
     *
     * @return false when the session had already ended.
     */
    boolean disconnect(final DopNode node)
    {
        if (node.state == DopState.DISCONNECTED)
        {
            return false;
        }
        final DopConnection connection = node.connection;
        if (connection != null)
        {
            connection.send(node.finalBytes);
        }
        counters.serverDisconnected.increment();
        end(node);
        if (connection != null)
        {
            connection.close(null);
        }
        return true;
    }

    /** As a reconnecting session resumes or ends: its retention deadline is cancelled. */
    private void stopRetention(final DopNode node)
    {
        if (node.retainedBy != null)
        {
            node.retainedBy.cancelTimer(node.retentionTimer);
            node.retainedBy = null;
            node.retentionTimer = DopConnection.NO_TIMER;
        }
    }

    /** The session ends for good and its token is forgotten. */
    private void end(final DopNode node)
    {
        if (node.state == DopState.CONNECTED)
        {
            counters.connectedSessions.decrement();
        }
        else if (node.state == DopState.RECONNECTING)
        {
            counters.reconnectingSessions.decrement();
            stopRetention(node);
        }
        node.state = DopState.DISCONNECTED;
        node.connection = null;
        if (node.finalToken != null && sessions.remove(node.finalToken, node))
        {
            kept.decrementAndGet();
        }
        node.queue.discard();
    }
}
