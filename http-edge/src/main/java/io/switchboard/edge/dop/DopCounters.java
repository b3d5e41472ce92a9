package io.switchboard.edge.dop;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/** The dop listener's operator-visible events, allocated at start-up. Thread-safe. */
final class DopCounters
{
    private static final String SESSIONS = "switchboard_dop_session_events_total";
    private static final String CLOSES = "switchboard_dop_server_closes_total";
    private static final String FRAMES = "switchboard_dop_frames_in_total";
    private static final String QUEUE = "switchboard_dop_queue_dropped_total";

    final AtomicCounter connected;
    final AtomicCounter resumed;
    final AtomicCounter takenOver;
    final AtomicCounter refusedHalfOpen;
    final AtomicCounter socketLost;
    final AtomicCounter clientDisconnected;
    final AtomicCounter serverDisconnected;
    final AtomicCounter retentionExpired;

    final AtomicCounter closedHandshakeTimeout;
    final AtomicCounter closedBadToken;
    final AtomicCounter closedSlowConsumer;
    final AtomicCounter closedFrameTooLarge;
    final AtomicCounter closedProtocolError;

    final AtomicCounter framesControl;
    final AtomicCounter framesData;
    final AtomicCounter framesIgnored;

    final AtomicCounter queueOverCap;
    final AtomicCounter queueDiscarded;

    final AtomicCounter refusedTooMany;
    final AtomicCounter refusedTooManySessions;
    final AtomicCounter connectionsOpened;
    final AtomicCounter openConnections;
    final AtomicCounter connectedSessions;
    final AtomicCounter reconnectingSessions;
    final AtomicCounter queuedMessages;

    DopCounters(final Metrics metrics)
    {
        final String sessionHelp = "dop session events (spec 2.5): new sessions, resumes, half-open takeovers and " +
            "refusals, sockets lost, formal disconnects by either side, sessions forgotten after the retention time.";
        connected = metrics.counter(SESSIONS, "event=\"connected\"", sessionHelp);
        resumed = metrics.counter(SESSIONS, "event=\"resumed\"", sessionHelp);
        takenOver = metrics.counter(SESSIONS, "event=\"taken_over\"", sessionHelp);
        refusedHalfOpen = metrics.counter(SESSIONS, "event=\"refused_half_open\"", sessionHelp);
        socketLost = metrics.counter(SESSIONS, "event=\"socket_lost\"", sessionHelp);
        clientDisconnected = metrics.counter(SESSIONS, "event=\"client_disconnected\"", sessionHelp);
        serverDisconnected = metrics.counter(SESSIONS, "event=\"server_disconnected\"", sessionHelp);
        retentionExpired = metrics.counter(SESSIONS, "event=\"retention_expired\"", sessionHelp);

        final String closesHelp = "dop sockets the server closed, by cause.";
        closedHandshakeTimeout = metrics.counter(CLOSES, "cause=\"handshake_timeout\"", closesHelp);
        closedBadToken = metrics.counter(CLOSES, "cause=\"bad_token\"", closesHelp);
        closedSlowConsumer = metrics.counter(CLOSES, "cause=\"slow_consumer\"", closesHelp);
        closedFrameTooLarge = metrics.counter(CLOSES, "cause=\"frame_too_large\"", closesHelp);
        closedProtocolError = metrics.counter(CLOSES, "cause=\"protocol_error\"", closesHelp);

        final String framesHelp = "dop frames from clients: control (tokens), data (signaling, handed to the " +
            "PeerJS realm) and ignored (junk while preconnected, frames from a replaced socket).";
        framesControl = metrics.counter(FRAMES, "kind=\"control\"", framesHelp);
        framesData = metrics.counter(FRAMES, "kind=\"data\"", framesHelp);
        framesIgnored = metrics.counter(FRAMES, "kind=\"ignored\"", framesHelp);

        final String queueHelp = "Frames waiting for a dop session that were dropped: the oldest over the cap, or " +
            "all of them when the session ended.";
        queueOverCap = metrics.counter(QUEUE, "reason=\"over_cap\"", queueHelp);
        queueDiscarded = metrics.counter(QUEUE, "reason=\"session_ended\"", queueHelp);

        final String refusedHelp = "dop refusals at --dop-max-sessions: too_many (an upgrade beyond the open sockets, " +
            "503) and too_many_sessions (a handshake that would start a session beyond the sessions kept, close 1008).";
        refusedTooMany = metrics.counter("switchboard_dop_refused_total", "reason=\"too_many\"", refusedHelp);
        refusedTooManySessions =
            metrics.counter("switchboard_dop_refused_total", "reason=\"too_many_sessions\"", refusedHelp);
        connectionsOpened = metrics.counter("switchboard_dop_connections_opened_total", "",
            "dop WebSocket connections accepted.");
        openConnections = metrics.gauge("switchboard_dop_open_connections", "", "Open dop WebSocket connections.");
        connectedSessions = metrics.gauge("switchboard_dop_sessions", "state=\"connected\"",
            "dop sessions by state.");
        reconnectingSessions = metrics.gauge("switchboard_dop_sessions", "state=\"reconnecting\"",
            "dop sessions by state.");
        queuedMessages = metrics.gauge("switchboard_dop_queued_messages", "",
            "Frames waiting for dop sessions whose socket is gone.");
    }
}
