package io.switchboard.engine.health;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one agent reports to the {@link Liveness} registry. An {@link Exception} in one unit of its duty (an event, a
 * socket, a task) is survived: logged and counted, and the thread goes on with its next unit, its state intact. An
 * {@link Error} (out of memory, stack overflow, a broken class) or anything that ends the thread fails the agent:
 * the JVM's state is no longer known, so the process is stopped and restarted rather than limping on.
 * <p>
 * Pass it as an Agrona {@link ErrorHandler} to an {@code AgentRunner}, as the uncaught-exception handler of a thread
 * the agent owns, or wrap a pooled task in {@link #guard}.
 */
public final class Watch implements ErrorHandler, Thread.UncaughtExceptionHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(Watch.class);

    private final String name;
    private final AtomicCounter errors;
    private final AtomicCounter failedGauge;
    private final Liveness liveness;
    private volatile Throwable lastError;
    private volatile boolean failed;

    Watch(final String name, final AtomicCounter errors, final AtomicCounter failedGauge, final Liveness liveness)
    {
        this.name = name;
        this.errors = errors;
        this.failedGauge = failedGauge;
        this.liveness = liveness;
    }

    public String name()
    {
        return name;
    }

    public boolean failed()
    {
        return failed;
    }

    /** The last Throwable reported, or null. */
    public Throwable lastError()
    {
        return lastError;
    }

    /** Exceptions survived so far. */
    public long errors()
    {
        return errors.get();
    }

    /** A Throwable one unit of the duty threw: an Exception is survived, an Error fails the agent. */
    @Override
    public void onError(final Throwable throwable)
    {
        if (throwable instanceof Error)
        {
            fail(throwable);
            return;
        }
        lastError = throwable;
        errors.increment();
        LOG.error("{}: survived an error and carries on", name, throwable);
    }

    /** A Throwable ended the agent's thread. */
    @Override
    public void uncaughtException(final Thread thread, final Throwable throwable)
    {
        fail(throwable);
    }

    /** The agent cannot go on. */
    public void fail(final Throwable cause)
    {
        lastError = cause;
        final boolean first;
        synchronized (this)
        {
            first = !failed;
            failed = true;
        }
        if (first)
        {
            failedGauge.setRelease(1);
            LOG.error("{}: failed; the process stops so that its supervisor restarts it", name, cause);
            liveness.failed();
        }
    }

    /** {@code task} reporting what it throws here instead of to its pool, which would drop it or end a periodic run. */
    public Runnable guard(final Runnable task)
    {
        return () ->
        {
            try
            {
                task.run();
            }
            catch (final Throwable ex)
            {
                onError(ex);
            }
        };
    }
}
