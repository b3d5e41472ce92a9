package io.switchboard.edge.tls;

import io.switchboard.engine.health.Watch;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The few threads that run the expensive steps of the PeerJS port's handshakes (an {@code SSLEngine}'s delegated
 * tasks: the key exchange and the certificate's signature), so that a burst of handshakes does not stall the sockets
 * of the signaling agent that owns them. The queue holds at most one task per handshake in progress (a handshake cut
 * while its task is out keeps its place until the task is done), so the handshake budget bounds it and only a closed
 * pool refuses a task ({@link java.util.concurrent.RejectedExecutionException}).
 * A task's Throwable is reported to the TLS threads' {@link Watch}. Owns its threads; closing stops them.
 */
final class HandshakeTasks implements Executor, AutoCloseable
{
    private static final String THREAD = "switchboard-tls-handshake-";

    private final ThreadPoolExecutor pool;
    private final Watch watch;

    HandshakeTasks(final int threads, final int queued, final Watch watch)
    {
        this.watch = watch;
        final AtomicInteger next = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queued), runnable ->
            {
                final Thread thread = new Thread(runnable, THREAD + next.getAndIncrement());
                thread.setDaemon(true);
                thread.setUncaughtExceptionHandler(watch);
                return thread;
            }, new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public void execute(final Runnable task)
    {
        pool.execute(watch.guard(task));
    }

    @Override
    public void close()
    {
        pool.shutdownNow();
    }
}
