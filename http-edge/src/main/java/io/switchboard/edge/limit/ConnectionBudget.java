package io.switchboard.edge.limit;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * Open TCP connections against a fixed number of descriptors: one budget is shared by every listener that draws
 * on it, so that however the connections spread over the listeners, the process keeps its reserve. The count is
 * the gauge operators read. Thread-safe.
 */
public final class ConnectionBudget
{
    private final long limit;
    private final AtomicCounter open;

    /** @param open counts the open connections drawn from this budget */
    public ConnectionBudget(final int limit, final AtomicCounter limitGauge, final AtomicCounter open)
    {
        if (limit < 1)
        {
            throw new IllegalArgumentException("connection budget must be at least 1: " + limit);
        }
        this.limit = limit;
        this.open = open;
        limitGauge.set(limit);
    }

    /** Takes one connection from the budget; false when all of it is in use. */
    public boolean tryAcquire()
    {
        long current;
        do
        {
            current = open.get();
            if (current >= limit)
            {
                return false;
            }
        }
        while (!open.compareAndSet(current, current + 1));
        return true;
    }

    /** Gives back one connection taken by {@link #tryAcquire}. */
    public void release()
    {
        open.decrement();
    }
}
