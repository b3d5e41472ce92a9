package io.switchboard.engine.table;

import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The pulse rendezvous's registered clients, persisted in the data dir: client id to {@link PulseClientRecord}.
 * Read at start; written afterwards only by the pulse persister's thread, behind the handler. The file is
 * memory-mapped, so it survives a killed process; writing into it may block on the file system, which is why the
 * handler thread never does.
 * <p>
 * A Chronicle file keeps the geometry it was created with, so the file is named by its capacity
 * ({@code pulse-clients-CAPACITY.dat}); opening with another capacity copies the clients into a new file and then
 * deletes the old one, so a crash at any point leaves one complete file to start from. The file is opened, checked
 * and recovered by {@link TableFiles}; each change is written to its {@link IntentJournal} first, so a kill -9 in
 * the middle of it cannot lose the client.
 */
public final class PulseClientTable implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(PulseClientTable.class);
    private static final String PREFIX = "pulse-clients-";
    private static final String SUFFIX = ".dat";
    private static final String PARTIAL = ".partial";
    private static final String TABLE = "pulse-clients";
    private static final int MAX_RECORD_BYTES = UuidKeyMarshaller.SIZE + PulseClientRecord.SIZE;

    /** Receives each stored client while the table is scanned at start. */
    @FunctionalInterface
    public interface Visitor
    {
        void accept(UuidKey client, PulseClientRecord record);
    }

    private final ChronicleMap<UuidKey, PulseClientRecord> map;
    private final IntentJournal journal;
    private final Path file;
    private final long capacity;

    private PulseClientTable(final TableFiles files, final Path file, final long capacity)
    {
        this.file = file;
        this.capacity = capacity;
        final PersistedMap<UuidKey, PulseClientRecord> table =
            files.open(TABLE, builder(capacity), file, MAX_RECORD_BYTES);
        this.map = table.map();
        this.journal = table.journal();
    }

    /**
     * Opens (creating, recovering or resizing) the table of up to {@code capacity} clients in the data dir.
     *
     * @throws DamagedTableException when a file is damaged and the files do not recover damage
     */
    public static PulseClientTable open(final TableFiles files, final long capacity)
    {
        final Path directory = files.directory();
        final Path target = directory.resolve(PREFIX + capacity + SUFFIX);
        try
        {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> partials = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX + PARTIAL + "*"))
            {
                for (final Path partial : partials)
                {
                    Files.delete(partial);
                }
            }
            final List<Path> others = new ArrayList<>();
            try (DirectoryStream<Path> tables = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX))
            {
                tables.forEach(others::add);
            }
            try (DirectoryStream<Path> counts = Files.newDirectoryStream(
                directory, PREFIX + "*" + SUFFIX + RecordCount.SUFFIX))
            {
                // A count without its table: the table is missing, and opening it says so.
                for (final Path count : counts)
                {
                    final String name = count.getFileName().toString();
                    final Path table = count.resolveSibling(name.substring(0, name.length() - RecordCount.SUFFIX.length()));
                    if (!others.contains(table))
                    {
                        others.add(table);
                    }
                }
            }
            others.remove(target);
            if (Files.exists(target))
            {
                // Left over from a resize that stopped after the new file was complete.
                for (final Path other : others)
                {
                    Files.deleteIfExists(RecordCount.besides(other));
                    Files.deleteIfExists(IntentJournal.besides(other));
                    Files.deleteIfExists(other);
                }
            }
            else if (others.size() == 1 && !Files.exists(RecordCount.besides(target)))
            {
                resize(files, others.get(0), target, capacity);
            }
            else if (others.size() > 1)
            {
                throw new IllegalStateException("more than one pulse client file in " + directory + ": " + others);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the pulse client table in " + directory, ex);
        }
        return new PulseClientTable(files, target, capacity);
    }

    private static void resize(final TableFiles files, final Path from, final Path to, final long capacity)
        throws IOException
    {
        final String name = from.getFileName().toString();
        final long fromCapacity = Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        final Path partial = to.resolveSibling(to.getFileName() + PARTIAL);
        try (PulseClientTable source = new PulseClientTable(files, from, fromCapacity))
        {
            if (source.size() > capacity)
            {
                throw new IllegalStateException(source.size() + " pulse clients are registered; the maximum cannot " +
                    "be lowered to " + capacity);
            }
            LOG.warn("copying {} pulse clients from {} into a table of {}", source.size(), from, capacity);
            try (PulseClientTable copy = new PulseClientTable(files, partial, capacity))
            {
                source.forEach(copy::put);
            }
        }
        Files.move(partial, to, StandardCopyOption.ATOMIC_MOVE);
        Files.move(RecordCount.besides(partial), RecordCount.besides(to), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(IntentJournal.besides(partial));
        Files.delete(RecordCount.besides(from));
        Files.deleteIfExists(IntentJournal.besides(from));
        Files.delete(from);
    }

    static ChronicleMapBuilder<UuidKey, PulseClientRecord> builder(final long capacity)
    {
        return ChronicleMapBuilder.of(UuidKey.class, PulseClientRecord.class)
            .name(TABLE)
            .entries(capacity)
            // Every entry carries a checksum that the check at start verifies.
            .checksumEntries(true)
            // The appliance closes its tables itself, each on its owner's thread; Chronicle's exit hook would close
            // them under their owners on SIGTERM, so the clean close (and its record count) would fail.
            .skipCloseOnExitHook(true)
            .keyMarshallers(UuidKeyMarshaller.INSTANCE, UuidKeyMarshaller.INSTANCE)
            .constantKeySizeBySample(new UuidKey())
            .valueMarshallers(PulseClientRecordMarshaller.INSTANCE, PulseClientRecordMarshaller.INSTANCE)
            .constantValueSizeBySample(new PulseClientRecord());
    }

    /** Reads the client's record into {@code using}; false when the client is not registered. */
    public boolean get(final UuidKey client, final PulseClientRecord using)
    {
        return map.getUsing(client, using) != null;
    }

    public boolean contains(final UuidKey client)
    {
        return map.containsKey(client);
    }

    /** Inserts or replaces through a query context: {@code ChronicleMap.put} would materialize the old value. */
    public void put(final UuidKey client, final PulseClientRecord record)
    {
        try (ExternalMapQueryContext<UuidKey, PulseClientRecord, ?> context = map.queryContext(client))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, PulseClientRecord> entry = context.entry();
            final Data<PulseClientRecord> value = journal.intendPut(context, context.wrapValueAsData(record));
            if (entry != null)
            {
                context.replaceValue(entry, value);
            }
            else
            {
                context.insert(context.absentEntry(), value);
            }
        }
    }

    public boolean remove(final UuidKey client)
    {
        try (ExternalMapQueryContext<UuidKey, PulseClientRecord, ?> context = map.queryContext(client))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, PulseClientRecord> entry = context.entry();
            if (entry == null)
            {
                return false;
            }
            journal.intendRemoval(context);
            context.remove(entry);
            return true;
        }
    }

    /** Visits every stored client; for the scan at start. */
    public void forEach(final Visitor visitor)
    {
        final UuidKey client = new UuidKey();
        final PulseClientRecord record = new PulseClientRecord();
        map.forEachEntry(entry -> visitor.accept(entry.key().getUsing(client), entry.value().getUsing(record)));
    }

    public long size()
    {
        return map.longSize();
    }

    /** Bytes of off-heap memory and file the table reserves, for sizing. */
    public long offHeapBytes()
    {
        return map.offHeapMemoryUsed();
    }

    /**
     * Copies every client into a new table file of the same name in {@code directory}, synced, with its clean
     * count; on the thread that writes this table, so the copy is the table as of one moment.
     *
     * @return the clients copied
     */
    public long backupTo(final Path directory) throws IOException
    {
        return TableFiles.copy(map, builder(capacity), directory.resolve(file.getFileName()));
    }

    /** Closes the file and records its clean stop with the clients it holds. */
    @Override
    public void close()
    {
        final long records = map.longSize();
        map.close();
        journal.close();
        TableFiles.closedCleanly(file, records);
    }
}
