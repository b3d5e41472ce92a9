package io.switchboard.engine.table;

import io.switchboard.engine.metrics.Metrics;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The persisted tables' files in the data dir and the one way each is opened: checked, recovered after a crash,
 * within a time bound, with its {@link RecordCount} kept beside it. Before Chronicle touches a file, its header and
 * its size against the header are read ({@link TableFileHeader}); then Chronicle's recovery (needed anyway after a
 * kill -9, which can leave segment locks set) verifies every entry's checksum and reports to a
 * {@link RecoveryReport}; then the record count is compared with the count of a clean stop. A damaged file is
 * refused with one line ({@link DamagedTableException}) unless the operator asked to recover damaged files: then it
 * is moved aside under a timestamped name, what passes Chronicle's checks is copied into a fresh table, and the
 * number of records that came back is logged and counted. After a crash, the records the killed process was
 * writing are written again from the table's {@link IntentJournal}, counted and logged; then the journal starts
 * empty.
 * <p>
 * A new table is created under a temporary name and renamed once complete, so a table file is never half made.
 * Configured Aeron-style: defaults are constants, setters return this.
 */
public final class TableFiles
{
    public static final long DEFAULT_OPEN_TIMEOUT_MS = 120_000;

    private static final Logger LOG = LoggerFactory.getLogger(TableFiles.class);
    private static final DateTimeFormatter ASIDE_STAMP =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String RECOVERY_HINT =
        "; start with --recover-data=true to move it aside and recover what can be read";

    private final Path directory;
    private final Map<String, AtomicCounter> recovered = new HashMap<>();
    private final Map<String, AtomicCounter> torn = new HashMap<>();
    private final Map<String, AtomicCounter> restored = new HashMap<>();
    private boolean recoverDamaged;
    private long openTimeoutMs = DEFAULT_OPEN_TIMEOUT_MS;
    private Metrics metrics = new Metrics();

    public TableFiles(final Path directory)
    {
        this.directory = directory.toAbsolutePath();
    }

    /** Whether a damaged file is moved aside and recovered (true) or refused (false, the default). */
    public TableFiles recoverDamaged(final boolean value)
    {
        recoverDamaged = value;
        return this;
    }

    /** Longest one table's checks, recovery and open may take before the file is refused. */
    public TableFiles openTimeoutMs(final long value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException("data open timeout ms must be positive: " + value);
        }
        openTimeoutMs = value;
        return this;
    }

    /** Where the counts of recovered, torn and restored records are published. */
    public TableFiles metrics(final Metrics value)
    {
        metrics = value;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    public Path resolve(final String fileName)
    {
        return directory.resolve(fileName);
    }

    /**
     * Opens the table {@code file} (creating it when there is none) with its intent journal, or refuses it.
     *
     * @param table          names the table in counters, e.g. {@code domains}
     * @param maxRecordBytes the largest key and value together that the table's writers store
     * @throws DamagedTableException when the file is damaged and recovery was not asked for, or it did not open in time
     */
    public <K, V> PersistedMap<K, V> open(
        final String table, final ChronicleMapBuilder<K, V> builder, final Path file, final int maxRecordBytes)
    {
        final AtomicCounter recoveredRecords = counter(recovered, table, "switchboard_data_recovered_records_total",
            "Records read back from damaged table files moved aside by --recover-data=true.");
        final AtomicCounter tornRecords = counter(torn, table, "switchboard_data_torn_records_total",
            "Records a killed process was writing, which failed their checksum after the restart and were dropped.");
        final AtomicCounter restoredRecords = counter(restored, table, "switchboard_data_restored_records_total",
            "Records a killed process was writing, written again from the table's intent journal at the restart.");
        final Counters counters = new Counters(recoveredRecords, tornRecords, restoredRecords);
        final FutureTask<PersistedMap<K, V>> opening =
            new FutureTask<>(() -> openChecked(builder, file, maxRecordBytes, recoverDamaged, counters));
        final Thread thread = new Thread(opening, "switchboard-open-" + file.getFileName());
        thread.setDaemon(true);
        thread.start();
        try
        {
            return opening.get(openTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            thread.interrupt();
            throw new DamagedTableException("data file " + file + " did not open within " + openTimeoutMs +
                " ms (--data-open-timeout-ms); if it is damaged, start with --recover-data=true to move it aside " +
                "and recover what can be read");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening " + file, ex);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException cause)
            {
                throw cause;
            }
            if (ex.getCause() instanceof IOException cause)
            {
                throw new UncheckedIOException("cannot open " + file, cause);
            }
            throw new IllegalStateException("cannot open " + file, ex.getCause());
        }
    }

    /** After the table in {@code file} was closed: syncs it and records that it holds {@code records}, cleanly. */
    public static void closedCleanly(final Path file, final long records)
    {
        try
        {
            sync(file);
            RecordCount.clean(records, Files.size(file)).write(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot record the clean stop of " + file, ex);
        }
    }

    /**
     * Copies every record of {@code source} into the new table file {@code target}, synced, with its clean count;
     * each record is read under its segment's lock.
     *
     * @return the records copied
     */
    public static <K, V> long copy(
        final ChronicleMap<K, V> source, final ChronicleMapBuilder<K, V> builder, final Path target) throws IOException
    {
        final Path fresh = sibling(target, ".new");
        Files.deleteIfExists(fresh);
        final long records;
        try (ChronicleMap<K, V> copy = ChronicleTables.create(builder, fresh))
        {
            source.forEachEntry(entry -> copy.put(entry.key().get(), entry.value().get()));
            records = copy.longSize();
        }
        sync(fresh);
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        RecordCount.clean(records, Files.size(target)).write(target);
        return records;
    }

    private static <K, V> PersistedMap<K, V> openChecked(
        final ChronicleMapBuilder<K, V> builder,
        final Path file,
        final int maxRecordBytes,
        final boolean mayRecover,
        final Counters counters) throws IOException
    {
        Files.createDirectories(file.getParent());
        RecordCount count = trustedCount(file);
        String damage = null;
        if (count != null && count.isDamaged())
        {
            damage = "was found damaged at an earlier start: " + count.damage();
        }
        else if (!Files.exists(file))
        {
            if (count != null)
            {
                damage = "is missing, though the count beside it says it held " + count.records() + " records";
            }
            else
            {
                createEmpty(builder, file);
                count = trustedCount(file);
            }
        }
        if (damage == null)
        {
            damage = damageBeforeOpen(file, count);
        }
        if (damage == null)
        {
            final boolean afterCrash = count == null || !count.isClean();
            final RecoveryReport report = new RecoveryReport(afterCrash);
            ChronicleMap<K, V> map = null;
            try
            {
                map = ChronicleTables.recover(builder, file, report);
                damage = report.damage();
                if (damage == null && !afterCrash && map.longSize() != count.records())
                {
                    damage = "holds " + map.longSize() + " records where its clean stop left " + count.records();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // The refusal is one line.
                damage = "cannot be recovered by Chronicle Map (" + ex.toString().replaceAll("\\s+", " ") + ")";
            }
            if (damage == null)
            {
                // A torn entry is no damage: Chronicle dropped it, and the journal holds what it was to become.
                final int restored = afterCrash ? IntentJournal.replay(file, map) : 0;
                if (report.torn() > 0 || restored > 0)
                {
                    counters.torn.getAndAddRelease(report.torn());
                    counters.restored.getAndAddRelease(restored);
                    LOG.warn("{}: {} records being written when the last process was killed failed their checksums " +
                        "and were dropped by Chronicle Map; {} records were written again from the intent journal",
                        file, report.torn(), restored);
                }
                RecordCount.open(map.longSize(), Files.size(file)).write(file);
                // Only now: a kill before this replays the same records again at the next start.
                return new PersistedMap<>(map, IntentJournal.create(file, map, maxRecordBytes));
            }
            if (map != null)
            {
                map.close();
            }
            // Chronicle's recovery has rewritten the file's indexes: the mark keeps it refused until recovered.
            RecordCount.damaged(damage).write(file);
        }
        if (!mayRecover)
        {
            throw new DamagedTableException("data file " + file + " " + damage + RECOVERY_HINT);
        }
        recover(builder, file, damage, counters.recovered);
        return openChecked(builder, file, maxRecordBytes, false, counters);
    }

    /** What the header, the size and a clean count say is wrong, before Chronicle maps the file; null if nothing. */
    private static String damageBeforeOpen(final Path file, final RecordCount count) throws IOException
    {
        final TableFileHeader header = TableFileHeader.read(file);
        if (header.problem() != null)
        {
            return header.problem();
        }
        final long bytes = Files.size(file);
        if (count != null && count.isClean() && bytes != count.fileBytes())
        {
            return "is " + bytes + " bytes where its clean stop left " + count.fileBytes();
        }
        if (header.notComplete())
        {
            // A recovery the kill interrupted: Chronicle would wait a minute for the ready bit before redoing it.
            TableFileHeader.markReady(file);
        }
        return null;
    }

    /**
     * Moves the damaged file (and its count) aside, recovers a copy of it with Chronicle (after giving the copy a
     * fresh header when its own is gone), and copies what passes Chronicle's checks into a fresh table.
     */
    private static <K, V> void recover(
        final ChronicleMapBuilder<K, V> builder, final Path file, final String damage, final AtomicCounter counter)
        throws IOException
    {
        final Path aside = sibling(file, ".damaged-" + ASIDE_STAMP.format(Instant.now()));
        final boolean hadFile = Files.exists(file);
        if (hadFile)
        {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        }
        if (Files.exists(RecordCount.besides(file)))
        {
            Files.move(RecordCount.besides(file), RecordCount.besides(aside), StandardCopyOption.ATOMIC_MOVE);
        }
        long records = -1;
        if (hadFile && Files.size(aside) > 0)
        {
            final Path work = sibling(file, ".recovering");
            Files.deleteIfExists(work);
            Files.copy(aside, work);
            try
            {
                final TableFileHeader header = TableFileHeader.read(work);
                if (!header.headerIntact())
                {
                    spliceFreshHeader(builder, work);
                }
                else if (header.notComplete())
                {
                    TableFileHeader.markReady(work);
                }
                try (ChronicleMap<K, V> readable = ChronicleTables.recover(builder, work, corruption -> { }))
                {
                    records = copy(readable, builder, file);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                LOG.warn("{}: nothing could be read back ({})", aside, ex.toString());
            }
            finally
            {
                Files.deleteIfExists(work);
            }
        }
        if (records < 0)
        {
            createEmpty(builder, file);
            records = 0;
        }
        counter.getAndAddRelease(records);
        LOG.warn("data file {} {}: recovered {} records into a fresh table; the damaged file is kept as {}",
            file, damage, records, hadFile ? aside : "(none, it was missing)");
    }

    /** Gives a copy whose header is gone the header and global state a fresh table of this geometry has. */
    private static <K, V> void spliceFreshHeader(final ChronicleMapBuilder<K, V> builder, final Path work)
        throws IOException
    {
        final Path template = sibling(work, ".template");
        Files.deleteIfExists(template);
        ChronicleTables.create(builder, template).close();
        try (FileChannel from = FileChannel.open(template, StandardOpenOption.READ);
            FileChannel to = FileChannel.open(work, StandardOpenOption.WRITE))
        {
            final long prefix = TableFileHeader.read(template).segmentHeadersAt();
            long copied = 0;
            while (copied < prefix)
            {
                copied += from.transferTo(copied, prefix - copied, to.position(copied));
            }
        }
        finally
        {
            Files.deleteIfExists(template);
        }
    }

    private static <K, V> void createEmpty(final ChronicleMapBuilder<K, V> builder, final Path file)
        throws IOException
    {
        final Path fresh = sibling(file, ".new");
        Files.deleteIfExists(fresh);
        ChronicleTables.create(builder, fresh).close();
        sync(fresh);
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
        RecordCount.clean(0, Files.size(file)).write(file);
    }

    /** The count beside {@code file}, or null when there is none or it cannot be trusted (then it says nothing). */
    private static RecordCount trustedCount(final Path file) throws IOException
    {
        try
        {
            return RecordCount.read(file);
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.warn("{}: ignoring its unreadable record count ({})", file, ex.getMessage());
            return null;
        }
    }

    /** The counters of one table's open. */
    private record Counters(AtomicCounter recovered, AtomicCounter torn, AtomicCounter restored)
    {
    }

    private synchronized AtomicCounter counter(
        final Map<String, AtomicCounter> counters, final String table, final String family, final String help)
    {
        return counters.computeIfAbsent(table, name -> metrics.counter(family, "table=\"" + name + "\"", help));
    }

    private static Path sibling(final Path file, final String suffix)
    {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static void sync(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /** Makes renames and new names in {@code directory} durable. */
    public static void syncDirectory(final Path directory) throws IOException
    {
        sync(directory);
    }
}
