package io.switchboard.edge.limit;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open TCP connections against a fixed number of descriptors: one budget is shared by every listener that draws
 * on it, so that however the connections spread over the listeners, the process keeps its reserve. Thread-safe.
 */
public final class ConnectionBudget
{
    private final int limit;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicCounter openGauge;

    /** @param openGauge shows the open connections drawn from this budget */
    public ConnectionBudget(final int limit, final AtomicCounter limitGauge, final AtomicCounter openGauge)
    {
        if (limit < 1)
        {
            throw new IllegalArgumentException("connection budget must be at least 1: " + limit);
        }
        this.limit = limit;
        this.openGauge = openGauge;
        limitGauge.set(limit);
    }

    /** Takes one connection from the budget; false when all of it is in use. */
    public boolean tryAcquire()
    {
        int current;
        do
        {
            current = open.get();
            if (current >= limit)
            {
                return false;
            }
        }
        while (!open.compareAndSet(current, current + 1));
        openGauge.set(current + 1);
        return true;
    }

    /** Gives back one connection taken by {@link #tryAcquire}. */
    public void release()
    {
        openGauge.set(open.decrementAndGet());
    }

    public int limit()
    {
        return limit;
    }

    public int open()
    {
        return open.get();
    }
}
