package io.switchboard.edge.dop;

import java.util.ArrayDeque;

/**
 * The frames waiting for one session while it cannot send (spec 2.7), in order, capped by count and by bytes: over
 * the cap the oldest go, counted. Guarded by its node's monitor.
 */
final class DopQueue
{
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private final int maxMessages;
    private final int maxBytes;
    private final DopCounters counters;
    private long bytes;

    DopQueue(final int maxMessages, final int maxBytes, final DopCounters counters)
    {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.counters = counters;
    }

    boolean isEmpty()
    {
        return frames.isEmpty();
    }

    void add(final byte[] frame)
    {
        if (frame.length > maxBytes)
        {
            counters.queueOverCap.increment();
            return;
        }
        while (frames.size() >= maxMessages || bytes + frame.length > maxBytes)
        {
            remove();
            counters.queueOverCap.increment();
        }
        frames.add(frame);
        bytes += frame.length;
        counters.queuedMessages.increment();
    }

    /** Sends from the oldest until empty or until the connection refuses one, which then stays first. */
    void flushTo(final DopConnection connection)
    {
        while (!frames.isEmpty() && connection.send(frames.peek()))
        {
            remove();
        }
    }

    /** The session has ended: nobody will take these. */
    void discard()
    {
        while (!frames.isEmpty())
        {
            remove();
            counters.queueDiscarded.increment();
        }
    }

    private void remove()
    {
        bytes -= frames.remove().length;
        counters.queuedMessages.decrement();
    }
}
