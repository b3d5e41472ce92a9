package io.switchboard.edge.metaverse;

import io.switchboard.engine.health.Watch;
import io.switchboard.engine.pipeline.EngineTimers;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.function.LongSupplier;

/**
 * Removes temporary domains silent longer than the TTL (since their last heartbeat, else their creation), as an agent
 * on its own thread whose one timer wheel ({@link EngineTimers}, on the injected clock) holds the next sweep; the
 * thread sleeps {@link #IDLE_SLEEP_MS} between polls of it. A sweep scans the registry once and sets the next sweep at
 * the earliest deadline it saw, but never
 * sooner than one tick after it began (a registry whose domains fall due one by one is scanned at most once a tick)
 * nor later than one TTL after it (a domain created meanwhile is due no earlier) or a minute. A domain therefore
 * goes at most one tick after its deadline, never before; heartbeats only move deadlines later, so they need not
 * wake the sweeper.
 */
final class TemporaryDomainSweeper implements Agent, AutoCloseable
{
    /** The granularity of the TTL: a silent domain goes within one tick after its deadline. */
    static final long TICK_MS = 1_000;
    /** How long the idle thread sleeps before it polls its wheel again: a sweep runs at most this late. */
    static final long IDLE_SLEEP_MS = 100;
    private static final long MAX_INTERVAL_MS = 60_000;
    private static final String THREAD = "switchboard-metaverse-sweeper";

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
    private final EngineTimers timers;
    private final EngineTimers.Owner nextSweep;
    private AgentRunner runner;

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
        this.timers = new EngineTimers(clock.getAsLong());
        this.nextSweep = timers.register((timerId, key, nowMs) -> run(nowMs));
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
        firstSweepAt(firstMs);
        runner = new AgentRunner(new SleepingMillisIdleStrategy(IDLE_SLEEP_MS), watch, null, this);
        AgentRunner.startOnThread(runner, runnable ->
        {
            final Thread thread = new Thread(runnable, THREAD);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Arms the first sweep; {@link #startAt} then runs the agent on its thread, a test calls {@link #doWork}. */
    void firstSweepAt(final long firstMs)
    {
        nextSweep.schedule(firstMs, 0);
    }

    /** Runs the sweep if it is due. */
    @Override
    public int doWork()
    {
        return timers.poll(clock.getAsLong());
    }

    @Override
    public String roleName()
    {
        return THREAD;
    }

    private void run(final long nowMs)
    {
        long nextMs;
        try
        {
            nextMs = sweep(nowMs);
        }
        catch (final Throwable ex)
        {
            // A failed sweep must not cancel the next ones; an Error fails the sweeper's agent.
            watch.onError(ex);
            nextMs = nowMs + TICK_MS;
        }
        nextSweep.schedule(nextMs, 0);
    }

    /** Stops the thread, if started, after the sweep under way. */
    @Override
    public void close()
    {
        CloseHelper.close(runner);
    }
}
