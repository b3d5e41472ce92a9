package io.switchboard.engine.pulse;

import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.table.TableFiles;

/**
 * Configuration of the pulse rendezvous, Aeron-style: defaults are named constants, setters return this, and
 * {@link #conclude()} validates before anything is opened. Timers follow Socket-Rendezvous: 300 s grace after
 * registering, 30 s between pulses, then 180 s PENDING before the client is forgotten.
 */
public final class PulseContext
{
    /** The documented heartbeat port; the original's code bound 5027. */
    public static final int DEFAULT_PORT = 5024;
    public static final long DEFAULT_REGISTER_GRACE_MS = 300_000;
    public static final long DEFAULT_PULSE_TTL_MS = 30_000;
    public static final long DEFAULT_ERROR_TIME_MS = 180_000;
    public static final int DEFAULT_MAX_CLIENTS = 1_000_000;

    private int port = DEFAULT_PORT;
    private long registerGraceMs = DEFAULT_REGISTER_GRACE_MS;
    private long pulseTtlMs = DEFAULT_PULSE_TTL_MS;
    private long errorTimeMs = DEFAULT_ERROR_TIME_MS;
    private int maxClients = DEFAULT_MAX_CLIENTS;
    private TableFiles tableFiles;
    private LinkOutbox linkOutbox;

    public PulseContext conclude()
    {
        requireRange("pulse port", port, 0, 65_535);
        requireRange("pulse register grace ms", registerGraceMs, 1, 86_400_000L * 30);
        requireRange("pulse ttl ms", pulseTtlMs, 1, 86_400_000L * 30);
        requireRange("pulse error time ms", errorTimeMs, 1, 86_400_000L * 30);
        requireRange("pulse max clients", maxClients, 16, PulseRecords.MAX_SLOTS);
        if (tableFiles == null)
        {
            throw new IllegalArgumentException("pulse table files are not set");
        }
        return this;
    }

    private static void requireRange(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    public int port() { return port; }
    public PulseContext port(final int value) { port = value; return this; }
    /** How long a new registration stays ONLINE without any pulse. */
    public long registerGraceMs() { return registerGraceMs; }
    public PulseContext registerGraceMs(final long value) { registerGraceMs = value; return this; }
    /** How long an accepted pulse (or a verify) keeps a client ONLINE. */
    public long pulseTtlMs() { return pulseTtlMs; }
    public PulseContext pulseTtlMs(final long value) { pulseTtlMs = value; return this; }
    /** How long a client stays PENDING before it and its key are forgotten. */
    public long errorTimeMs() { return errorTimeMs; }
    public PulseContext errorTimeMs(final long value) { errorTimeMs = value; return this; }
    /** Most clients registered at once; sizes the persisted table. */
    public int maxClients() { return maxClients; }
    public PulseContext maxClients(final int value) { maxClients = value; return this; }
    /** Where and how the registered clients are persisted: the appliance's data dir. */
    public TableFiles tableFiles() { return tableFiles; }
    public PulseContext tableFiles(final TableFiles value) { tableFiles = value; return this; }
    /**
     * The queues to the other cluster nodes, which clients' owners announce on; null on one box: every client is
     * this node's (see {@link PulseLocations}).
     */
    public LinkOutbox linkOutbox() { return linkOutbox; }
    public PulseContext linkOutbox(final LinkOutbox value) { linkOutbox = value; return this; }
}
