package io.switchboard.edge.peerjs;

import io.switchboard.engine.health.Watch;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The PeerJS offline-queue expiry deadlines (EXPIRE) on one thread, as a hashed wheel: each tick visits only the
 * bucket of deadlines falling due in it, so the cost follows the deadlines due, never the number of clients. (A
 * socket's liveness deadline is on the wheel of the signaling agent that owns it, see {@link PeerSocket}.)
 * The thread wakes at the start of each tick, so a deadline fires at the first tick start at or after it: never
 * early, at most one tick late. Any thread may {@link #schedule} a deadline once; only the wheel thread touches it
 * afterwards.
 */
final class DeadlineWheel implements AutoCloseable
{
    private static final int BUCKETS = 1024;
    static final long NONE = -1;

    /** One deadline; subclasses carry their state so that scheduling allocates nothing but a queue node. */
    abstract static class Deadline
    {
        private long deadlineMs;
        private Deadline next;

        /**
         * Runs on the wheel thread once the deadline has passed.
         *
         * @return the next deadline (in {@link #nowMs()} time) to be called again then, or {@link #NONE}.
         */
        abstract long expire(long nowMs);
    }

    private final ManyToOneConcurrentLinkedQueue<Deadline> inbox = new ManyToOneConcurrentLinkedQueue<>();
    private final Deadline[] buckets = new Deadline[BUCKETS];
    private final long tickMs;
    private final EpochClock clock;
    private final Thread thread;
    private final Watch watch;
    private volatile boolean running = true;
    private long processedTick;

    /**
     * The wheel on its own thread, on the monotonic clock {@link #nowMs()}. A deadline's exception is reported to
     * {@code watch} and the wheel goes on; a Throwable ending it fails it.
     */
    DeadlineWheel(final long tickMs, final String threadName, final Watch watch)
    {
        this(tickMs, DeadlineWheel::nowMs, threadName, watch);
        thread.start();
    }

    /** A wheel whose thread is not started: the caller drives {@link #poll} with its own clock (tests). */
    DeadlineWheel(final long tickMs, final EpochClock clock, final Watch watch)
    {
        this(tickMs, clock, "switchboard-peerjs-deadlines-unstarted", watch);
    }

    private DeadlineWheel(final long tickMs, final EpochClock clock, final String threadName, final Watch watch)
    {
        this.tickMs = tickMs;
        this.clock = clock;
        this.watch = watch;
        this.processedTick = clock.time() / tickMs;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(watch);
    }

    /** The clock of every deadline: monotonic milliseconds. */
    static long nowMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    /** Now on this wheel's clock: what deadlines handed to {@link #schedule} are measured against. */
    long time()
    {
        return clock.time();
    }

    /** Hands a deadline that is not yet scheduled to the wheel; the queue's publication orders the write. */
    void schedule(final Deadline deadline, final long deadlineMs)
    {
        deadline.deadlineMs = deadlineMs;
        inbox.offer(deadline);
    }

    private void run()
    {
        while (running)
        {
            final long waitMs = poll(clock.time());
            if (waitMs > 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(waitMs));
            }
        }
    }

    /**
     * Takes the newly scheduled deadlines and fires those due by {@code now}, tick by tick.
     *
     * @return milliseconds from {@code now} to the start of the next tick, when the next poll is due
     */
    long poll(final long now)
    {
        Deadline scheduled;
        while ((scheduled = inbox.poll()) != null)
        {
            place(scheduled);
        }
        final long currentTick = now / tickMs;
        while (processedTick < currentTick && running)
        {
            processedTick++;
            processBucket(now);
        }
        return (processedTick + 1) * tickMs - now;
    }

    /** Into the bucket of its tick, or of the next tick when that has been processed: never early, at most a tick late. */
    private void place(final Deadline deadline)
    {
        final int index = (int)(Math.max(deadline.deadlineMs / tickMs, processedTick + 1) & (BUCKETS - 1));
        deadline.next = buckets[index];
        buckets[index] = deadline;
    }

    private void processBucket(final long now)
    {
        final int index = (int)(processedTick & (BUCKETS - 1));
        Deadline deadline = buckets[index];
        buckets[index] = null;
        while (deadline != null)
        {
            final Deadline following = deadline.next;
            deadline.next = null;
            if (deadline.deadlineMs > now)
            {
                place(deadline);
            }
            else
            {
                fire(deadline, now);
            }
            deadline = following;
        }
    }

    private void fire(final Deadline deadline, final long now)
    {
        try
        {
            final long next = deadline.expire(now);
            if (next != NONE)
            {
                deadline.deadlineMs = next;
                place(deadline);
            }
        }
        catch (final RuntimeException ex)
        {
            watch.onError(ex);
        }
    }

    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
