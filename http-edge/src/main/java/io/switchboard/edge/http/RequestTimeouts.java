package io.switchboard.edge.http;

import org.agrona.concurrent.status.AtomicCounter;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One connection's request timeouts, as a conduit under Undertow's HTTP parser: from accept or the end of a response
 * the connection may stay silent for the idle timeout; from the first byte of a request its head must be complete
 * within the parse timeout. Each cut is counted. A request in progress, or a WebSocket the connection was upgraded
 * to, is never cut here. Deadlines are kept in nanoseconds and re-checked when the timer fires, so a cut is never
 * early.
 */
final class RequestTimeouts extends AbstractStreamSourceConduit<StreamSourceConduit> implements Runnable
{
    private enum Phase
    {
        IDLE,
        PARSING,
        ACTIVE,
        UPGRADED
    }

    private final StreamConnection connection;
    /** What a cut closes: the connection, or the TLS connection over it. */
    private volatile StreamConnection served;
    private final HttpEdgeContext context;
    private final AtomicCounter parseCuts;
    private final AtomicCounter idleCuts;
    private volatile Phase phase = Phase.ACTIVE;
    /** Guarded by this. */
    private long deadlineNs;
    /** Guarded by this. */
    private XnioExecutor.Key timer;

    RequestTimeouts(
        final StreamConnection connection,
        final HttpEdgeContext context,
        final AtomicCounter parseCuts,
        final AtomicCounter idleCuts)
    {
        super(connection.getSourceChannel().getConduit());
        this.connection = connection;
        this.served = connection;
        this.context = context;
        this.parseCuts = parseCuts;
        this.idleCuts = idleCuts;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        final int read = next.read(dst);
        if (read > 0 && phase == Phase.IDLE)
        {
            parsing();
        }
        return read;
    }

    @Override
    public long read(final ByteBuffer[] dsts, final int offs, final int len) throws IOException
    {
        final long read = next.read(dsts, offs, len);
        if (read > 0 && phase == Phase.IDLE)
        {
            parsing();
        }
        return read;
    }

    /** HTTP is served on {@code value}, a TLS connection over this one: a cut closes it (and so this one). */
    void cuts(final StreamConnection value)
    {
        served = value;
    }

    /** Accepted, or a response is done: silent from now, the connection has the idle timeout. */
    void idle()
    {
        enter(Phase.IDLE, context.idleTimeoutMs());
    }

    /** A request's head is complete: no timeout here until its response is done. */
    void active()
    {
        enter(Phase.ACTIVE, 0);
    }

    /** The connection is a WebSocket now, or closed: no timeout here any more. */
    void upgraded()
    {
        enter(Phase.UPGRADED, 0);
    }

    private void parsing()
    {
        enter(Phase.PARSING, context.requestParseTimeoutMs());
    }

    private synchronized void enter(final Phase next, final long timeoutMs)
    {
        if (phase == Phase.UPGRADED)
        {
            return;
        }
        phase = next;
        if (timer != null)
        {
            timer.remove();
            timer = null;
        }
        if (timeoutMs > 0)
        {
            deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            try
            {
                timer = connection.getIoThread().executeAfter(this, timeoutMs, TimeUnit.MILLISECONDS);
            }
            catch (final RejectedExecutionException ex)
            {
                // The listener is stopping (its IO thread takes no more timers) and closes the connection itself.
                timer = null;
            }
        }
    }

    /** The timer, on the connection's IO thread: cuts the connection if still idle or parsing past its deadline. */
    @Override
    public void run()
    {
        final Phase cut;
        synchronized (this)
        {
            timer = null;
            if (phase != Phase.IDLE && phase != Phase.PARSING)
            {
                return;
            }
            final long earlyNs = deadlineNs - System.nanoTime();
            if (earlyNs > 0)
            {
                // XNIO's timers count whole milliseconds: wait out the rest.
                timer = connection.getIoThread().executeAfter(
                    this, TimeUnit.NANOSECONDS.toMillis(earlyNs) + 1, TimeUnit.MILLISECONDS);
                return;
            }
            cut = phase;
            phase = Phase.UPGRADED;
        }
        (cut == Phase.PARSING ? parseCuts : idleCuts).increment();
        IoUtils.safeClose(served);
    }
}
