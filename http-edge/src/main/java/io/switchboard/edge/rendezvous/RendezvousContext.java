package io.switchboard.edge.rendezvous;

import io.switchboard.engine.config.Require;
import io.switchboard.engine.ice.IceContext;
import io.switchboard.engine.pulse.PulseContext;

/**
 * Configuration of the rendezvous HTTP API, one object: defaults are named constants, setters return this, and
 * {@link #conclude()} validates before anything is opened. The pulse rules themselves are the engine's
 * {@link io.switchboard.engine.pulse.PulseContext}.
 */
public final class RendezvousContext
{
    public static final int DEFAULT_PORT = 5025;
    public static final long DEFAULT_ENGINE_TIMEOUT_MS = 2_000;
    public static final int DEFAULT_REGISTER_RATE_PER_MINUTE = 60;
    public static final int DEFAULT_REGISTER_BURST = 120;

    private String bindAddress = "0.0.0.0";
    private int port = DEFAULT_PORT;
    private long engineTimeoutMs = DEFAULT_ENGINE_TIMEOUT_MS;
    private int registerRatePerMinute = DEFAULT_REGISTER_RATE_PER_MINUTE;
    private int registerBurst = DEFAULT_REGISTER_BURST;
    private int rateLimitSlots = IceContext.DEFAULT_RATE_LIMIT_SLOTS;
    private long registerGraceMs = PulseContext.DEFAULT_REGISTER_GRACE_MS;
    private int maxRegistrations = PulseContext.DEFAULT_MAX_CLIENTS;


    public RendezvousContext conclude()
    {
        Require.port("rendezvous port", port);
        Require.range("rendezvous timeout ms", engineTimeoutMs, 10, 600_000);
        Require.range("rendezvous register rate", registerRatePerMinute, 1, 100_000_000);
        Require.range("rendezvous register burst", registerBurst, 1, 100_000_000);
        Require.powerOfTwo("rate limit slots", rateLimitSlots);
        Require.range("pulse register grace ms", registerGraceMs, 1, 86_400_000L * 30);
        Require.range("pulse max clients", maxRegistrations, 1, Integer.MAX_VALUE);
        return this;
    }

    /** How long the registry remembers a registration (the engine's register grace). */
    public long registerGraceMs() { return registerGraceMs; }
    public RendezvousContext registerGraceMs(final long value) { registerGraceMs = value; return this; }
    /** The most registrations in their grace the registry holds at once (the engine's most clients). */
    public int maxRegistrations() { return maxRegistrations; }
    public RendezvousContext maxRegistrations(final int value) { maxRegistrations = value; return this; }

    public String bindAddress() { return bindAddress; }
    public RendezvousContext bindAddress(final String value) { bindAddress = value; return this; }
    public int port() { return port; }
    public RendezvousContext port(final int value) { port = value; return this; }
    /** How long a request waits for the engine's answer before 503. */
    public long engineTimeoutMs() { return engineTimeoutMs; }
    public RendezvousContext engineTimeoutMs(final long value) { engineTimeoutMs = value; return this; }
    /** Registrations per minute per source host (token bucket refill); more get 429. */
    public int registerRatePerMinute() { return registerRatePerMinute; }
    public RendezvousContext registerRatePerMinute(final int value) { registerRatePerMinute = value; return this; }
    public int registerBurst() { return registerBurst; }
    public RendezvousContext registerBurst(final int value) { registerBurst = value; return this; }
    public int rateLimitSlots() { return rateLimitSlots; }
    public RendezvousContext rateLimitSlots(final int value) { rateLimitSlots = value; return this; }
}
