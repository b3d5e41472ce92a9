package io.switchboard.engine.pipeline;

/** Wall-clock milliseconds as of the current batch: read once per batch by the handler thread, not per datagram. */
public final class EngineClock
{
    private long nowMs = System.currentTimeMillis();

    public long nowMs()
    {
        return nowMs;
    }

    void update()
    {
        nowMs = System.currentTimeMillis();
    }
}
