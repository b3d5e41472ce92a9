package io.switchboard.edge.limit;

import org.agrona.collections.Object2IntHashMap;

import java.net.InetAddress;

/**
 * Open TCP connections per source host on one listener, against a cap: the count at which one host's next connection
 * is refused. A host leaves the table with its last connection. Thread-safe (accept and close run on IO threads).
 */
public final class HostConnections
{
    private final int maxPerHost;
    private final Object2IntHashMap<InetAddress> open = new Object2IntHashMap<>(0);

    public HostConnections(final int maxPerHost)
    {
        if (maxPerHost < 1)
        {
            throw new IllegalArgumentException("connections per host must be at least 1: " + maxPerHost);
        }
        this.maxPerHost = maxPerHost;
    }

    /** Counts one more connection from {@code host}; false, counting nothing, when it holds the cap already. */
    public synchronized boolean tryAcquire(final InetAddress host)
    {
        final int current = open.getValue(host);
        if (current >= maxPerHost)
        {
            return false;
        }
        open.put(host, current + 1);
        return true;
    }

    /** Gives back one connection counted by {@link #tryAcquire}. */
    public synchronized void release(final InetAddress host)
    {
        final int current = open.getValue(host);
        if (current <= 1)
        {
            open.removeKey(host);
        }
        else
        {
            open.put(host, current - 1);
        }
    }
}
