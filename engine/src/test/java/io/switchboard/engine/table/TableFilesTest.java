package io.switchboard.engine.table;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Real Chronicle files, damaged the ways disks and operators damage them, opened through {@link TableFiles}. */
class TableFilesTest
{
    private static final int CAPACITY = 20_000;
    private static final int CLIENTS = 2_000;
    private static final String HINT = "; start with --recover-data=true to move it aside and recover what can be read";

    @TempDir
    Path dir;

    private Path file()
    {
        return dir.toAbsolutePath().resolve("pulse-clients-" + CAPACITY + ".dat");
    }

    private void writeClients(final int count)
    {
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            for (int i = 0; i < count; i++)
            {
                table.put(client(i), record(i));
            }
        }
    }

    private static UuidKey client(final int i)
    {
        return new UuidKey(0x5b0a_0000_0000_0000L + i, i * 31L);
    }

    private static PulseClientRecord record(final int i)
    {
        return new PulseClientRecord().registered(new PulseKey().set(i, i + 1, i + 2, i + 3), i, i + 1_000);
    }

    private DamagedTableException refusal()
    {
        return assertThrows(DamagedTableException.class, () -> PulseClientTable.open(new TableFiles(dir), CAPACITY));
    }

    @Test
    void aCleanStopLeavesACleanCountAndReopensWithEveryRecord() throws Exception
    {
        writeClients(CLIENTS);
        final RecordCount count = RecordCount.read(file());
        assertEquals(RecordCount.clean(CLIENTS, Files.size(file())), count);
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            assertEquals(CLIENTS, table.size());
            assertEquals(RecordCount.OPEN, RecordCount.read(file()).state(), "open while the table is in use");
            final PulseClientRecord read = new PulseClientRecord();
            assertTrue(table.get(client(1234), read));
            assertEquals(record(1234).key(), read.key());
        }
    }

    @Test
    void anEmptiedFileIsRefusedWithOneLine() throws Exception
    {
        writeClients(CLIENTS);
        Files.write(file(), new byte[0]);
        assertEquals("data file " + file() + " is empty (0 bytes)" + HINT, refusal().getMessage());
        assertEquals(0, Files.size(file()), "a refused file is left as it is");
    }

    @Test
    void aTruncatedFileIsRefusedWithOneLine() throws Exception
    {
        writeClients(CLIENTS);
        final long half = Files.size(file()) / 2;
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw"))
        {
            raf.setLength(half);
        }
        final String message = refusal().getMessage();
        assertTrue(message.matches("data file \\Q" + file() + "\\E is truncated: " + half +
            " bytes where its header says \\d+\\Q" + HINT + "\\E"), message);
        assertEquals(half, Files.size(file()), "Chronicle never extended it");
    }

    @Test
    void aFileWhoseFirstMebibyteIsZeroedIsRefusedAtOnce() throws Exception
    {
        writeClients(CLIENTS);
        assertTrue(Files.size(file()) > 2 << 20, "the table is larger than what is zeroed");
        zero(0, 1 << 20);
        final long start = System.nanoTime();
        final String message = refusal().getMessage();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "refused, not waited on");
        final String prefix = "data file " + file() + " has no header: its first ";
        assertTrue(message.startsWith(prefix) && message.endsWith(" bytes are zero" + HINT), message);
        final long zeros = Long.parseLong(message.substring(prefix.length(), message.indexOf(' ', prefix.length())));
        assertTrue(zeros >= 1 << 20, "the zeroed MiB and the free space after it: " + zeros);
    }

    @Test
    void aFileOfRandomBytesIsRefused() throws Exception
    {
        writeClients(CLIENTS);
        final byte[] garbage = new byte[(int)Files.size(file())];
        new Random(13).nextBytes(garbage);
        Files.write(file(), garbage);
        final String message = refusal().getMessage();
        assertTrue(message.startsWith("data file " + file() + " has a corrupt header (") && message.endsWith(HINT),
            message);
    }

    @Test
    void aMissingFileWhoseCountSaysItHeldRecordsIsRefused() throws Exception
    {
        writeClients(CLIENTS);
        Files.delete(file());
        assertEquals("data file " + file() + " is missing, though the count beside it says it held " + CLIENTS +
            " records" + HINT, refusal().getMessage());
    }

    @Test
    void anOlderCopyOfTheFileUnderANewerCleanCountIsRefused() throws Exception
    {
        writeClients(10);
        final byte[] older = Files.readAllBytes(file());
        writeClients(CLIENTS);
        Files.write(file(), older);
        assertEquals("data file " + file() + " holds 10 records where its clean stop left " + CLIENTS + HINT,
            refusal().getMessage());
    }

    @Test
    void aRecordWhoseBytesChangedFailsItsChecksumAndStaysRefused() throws Exception
    {
        writeClients(CLIENTS);
        final long at = offsetOf(client(777));
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw"))
        {
            // A byte of the value, after the 16-byte key.
            raf.seek(at + 24);
            final int value = raf.read();
            raf.seek(at + 24);
            raf.write(value ^ 0x40);
        }
        final String message = refusal().getMessage();
        assertTrue(message.matches("data file \\Q" + file() + "\\E fails Chronicle Map's entry checks \\(\\d+ problems; " +
            "the first, in segment \\d+: Checksum doesn't match, stored: -?\\d+, should be from the entry bytes: -?\\d+\\)" +
            "\\Q" + HINT + "\\E"), message);
        assertEquals("data file " + file() + " was found damaged at an earlier start: " +
            message.substring(("data file " + file() + " ").length(), message.length() - HINT.length()) + HINT,
            refusal().getMessage(), "Chronicle's recovery rewrote the indexes, so the count keeps refusing");
    }

    @Test
    void aStaleOpenCountOrNoCountAtAllIsWhatAKillLeavesAndOpens() throws Exception
    {
        writeClients(CLIENTS);
        RecordCount.open(5, 4096).write(file());
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            assertEquals(CLIENTS, table.size());
        }
        Files.delete(RecordCount.besides(file()));
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            assertEquals(CLIENTS, table.size());
        }
        Files.writeString(RecordCount.besides(file()), "state clean\nrecords 1\nfile-bytes 1\ncrc32c 00000000\n");
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            assertEquals(CLIENTS, table.size(), "a count whose checksum fails says nothing");
        }
    }

    @Test
    void recoveringATruncatedFileKeepsItAsideAndBringsBackTheRecordsBeforeTheCut() throws Exception
    {
        writeClients(CLIENTS);
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw"))
        {
            raf.setLength(raf.length() / 2);
        }
        final byte[] damaged = Files.readAllBytes(file());
        final Metrics metrics = new Metrics();
        final long recovered;
        try (PulseClientTable table = PulseClientTable.open(
            new TableFiles(dir).recoverDamaged(true).metrics(metrics), CAPACITY))
        {
            recovered = table.size();
            assertTrue(recovered > 0 && recovered < CLIENTS, recovered + " of " + CLIENTS);
            final Set<UuidKey> seen = new HashSet<>();
            table.forEach((id, stored) ->
            {
                seen.add(id.copy());
                final int i = (int)(id.msb() - client(0).msb());
                assertEquals(client(i), id);
                assertEquals(record(i).key(), stored.key(), "a recovered record is the record that was written");
            });
            assertEquals(recovered, seen.size());
        }
        final Path aside = onlyFile("pulse-clients-" + CAPACITY + ".dat.damaged-");
        assertArrayEquals(damaged, Files.readAllBytes(aside), "the damaged file is kept as it was");
        assertTrue(Files.exists(RecordCount.besides(aside)), "with its count beside it");
        assertTrue(PrometheusText.render(metrics).contains(
            "switchboard_data_recovered_records_total{table=\"pulse-clients\"} " + recovered));
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir), CAPACITY))
        {
            assertEquals(recovered, table.size(), "the fresh table opens without recovery next time");
        }
    }

    @Test
    void recoveringAFileWhoseHeaderIsZeroedReadsTheSegmentsBeyondIt() throws Exception
    {
        writeClients(CLIENTS);
        zero(0, 1 << 20);
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir).recoverDamaged(true), CAPACITY))
        {
            assertTrue(table.size() > 0 && table.size() < CLIENTS, table.size() + " of " + CLIENTS);
            table.forEach((id, stored) ->
                assertEquals(record((int)(id.msb() - client(0).msb())).key(), stored.key()));
        }
    }

    @Test
    void recoveringAnEmptiedOrGarbageFileStartsAnEmptyTable() throws Exception
    {
        writeClients(CLIENTS);
        Files.write(file(), new byte[0]);
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir).recoverDamaged(true), CAPACITY))
        {
            assertEquals(0, table.size());
        }
        final byte[] garbage = new byte[1 << 20];
        new Random(7).nextBytes(garbage);
        Files.write(file(), garbage);
        try (PulseClientTable table = PulseClientTable.open(new TableFiles(dir).recoverDamaged(true), CAPACITY))
        {
            assertEquals(0, table.size());
        }
    }

    @Test
    void anOpenThatHangsIsRefusedOnceItsTimeRunsOut() throws Exception
    {
        // Opening a FIFO for reading blocks until a writer comes: a disk that never answers.
        assertEquals(0, new ProcessBuilder("mkfifo", file().toString()).start().waitFor());
        final long timeoutMs = 500;
        final long start = System.nanoTime();
        final DamagedTableException refused = assertThrows(DamagedTableException.class,
            () -> PulseClientTable.open(new TableFiles(dir).openTimeoutMs(timeoutMs), CAPACITY));
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs >= timeoutMs && tookMs < timeoutMs + 5_000, "refused after " + tookMs + " ms");
        assertEquals("data file " + file() + " did not open within 500 ms (--data-open-timeout-ms); if it is " +
            "damaged, start with --recover-data=true to move it aside and recover what can be read",
            refused.getMessage());
        // Lets the stuck opener finish.
        Files.write(file(), new byte[0]);
    }

    private void zero(final long from, final int length) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw"))
        {
            raf.seek(from);
            raf.write(new byte[length]);
        }
    }

    /** Where the stored key of {@code client} is in the file, in either byte order. */
    private long offsetOf(final UuidKey client) throws Exception
    {
        final byte[] bytes = Files.readAllBytes(file());
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            final byte[] pattern = ByteBuffer.allocate(16).order(order).putLong(client.msb()).putLong(client.lsb())
                .array();
            for (int i = 0; i + pattern.length <= bytes.length; i++)
            {
                int j = 0;
                while (j < pattern.length && bytes[i + j] == pattern[j])
                {
                    j++;
                }
                if (j == pattern.length)
                {
                    return i;
                }
            }
        }
        throw new AssertionError("key not found in the file");
    }

    private Path onlyFile(final String prefix) throws Exception
    {
        try (Stream<Path> list = Files.list(dir))
        {
            final Path[] found = list.filter(path -> path.getFileName().toString().startsWith(prefix) &&
                !path.getFileName().toString().endsWith(RecordCount.SUFFIX)).toArray(Path[]::new);
            assertEquals(1, found.length);
            return found[0];
        }
    }
}
