package io.switchboard.engine.pulse;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.table.PulseClientRecord;
import io.switchboard.engine.table.PulseClientTable;
import io.switchboard.engine.table.PulseKey;
import io.switchboard.engine.table.TableFiles;
import io.switchboard.engine.table.UuidKey;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.*;

/** The write-behind of client changes into the persisted table; the test plays the persister's thread. */
class PulsePersisterTest
{
    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final AtomicCounter written = metrics.counter("written", "", "written");
    private PulseClientTable file;
    private PulsePersister persister;

    @BeforeEach
    void open()
    {
        file = PulseClientTable.open(new TableFiles(dir), 1_000);
        persister = new PulsePersister(file, 1_000, written, metrics.counter("errors", "", "errors"),
            new Liveness(metrics).register("persister"));
    }

    @AfterEach
    void close()
    {
        file.close();
    }

    private static PulseClientRecord record(final long lastPulseMs)
    {
        return new PulseClientRecord().registered(new PulseKey().set(1, 2, 3, 4), 1, 2).lastPulseMs(lastPulseMs);
    }

    @Test
    void onlyTheLatestOfASlotsQueuedChangesIsWritten()
    {
        for (int pulse = 1; pulse <= 100; pulse++)
        {
            assertTrue(persister.changed(7, 70, 71, record(pulse)));
        }
        assertTrue(persister.changed(8, 80, 81, record(5)));
        persister.doWork();
        assertEquals(2, written.get());
        final PulseClientRecord read = new PulseClientRecord();
        assertTrue(file.get(new UuidKey(70, 71), read));
        assertEquals(100, read.lastPulseMs());
        assertTrue(file.get(new UuidKey(80, 81), read));
    }

    @Test
    void aRemovalIsWrittenAndASlotsNextClientIsNotMistakenForTheOld()
    {
        assertTrue(persister.changed(3, 30, 31, record(1)));
        assertTrue(persister.removed(30, 31));
        assertTrue(persister.changed(3, 40, 41, record(2)));
        persister.doWork();
        assertFalse(file.contains(new UuidKey(30, 31)));
        assertTrue(file.contains(new UuidKey(40, 41)));
    }

    @Test
    void aFullQueueRefusesInsteadOfBlockingAndDrainsAfterwards()
    {
        int accepted = 0;
        while (persister.changed(accepted % 1_000, accepted % 1_000, 1, record(accepted)))
        {
            accepted++;
        }
        assertTrue(accepted > 1_000, "the queue holds seconds of changes: " + accepted);
        persister.doWork();
        final int refused = accepted % 1_000;
        assertTrue(persister.changed(refused, refused, 1, record(accepted)), "room again once drained");
        persister.doWork();
        assertEquals(1_000, file.size(), "the refused change, offered again, is written like the others");
    }

    @Test
    void aDrainReadsOnPastTheRingsWrapPoint()
    {
        final PulseClientRecord read = new PulseClientRecord();
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < 5_000; i++)
            {
                assertTrue(persister.changed(i % 1_000, i % 1_000, 1, record(round * 10_000L + i)));
            }
            persister.doWork();
            for (int i = 0; i < 1_000; i++)
            {
                assertTrue(file.get(new UuidKey(i, 1), read));
                assertEquals(round * 10_000L + 4_000 + i, read.lastPulseMs(), "round " + round + " client " + i);
            }
        }
    }

    @Test
    void closingWritesWhatIsStillQueued()
    {
        assertTrue(persister.changed(1, 10, 11, record(9)));
        persister.onClose();
        assertTrue(file.contains(new UuidKey(10, 11)));
    }

    @Test
    void anAnswerThatWaitsForItsChangeIsCompletedByTheDrainThatWritesIt() throws Exception
    {
        final CommandReplies replies = new CommandReplies();
        final CommandReplies.Pending pending = replies.open();
        assertTrue(persister.canTakeDurableChange());
        assertTrue(persister.changed(5, 50, 51, record(1)));
        persister.completeWhenWritten(replies.claim(pending.correlationId()));
        assertThrows(TimeoutException.class, () -> pending.await(0), "not before the write");
        persister.doWork();
        assertNotNull(pending.await(0));
        assertTrue(file.contains(new UuidKey(50, 51)));
    }

    @Test
    void aLaggingFileRefusesDurableChangesUntilItCatchesUp()
    {
        int accepted = 0;
        while (persister.canTakeDurableChange())
        {
            assertTrue(persister.changed(accepted % 1_000, accepted % 1_000, 1, record(accepted)));
            accepted++;
        }
        assertTrue(accepted > 1_000, "refused only with seconds of changes queued: " + accepted);
        persister.doWork();
        assertTrue(persister.canTakeDurableChange());
    }

    @Test
    void closingCompletesTheAnswersStillWaiting() throws Exception
    {
        final CommandReplies replies = new CommandReplies();
        final CommandReplies.Pending pending = replies.open();
        assertTrue(persister.changed(2, 20, 21, record(1)));
        persister.completeWhenWritten(replies.claim(pending.correlationId()));
        persister.onClose();
        assertNotNull(pending.await(0));
        assertTrue(file.contains(new UuidKey(20, 21)));
    }
}
