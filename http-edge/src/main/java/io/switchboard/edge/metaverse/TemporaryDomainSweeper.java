package io.switchboard.edge.metaverse;

import io.switchboard.engine.health.Watch;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Removes temporary domains silent longer than the TTL (since their last heartbeat, else their creation), on its
 * own thread. A sweep scans the registry once and sets the next sweep at the earliest deadline it saw, but never
 * sooner than one tick after it began (a registry whose domains fall due one by one is scanned at most once a tick)
 * nor later than one TTL after it (a domain created meanwhile is due no earlier) or a minute. A domain therefore
 * goes at most one tick after its deadline, never before; heartbeats only move deadlines later, so they need not
 * wake the sweeper.
 */
final class TemporaryDomainSweeper implements AutoCloseable
{
    /** The granularity of the TTL: a silent domain goes within one tick after its deadline. */
    static final long TICK_MS = 1_000;
    private static final long MAX_INTERVAL_MS = 60_000;
    private static final long SHUTDOWN_WAIT_MS = 5_000;

    /** Removes one domain if it is still temporary and silent since before {@code cutoffMs}; true when it went. */
    @FunctionalInterface
    interface Removal
    {
        boolean removeIfSilent(DomainRecord record, long cutoffMs);
    }

    private final DomainRegistry registry;
    private final Removal removal;
    private final MetaverseCounters counters;
    private final long ttlMs;
    private final LongSupplier clock;
    private final Watch watch;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable ->
    {
        final Thread sweeper = new Thread(runnable, "switchboard-metaverse-sweeper");
        sweeper.setDaemon(true);
        return sweeper;
    });

    TemporaryDomainSweeper(
        final DomainRegistry registry,
        final Removal removal,
        final MetaverseCounters counters,
        final long ttlMs,
        final LongSupplier clock,
        final Watch watch)
    {
        this.registry = registry;
        this.removal = removal;
        this.counters = counters;
        this.ttlMs = ttlMs;
        this.clock = clock;
        this.watch = watch;
    }

    /**
     * Removes every temporary domain silent longer than the TTL at {@code nowMs}.
     *
     * @return when the next sweep is due
     */
    long sweep(final long nowMs)
    {
        final long cutoffMs = nowMs - ttlMs;
        // A domain this scan misses was created after it began: due no earlier than this.
        long nextMs = nowMs + Math.min(MAX_INTERVAL_MS, ttlMs + 1);
        for (final DomainRecord record : registry.all())
        {
            if (!record.temporary)
            {
                continue;
            }
            if (record.lastSignOfLifeMs() < cutoffMs && removal.removeIfSilent(record, cutoffMs))
            {
                counters.removedExpired.increment();
            }
            else
            {
                // Silent longer than the TTL means strictly longer: due one millisecond after last sign + TTL.
                nextMs = Math.min(nextMs, record.lastSignOfLifeMs() + ttlMs + 1);
            }
        }
        counters.domains.set(registry.size());
        return Math.max(nextMs, nowMs + TICK_MS);
    }

    /** Starts sweeping on the thread, the first sweep at {@code firstMs}. */
    void startAt(final long firstMs)
    {
        scheduleAt(firstMs);
    }

    private void run()
    {
        long nextMs;
        try
        {
            nextMs = sweep(clock.getAsLong());
        }
        catch (final Throwable ex)
        {
            // A failed sweep must not cancel the next ones; an Error fails the sweeper's agent.
            watch.onError(ex);
            nextMs = clock.getAsLong() + TICK_MS;
        }
        scheduleAt(nextMs);
    }

    private void scheduleAt(final long atMs)
    {
        try
        {
            thread.schedule(this::run, Math.max(0, atMs - clock.getAsLong()), TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            // Closing: no more sweeps.
        }
    }

    @Override
    public void close()
    {
        thread.shutdownNow();
        try
        {
            thread.awaitTermination(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
