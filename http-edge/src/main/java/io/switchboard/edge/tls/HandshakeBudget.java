package io.switchboard.edge.tls;

import io.switchboard.edge.limit.HostConnections;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetAddress;

/**
 * The crypto CPU budget: TLS handshakes in progress at once, in total over every TLS listener and per client host. A
 * place is taken before any crypto (on accept, or once a PROXY header named the client) and given back when the
 * handshake completes or fails; the total is the gauge operators read. Thread-safe (Undertow's IO threads and the
 * signaling agents draw on the one budget).
 */
final class HandshakeBudget
{
    private final long max;
    private final HostConnections perHost;
    private final AtomicCounter inProgress;

    HandshakeBudget(final int max, final int maxPerHost, final AtomicCounter inProgress)
    {
        this.max = max;
        this.perHost = new HostConnections(maxPerHost);
        this.inProgress = inProgress;
    }

    /**
     * A place for one handshake of {@code host} (null: a trusted proxy's own connection, held to the total only).
     *
     * @return whether it was taken; false, taking nothing, when the host or everyone holds the cap
     */
    boolean tryAcquire(final InetAddress host)
    {
        if (host != null && !perHost.tryAcquire(host))
        {
            return false;
        }
        long current;
        do
        {
            current = inProgress.get();
            if (current >= max)
            {
                if (host != null)
                {
                    perHost.release(host);
                }
                return false;
            }
        }
        while (!inProgress.compareAndSet(current, current + 1));
        return true;
    }

    /** Gives back a place {@link #tryAcquire} took for {@code host}. */
    void release(final InetAddress host)
    {
        if (host != null)
        {
            perHost.release(host);
        }
        inProgress.decrement();
    }
}
