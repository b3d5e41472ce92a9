package io.switchboard.engine.pipeline;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Wall-clock milliseconds as of the current batch: read once per batch by the handler thread, not per datagram.
 * The source is injected so that the protocols' deadline rules can be driven by a fake clock in tests.
 */
public final class EngineClock
{
    private final EpochClock source;
    private long nowMs;

    public EngineClock()
    {
        this(SystemEpochClock.INSTANCE);
    }

    public EngineClock(final EpochClock source)
    {
        this.source = source;
        this.nowMs = source.time();
    }

    public long nowMs()
    {
        return nowMs;
    }

    /** Reads the source; the handler calls it at the start of each batch, before it runs the protocols' timers. */
    public void update()
    {
        nowMs = source.time();
    }
}
