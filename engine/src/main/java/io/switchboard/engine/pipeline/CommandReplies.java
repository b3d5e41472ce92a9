package io.switchboard.engine.pipeline;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers to commands whose sender waits for one, matched by correlation id. The sender {@link #open()}s a
 * {@link Pending}, writes its id into the command, publishes it and {@link Pending#await}s. The handler thread
 * {@link #claim}s the pending by id, encodes the answer into its buffer and {@link Pending#complete}s it. A command
 * nobody waits for any more (the sender timed out, or it was replayed on another node) claims nothing and is
 * applied all the same. Thread-safe.
 */
public final class CommandReplies
{
    /** Room for any answer; answers are fixed-layout flyweights. */
    public static final int MAX_REPLY_LENGTH = 128;

    private final ConcurrentHashMap<Long, Pending> waiting = new ConcurrentHashMap<>();
    private final AtomicLong lastCorrelationId = new AtomicLong();

    /** A new correlation id with a buffer for its answer; close it once done, answered or not. */
    public Pending open()
    {
        final Pending pending = new Pending(lastCorrelationId.incrementAndGet());
        waiting.put(pending.correlationId, pending);
        return pending;
    }

    /** Handler thread: the sender waiting on {@code correlationId}, now answerable, or null when nobody waits. */
    public Pending claim(final long correlationId)
    {
        return waiting.remove(correlationId);
    }

    /** One sender's wait for one answer. */
    public final class Pending implements AutoCloseable
    {
        private final long correlationId;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX_REPLY_LENGTH]);
        private final CompletableFuture<DirectBuffer> answered = new CompletableFuture<>();

        private Pending(final long correlationId)
        {
            this.correlationId = correlationId;
        }

        public long correlationId()
        {
            return correlationId;
        }

        /** Handler thread, after {@link #claim}: where the answer is encoded. */
        public MutableDirectBuffer buffer()
        {
            return buffer;
        }

        /** Handler thread: the answer is in {@link #buffer()}; wakes the sender. */
        public void complete()
        {
            answered.complete(buffer);
        }

        /**
         * Waits for the answer.
         *
         * @return the buffer holding it
         * @throws TimeoutException when the engine did not answer in time
         */
        public DirectBuffer await(final long timeoutMs) throws TimeoutException, InterruptedException
        {
            try
            {
                return answered.get(timeoutMs, TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException ex)
            {
                throw new IllegalStateException("answers are never completed exceptionally", ex);
            }
        }

        /** Stops waiting: a late answer then finds nobody and is dropped. */
        @Override
        public void close()
        {
            waiting.remove(correlationId, this);
        }
    }
}
