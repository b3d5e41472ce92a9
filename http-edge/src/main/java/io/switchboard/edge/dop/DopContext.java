package io.switchboard.edge.dop;

import io.switchboard.engine.config.Require;

/**
 * Configuration of the dop listener (spec part 2, with the §2.12 recommendations): where it is served on the
 * signaling port, how long sessions wait for their client, and how much a waiting session may hold. Setters return
 * this; {@link #conclude()} validates before anything is opened.
 */
public final class DopContext
{
    public static final String DEFAULT_PATH = "/dop";
    /** The legacy 2.x listener's precedent (spec 2.6). */
    public static final long DEFAULT_RETENTION_MS = 60_000;
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 1_000;
    public static final int DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
    public static final boolean DEFAULT_HALF_OPEN_TAKEOVER = true;
    public static final int DEFAULT_MAX_SESSIONS = 100_000;

    private String path = DEFAULT_PATH;
    private long retentionMs = DEFAULT_RETENTION_MS;
    private long handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS;
    private int maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;
    private int maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
    private boolean halfOpenTakeover = DEFAULT_HALF_OPEN_TAKEOVER;
    private int maxSessions = DEFAULT_MAX_SESSIONS;


    public DopContext conclude()
    {
        if (path == null || !path.startsWith("/") || path.contains("?"))
        {
            throw new IllegalArgumentException("dop path must start with / and hold no query: " + path);
        }
        Require.range("dop retention ms", retentionMs, 1, 86_400_000);
        Require.range("dop handshake timeout ms", handshakeTimeoutMs, 1, 86_400_000);
        Require.range("dop max queued messages", maxQueuedMessages, 1, 100_000_000);
        Require.range("dop max queued bytes", maxQueuedBytes, 1, Integer.MAX_VALUE);
        Require.range("dop max sessions", maxSessions, 1, 100_000_000);
        return this;
    }

    /** WebSocket path on the signaling (PeerJS) port. */
    public String path() { return path; }
    public DopContext path(final String value) { path = value; return this; }
    /** How long a session whose socket closed waits for its client to resume it. */
    public long retentionMs() { return retentionMs; }
    public DopContext retentionMs(final long value) { retentionMs = value; return this; }
    /** A socket whose handshake has not completed by then is closed. */
    public long handshakeTimeoutMs() { return handshakeTimeoutMs; }
    public DopContext handshakeTimeoutMs(final long value) { handshakeTimeoutMs = value; return this; }
    /** Most frames waiting for one session; the oldest go first. */
    public int maxQueuedMessages() { return maxQueuedMessages; }
    public DopContext maxQueuedMessages(final int value) { maxQueuedMessages = value; return this; }
    /** Most bytes waiting for one session; the oldest go first. */
    public int maxQueuedBytes() { return maxQueuedBytes; }
    public DopContext maxQueuedBytes(final int value) { maxQueuedBytes = value; return this; }
    /** A final token presented while its session's socket still looks open takes the session over (else refused). */
    public int maxSessions() { return maxSessions; }
    public DopContext maxSessions(final int value) { maxSessions = value; return this; }

    public boolean halfOpenTakeover() { return halfOpenTakeover; }
    public DopContext halfOpenTakeover(final boolean value) { halfOpenTakeover = value; return this; }
}
