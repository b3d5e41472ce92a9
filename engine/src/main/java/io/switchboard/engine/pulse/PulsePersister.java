package io.switchboard.engine.pulse;

import io.switchboard.engine.command.TableBackupCommand;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.table.PulseClientRecord;
import io.switchboard.engine.table.PulseClientTable;
import io.switchboard.engine.table.UuidKey;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes the handler's client changes behind it into the persisted table, on its own thread: writing into a
 * memory-mapped file can block on the file system (a page written back must be faulted in again, and that may wait
 * for the journal), and the handler thread must never block. Each change travels as a copy of the client's record
 * through a one-to-one ring, so this thread touches nothing of the handler's; a change superseded by a later one of
 * the same slot is skipped, so a burst of pulses costs one write. The persister drains the ring, then sleeps
 * {@link #INTERVAL_MS}: the file trails the handler by about that much, which is what a killed process loses of
 * soft changes (pulse times, states). An answer that must not be given before its change is on file (a
 * registration, a logout) is handed over with {@link #completeWhenWritten}: it is completed after the drain that
 * wrote the change, and the handler wakes the persister for it.
 */
final class PulsePersister implements Agent
{
    static final long INTERVAL_MS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(PulsePersister.class);

    private static final int UPSERT = 1;
    private static final int DELETE = 2;
    private static final int SLOT_OFFSET = 0;
    private static final int SEQUENCE_OFFSET = 4;
    private static final int MSB_OFFSET = 8;
    private static final int LSB_OFFSET = 16;
    private static final int RECORD_OFFSET = 24;
    private static final int MESSAGE_LENGTH = RECORD_OFFSET + PulseClientRecord.SIZE;
    /** About 112 bytes a change: from some 9,000 to some 600,000 changes, i.e. seconds of a stalled file system. */
    private static final int MIN_RING_BYTES = 1024 * 1024;
    private static final int MAX_RING_BYTES = 64 * 1024 * 1024;
    private static final int DRAIN_LIMIT = Integer.MAX_VALUE;
    /** Registrations and logouts answered per drain at most; the HTTP edge waits for each, so few are in flight. */
    private static final int MAX_AWAITING_WRITE = 4096;
    /** Backups are asked for by an operator, one at a time. */
    private static final int MAX_AWAITING_BACKUP = 4;

    /** A copy of the table into {@code directory}, answered through {@code pending}. */
    private record Backup(CommandReplies.Pending pending, Path directory)
    {
    }

    private final PulseClientTable file;
    private final OneToOneRingBuffer queue;
    /** One int per slot: the sequence of the slot's latest queued change. Written by the handler, read here. */
    private final UnsafeBuffer latest;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
    private final UuidKey client = new UuidKey();
    private final PulseClientRecord record = new PulseClientRecord();
    private final MessageHandler handler = this::onMessage;
    private final AtomicCounter written;
    private final AgentRunner runner;
    private final Watch watch;
    /** Answers waiting for their changes to be written; handler thread in, persister thread out. */
    private final OneToOneConcurrentArrayQueue<CommandReplies.Pending> awaitingWrite;
    private final ArrayList<CommandReplies.Pending> completing = new ArrayList<>();
    /** Backups asked for, each waiting for the drain that writes the changes queued before it; handler in, here out. */
    private final OneToOneConcurrentArrayQueue<Backup> awaitingBackup =
        new OneToOneConcurrentArrayQueue<>(MAX_AWAITING_BACKUP);
    private final int minFreeBytes;
    private int sequence;

    /**
     * @param file     the persisted table, written only here once started
     * @param capacity most clients, the number of slots
     * @param watch    where its errors go (an Error, or its thread ending, fails it)
     */
    PulsePersister(
        final PulseClientTable file,
        final int capacity,
        final AtomicCounter written,
        final AtomicCounter errors,
        final Watch watch)
    {
        this.file = file;
        this.written = written;
        final int ringBytes = (int)Math.min(MAX_RING_BYTES,
            Math.max(MIN_RING_BYTES, BitUtil.findNextPositivePowerOfTwo((long)capacity * 64)));
        this.queue = new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        this.latest = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * Integer.BYTES));
        this.awaitingWrite = new OneToOneConcurrentArrayQueue<>(MAX_AWAITING_WRITE);
        this.minFreeBytes = ringBytes / 8;
        this.watch = watch;
        this.runner = new AgentRunner(new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS)),
            watch, errors, this);
    }

    void start()
    {
        AgentRunner.startOnThread(runner, runnable ->
        {
            final Thread thread = new Thread(runnable, roleName());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler(watch);
            return thread;
        });
    }

    /**
     * Handler thread: the client in {@code slot} is now {@code changed} (new, or changed).
     *
     * @return false when the ring is full: the caller must offer the change again later
     */
    boolean changed(final int slot, final long msb, final long lsb, final PulseClientRecord changed)
    {
        final int next = ++sequence;
        latest.putIntOrdered(slot * Integer.BYTES, next);
        message.putInt(SLOT_OFFSET, slot, ByteOrder.LITTLE_ENDIAN);
        message.putInt(SEQUENCE_OFFSET, next, ByteOrder.LITTLE_ENDIAN);
        changed.put(message, RECORD_OFFSET);
        return enqueue(UPSERT, msb, lsb, MESSAGE_LENGTH);
    }

    /**
     * Handler thread: the client is gone.
     *
     * @return false when the ring is full: the caller must offer the removal again later
     */
    boolean removed(final long msb, final long lsb)
    {
        return enqueue(DELETE, msb, lsb, RECORD_OFFSET);
    }

    /**
     * Handler thread: whether a change that must be on file before it is answered can be taken now. False while the
     * file system lags so far that the ring is nearly full: the caller refuses the command instead of answering
     * before the write or deferring it.
     */
    boolean canTakeDurableChange()
    {
        return queue.capacity() - queue.size() >= minFreeBytes && awaitingWrite.remainingCapacity() > 0;
    }

    /**
     * Handler thread, after queueing the change the answer reports: {@code pending} is completed once the change
     * is written. The caller checked {@link #canTakeDurableChange()} before making the change.
     */
    void completeWhenWritten(final CommandReplies.Pending pending)
    {
        if (!awaitingWrite.offer(pending))
        {
            // Only if the caller skipped canTakeDurableChange(): never leave the sender waiting.
            pending.complete();
            return;
        }
        wake();
    }

    /**
     * Handler thread, a cold path: copy the table into {@code directory} once the changes queued before this call
     * are written, so the copy is the handler's state as of now; {@code pending} gets the outcome and the count.
     *
     * @return false when too many backups are waiting already
     */
    boolean backupWhenWritten(final CommandReplies.Pending pending, final Path directory)
    {
        if (!awaitingBackup.offer(new Backup(pending, directory)))
        {
            return false;
        }
        wake();
        return true;
    }

    private void wake()
    {
        final Thread thread = runner.thread();
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    private boolean enqueue(final int type, final long msb, final long lsb, final int length)
    {
        message.putLong(MSB_OFFSET, msb, ByteOrder.LITTLE_ENDIAN);
        message.putLong(LSB_OFFSET, lsb, ByteOrder.LITTLE_ENDIAN);
        return queue.write(type, message, 0, length);
    }

    /**
     * Drains everything queued, then reports no work so the runner sleeps and changes batch up meanwhile. The
     * answers are taken before the drain: their changes were queued before them, so the drain writes those.
     */
    @Override
    public int doWork()
    {
        awaitingWrite.drainTo(completing, MAX_AWAITING_WRITE);
        final Backup backup = awaitingBackup.poll();
        drain();
        for (int i = 0; i < completing.size(); i++)
        {
            completing.get(i).complete();
        }
        completing.clear();
        if (backup != null)
        {
            backUp(backup);
        }
        return 0;
    }

    /** Copies the table while nothing writes it: the handler's changes wait in the ring meanwhile. */
    private void backUp(final Backup backup)
    {
        byte outcome = TableBackupCommand.COPIED;
        long records = 0;
        try
        {
            records = file.backupTo(backup.directory());
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("backup of the pulse clients into {} failed", backup.directory(), ex);
            outcome = TableBackupCommand.FAILED;
        }
        TableBackupCommand.putAnswer(backup.pending().buffer(), outcome, records);
        backup.pending().complete();
    }

    private void drain()
    {
        // A read stops where the ring wraps and may consume nothing but the padding there: read on while bytes remain.
        while (queue.read(handler, DRAIN_LIMIT) > 0 || queue.size() > 0)
        {
        }
    }

    private void onMessage(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        client.set(buffer.getLong(offset + MSB_OFFSET, ByteOrder.LITTLE_ENDIAN),
            buffer.getLong(offset + LSB_OFFSET, ByteOrder.LITTLE_ENDIAN));
        if (type == DELETE)
        {
            file.remove(client);
            written.incrementRelease();
            return;
        }
        final int slot = buffer.getInt(offset + SLOT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int sequenceOfMessage = buffer.getInt(offset + SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (latest.getIntVolatile(slot * Integer.BYTES) != sequenceOfMessage)
        {
            // A later change of this slot is queued behind this one (for this client, or the slot's next one).
            return;
        }
        file.put(client, record.get(buffer, offset + RECORD_OFFSET));
        written.incrementRelease();
    }

    /** On the persister's thread as it stops: nothing queued is lost, and nobody is left waiting. */
    @Override
    public void onClose()
    {
        doWork();
    }

    /** Stops the thread after writing everything queued; then the table may close. */
    void close()
    {
        runner.close();
    }

    @Override
    public String roleName()
    {
        return "switchboard-pulse-persister";
    }
}
