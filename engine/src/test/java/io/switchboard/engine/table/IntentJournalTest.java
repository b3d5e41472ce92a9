package io.switchboard.engine.table;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The image a kill -9 leaves in the middle of a pulse client's update (the segment's update lock set, the entry's
 * value half rewritten under a checksum that no longer matches, the journal holding the whole new record), made
 * deterministically by a second mapping of the live file and copied aside as the next start finds it.
 */
class IntentJournalTest
{
    private static final int CAPACITY = 20_000;
    private static final int CLIENTS = 500;
    private static final UuidKey TORN = client(123);

    @TempDir
    Path dir;
    @TempDir
    Path crashed;

    private static UuidKey client(final int i)
    {
        return new UuidKey(0x7a11_0000_0000_0000L + i, i * 17L);
    }

    private static PulseClientRecord record(final int i)
    {
        return new PulseClientRecord().registered(new PulseKey().set(i, i + 1, i + 2, i + 3), i, i + 1_000);
    }

    private Path file(final Path directory)
    {
        return directory.resolve("pulse-clients-" + CAPACITY + ".dat");
    }

    /** Every client written, then {@link #TORN} updated; the crash image is taken with {@code tear} half-done. */
    private void writeAndCrash(final boolean tear) throws IOException
    {
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            for (int i = 0; i < CLIENTS; i++)
            {
                table.put(client(i), record(i));
            }
            table.put(TORN, record(CLIENTS + 1));
            crashImage(tear);
        }
    }

    /** Copies the live files as a kill -9 would leave them, with the torn client's segment locked by its writer. */
    private void crashImage(final boolean tear) throws IOException
    {
        try (ChronicleMap<UuidKey, PulseClientRecord> writer =
                PulseClientTable.builder(CAPACITY).createPersistedTo(file(dir).toFile());
            ExternalMapQueryContext<UuidKey, PulseClientRecord, ?> context = writer.queryContext(TORN))
        {
            context.updateLock().lock();
            if (tear)
            {
                final Data<PulseClientRecord> value = context.entry().value();
                final RandomDataOutput<?> bytes = (RandomDataOutput<?>)value.bytes();
                for (long at = value.offset() + value.size() / 2; at < value.offset() + value.size(); at++)
                {
                    bytes.writeByte(at, (byte)~value.bytes().readByte(at));
                }
            }
            for (final Path each :
                new Path[] {file(dir), RecordCount.besides(file(dir)), IntentJournal.besides(file(dir))})
            {
                Files.copy(each, crashed.resolve(each.getFileName()));
            }
            if (tear)
            {
                final Data<PulseClientRecord> value = context.entry().value();
                final RandomDataOutput<?> bytes = (RandomDataOutput<?>)value.bytes();
                for (long at = value.offset() + value.size() / 2; at < value.offset() + value.size(); at++)
                {
                    bytes.writeByte(at, (byte)~value.bytes().readByte(at));
                }
            }
        }
    }

    @Test
    void aClientWhoseUpdateAKillToreIsWrittenAgainFromTheJournal() throws Exception
    {
        writeAndCrash(true);
        final Metrics metrics = new Metrics();
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(crashed).metrics(metrics), CAPACITY))
        {
            assertEquals(CLIENTS, table.size());
            final PulseClientRecord read = new PulseClientRecord();
            assertTrue(table.get(TORN, read), "the torn client is back");
            assertEquals(record(CLIENTS + 1).key(), read.key(), "as the update left it");
            assertTrue(table.get(client(7), read));
            assertEquals(record(7).key(), read.key());
        }
        final String text = PrometheusText.render(metrics);
        assertTrue(text.contains("switchboard_data_torn_records_total{table=\"pulse-clients\"} 1"), text);
        assertTrue(text.contains("switchboard_data_restored_records_total{table=\"pulse-clients\"} 1"), text);
    }

    @Test
    void withoutTheJournalTheSameKillLosesTheClient() throws Exception
    {
        writeAndCrash(true);
        Files.delete(IntentJournal.besides(file(crashed)));
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(crashed), CAPACITY))
        {
            assertFalse(table.contains(TORN), "Chronicle's recovery drops the torn entry whole");
            assertEquals(CLIENTS - 1, table.size());
        }
    }

    @Test
    void aKillInsideTheJournalWriteLeavesTheEntryAsItWas() throws Exception
    {
        writeAndCrash(false);
        final Path journal = IntentJournal.besides(file(crashed));
        try (RandomAccessFile raf = new RandomAccessFile(journal.toFile(), "rw"))
        {
            // Every slot's bytes after its hash are not what the hash covers, as when the kill cut the record short.
            for (long at = 64 + 8; at < raf.length(); at += 64)
            {
                raf.seek(at);
                raf.write(0x5a);
            }
        }
        final Metrics metrics = new Metrics();
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(crashed).metrics(metrics), CAPACITY))
        {
            final PulseClientRecord read = new PulseClientRecord();
            assertTrue(table.get(TORN, read));
            assertEquals(record(CLIENTS + 1).key(), read.key());
            assertEquals(CLIENTS, table.size());
        }
        assertTrue(PrometheusText.render(metrics).contains(
            "switchboard_data_restored_records_total{table=\"pulse-clients\"} 0"));
    }

    @Test
    void aRemovalInFlightIsFinishedAndNeverUndone() throws Exception
    {
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            for (int i = 0; i < CLIENTS; i++)
            {
                table.put(client(i), record(i));
            }
            table.put(TORN, record(CLIENTS + 1));
            assertTrue(table.remove(TORN));
            crashImage(false);
        }
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(crashed), CAPACITY))
        {
            assertFalse(table.contains(TORN), "the removal written last wins over the update before it");
            assertEquals(CLIENTS - 1, table.size());
        }
    }

    @Test
    void aJournalLeftBesideACleanlyStoppedTableIsNotReplayed() throws Exception
    {
        writeAndCrash(false);
        final Path copy = crashed.resolve("clean");
        Files.createDirectories(copy);
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(crashed), CAPACITY))
        {
            assertTrue(table.remove(TORN));
        }
        // An operator's restore: a clean table from a backup, beside the journal of a killed process.
        Files.copy(file(crashed), copy.resolve(file(crashed).getFileName()));
        Files.copy(RecordCount.besides(file(crashed)), copy.resolve(RecordCount.besides(file(crashed)).getFileName()));
        Files.copy(IntentJournal.besides(file(dir)), copy.resolve(IntentJournal.besides(file(dir)).getFileName()));
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(copy), CAPACITY))
        {
            assertFalse(table.contains(TORN), "the journal speaks only for a table its writer was killed in");
        }
    }
}
