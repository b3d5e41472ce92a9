package io.switchboard.edge.websocket;

import io.switchboard.engine.health.Watch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One thread and its selector, owning the WebSocket connections handed to it after their handshake:
 * {@code epoll -> ready key -> connection reads (and relays) or flushes}. Nothing but this thread reads a connection,
 * so a connection's messages arrive in order; any thread may write one (see {@link WebSocketConnection}).
 * <p>
 * The thread blocks in the kernel while nothing is ready, which on a small box is what the rest of the appliance
 * needs (no spinning idle strategy). Work from other threads (a registration, a close to time) comes in through a
 * queue and a selector wake-up; a close's grace deadline is kept here, in the order the closes were sent. Text
 * frames that handling one batch of ready sockets sends are written at the end of the batch, one system call per
 * destination (see {@link ThreadBuffers}).
 * <p>
 * An exception in one connection's handling ends that connection and is reported to the loop's {@link Watch}; an
 * Error, or a lost selector, ends the thread and fails the watch (its sockets are cut first).
 */
public final class SocketLoop implements AutoCloseable
{
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Connections that sent a close frame, oldest first (every grace is the same length). Loop thread only. */
    private final ArrayDeque<WebSocketConnection> closing = new ArrayDeque<>();
    /** One local address object for the sockets of this loop (loop thread only). */
    private final SharedLocalAddress localAddress = new SharedLocalAddress();
    private final Watch watch;
    private volatile boolean running = true;

    /** Starts a loop on a new thread called {@code name}, reporting to {@code watch}. */
    public SocketLoop(final String name, final Watch watch)
    {
        this.watch = watch;
        try
        {
            selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open a selector for " + name, ex);
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(watch);
        thread.start();
    }

    /** Runs {@code task} on this loop's thread, soon. */
    public void execute(final Runnable task)
    {
        tasks.add(task);
        selector.wakeup();
    }

    /** An exception one connection's handling threw: that connection ends, the loop carries on. */
    void survived(final RuntimeException ex)
    {
        watch.onError(ex);
    }

    boolean inLoop()
    {
        return Thread.currentThread() == thread;
    }

    /** Called with a connection's lock held after changing its key's interest from another thread. */
    void interestChanged()
    {
        if (!inLoop())
        {
            selector.wakeup();
        }
    }

    /** On this loop's thread: the key {@code connection}'s channel reads and writes through from now on. */
    SelectionKey register(final WebSocketConnection connection, final SocketChannel channel, final int interest)
        throws IOException
    {
        localAddress.share(channel);
        return channel.register(selector, interest, connection);
    }

    /** On this loop's thread: cut {@code connection} once its close grace has passed, unless it ended before. */
    void cutAfterGrace(final WebSocketConnection connection)
    {
        connection.cutAtMs(nowMs() + WebSocketConnection.CLOSE_GRACE_MS);
        closing.add(connection);
    }

    private void run()
    {
        final ThreadBuffers buffers = ThreadBuffers.ofThisThread();
        try
        {
            while (running)
            {
                buffers.startDeferring();
                try
                {
                    selector.select(SocketLoop::onReady, selectTimeoutMs());
                }
                finally
                {
                    buffers.flush();
                }
                runTasks();
                cutExpiredGraces();
            }
        }
        catch (final IOException | ClosedSelectorException ex)
        {
            if (running)
            {
                throw new IllegalStateException("socket loop " + thread.getName() + " lost its selector", ex);
            }
        }
        finally
        {
            shutDown();
        }
    }

    private static void onReady(final SelectionKey key)
    {
        if (key.isValid())
        {
            ((WebSocketConnection)key.attachment()).onReady(key.readyOps());
        }
    }

    private long selectTimeoutMs()
    {
        final WebSocketConnection oldest = closing.peek();
        if (oldest == null)
        {
            return 0; // until woken
        }
        return Math.max(1, oldest.cutAtMs() - nowMs());
    }

    private void runTasks()
    {
        Runnable task;
        while ((task = tasks.poll()) != null)
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                // One connection's fault must not end the loop that owns the others.
                watch.onError(ex);
            }
        }
    }

    private void cutExpiredGraces()
    {
        final long nowMs = nowMs();
        WebSocketConnection oldest;
        while ((oldest = closing.peek()) != null && oldest.cutAtMs() <= nowMs)
        {
            closing.poll().abort();
        }
    }

    private static long nowMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    /** Every connection still here is sent a 1001 close and cut (its handler hears it), then the selector goes. */
    private void shutDown()
    {
        runTasks();
        final List<WebSocketConnection> open = new ArrayList<>();
        try
        {
            for (final SelectionKey key : selector.keys())
            {
                open.add((WebSocketConnection)key.attachment());
            }
        }
        catch (final ClosedSelectorException ex)
        {
            return;
        }
        open.forEach(WebSocketConnection::goAway);
        try
        {
            selector.close();
        }
        catch (final IOException ignored)
        {
            // Nothing left to release.
        }
    }

    /** Stops the thread; every connection it owns is cut. */
    @Override
    public void close()
    {
        running = false;
        selector.wakeup();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
