package io.switchboard.engine.pipeline;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

/**
 * Wall-clock milliseconds as of the current batch: read once per batch by the handler thread, not per datagram.
 * The source is injected so that the protocols' deadline rules can be driven by a fake clock in tests. The default
 * reads the wall clock once, at start, and advances it by the monotonic clock from then on, so a step of the
 * system clock (NTP, a VM's clock sync) never fires a deadline early or holds one back; timestamps that are
 * persisted stay on the epoch.
 */
public final class EngineClock
{
    private final EpochClock source;
    private long nowMs;

    public EngineClock()
    {
        this(monotonicEpochClock());
    }

    public EngineClock(final EpochClock source)
    {
        this.source = source;
        this.nowMs = source.time();
    }

    /** Epoch milliseconds read once, advanced by {@link System#nanoTime()}. */
    static EpochClock monotonicEpochClock()
    {
        final OffsetEpochNanoClock nanos = new OffsetEpochNanoClock();
        return () -> nanos.nanoTime() / 1_000_000;
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
