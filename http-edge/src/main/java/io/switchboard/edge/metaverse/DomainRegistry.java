package io.switchboard.edge.metaverse;

import io.switchboard.engine.table.IntentJournal;
import io.switchboard.engine.table.PersistedMap;
import io.switchboard.engine.table.TableFiles;
import io.switchboard.engine.table.UuidKey;
import io.switchboard.engine.table.UuidKeyMarshaller;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.ChecksumEntry;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The domains, persisted in a Chronicle Map file of the data dir (domain UUID to an encoded {@link DomainRecord}): this
 * node's replica of the registry, which every endpoint reads. Durable changes are written by the registry's applying
 * thread alone ({@link DomainMachine}); heartbeats write their soft fields in place from IO threads.
 * Thread-safe: every change is a read-modify-write under the entry's segment lock, held for microseconds; nothing
 * that may wait runs inside it, so IO threads may call it. Under that lock, each change is written to the table's
 * {@link IntentJournal} before the entry, so a kill -9 in the middle of it cannot lose the domain.
 */
final class DomainRegistry implements AutoCloseable
{
    private static final int AVERAGE_RECORD_BYTES = 768;
    /** DomainFields bounds every text and list, so an encoded record stays under about 40 KiB. */
    private static final int MAX_RECORD_BYTES = UuidKeyMarshaller.SIZE + 64 * 1024;
    private static final double MAX_BLOAT_FACTOR = 2.0;

    private static final String TABLE = "domains";

    /** What {@link #heartbeatInPlace} answers when the heartbeat changes durable fields. */
    static final Refusal NOT_IN_PLACE = new Refusal(Failure.INTERNAL_ERROR, "durable change");

    private final ChronicleMap<UuidKey, byte[]> map;
    private final IntentJournal journal;
    private final Path file;
    private final int maxDomains;

    /**
     * Opens the registry in {@code fileName} of the data dir, checked by {@code files}.
     *
     * @throws io.switchboard.engine.table.DamagedTableException when the file is damaged and is not to be recovered
     */
    DomainRegistry(final TableFiles files, final String fileName, final int maxDomains)
    {
        this.maxDomains = maxDomains;
        this.file = files.resolve(fileName);
        final PersistedMap<UuidKey, byte[]> table = files.open(TABLE, builder(maxDomains), file, MAX_RECORD_BYTES);
        this.map = table.map();
        this.journal = table.journal();
    }

    static ChronicleMapBuilder<UuidKey, byte[]> builder(final int maxDomains)
    {
        return ChronicleMapBuilder.of(UuidKey.class, byte[].class)
            .name("metaverse-domains")
            .entries(maxDomains)
            .maxBloatFactor(MAX_BLOAT_FACTOR)
            // Every entry carries a checksum that the check at start verifies.
            .checksumEntries(true)
            // The appliance closes its tables itself, each on its owner's thread; Chronicle's exit hook would close
            // them under their owners on SIGTERM, so the clean close (and its record count) would fail.
            .skipCloseOnExitHook(true)
            .keyMarshallers(UuidKeyMarshaller.INSTANCE, UuidKeyMarshaller.INSTANCE)
            .constantKeySizeBySample(new UuidKey())
            .averageValueSize(AVERAGE_RECORD_BYTES);
    }

    /** The domain, or null when there is none. */
    DomainRecord get(final UUID id)
    {
        final byte[] encoded = map.get(keyOf(id));
        return encoded == null ? null : DomainRecord.decode(id, encoded);
    }

    /** Stores a new domain; false when the registry is full. */
    boolean insert(final DomainRecord record)
    {
        if (map.longSize() >= maxDomains)
        {
            return false;
        }
        final byte[] encoded = record.encode();
        try (ExternalMapQueryContext<UuidKey, byte[], ?> context = map.queryContext(keyOf(record.id)))
        {
            context.updateLock().lock();
            if (context.entry() != null)
            {
                return false;
            }
            context.insert(context.absentEntry(), journal.intendPut(context, context.wrapValueAsData(encoded)));
            return true;
        }
    }

    /**
     * Writes a stock heartbeat in place under one lookup and lock when it changes nothing but the heartbeat time and
     * the user counts (every heartbeat after the first): soft fields, this node's own. Any other change is durable
     * and goes through the registry's log ({@link DomainWrites}): then it answers {@link #NOT_IN_PLACE}.
     *
     * @param authorizes given the stored api_key (or null), whether the caller may change the domain
     * @return null when written, {@link #NOT_IN_PLACE}, else why not
     */
    Refusal heartbeatInPlace(
        final UUID id, final HeartbeatBody heartbeat, final Predicate<String> authorizes, final long nowMs)
    {
        try (ExternalMapQueryContext<UuidKey, byte[], ?> context = map.queryContext(keyOf(id)))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, byte[]> entry = context.entry();
            if (entry == null)
            {
                return Refusal.UNKNOWN_DOMAIN;
            }
            final Data<byte[]> value = entry.value();
            final long base = value.offset();
            if (!authorizes.test(DomainRecord.storedApiKey(value.bytes(), base, value.size())))
            {
                return Refusal.NOT_AUTHORIZED;
            }
            if (DomainRecord.IN_PLACE && value.bytes() instanceof RandomDataOutput<?> stored &&
                DomainRecord.sameStoredHeartbeat(value.bytes(), base, value.size(), heartbeat))
            {
                // The journal gets the whole record as it will be, before the first byte of the entry changes.
                DomainRecord.putStoredHeartbeat(journal.bytes(), journal.stage(context, value), heartbeat, nowMs);
                journal.seal(context);
                DomainRecord.putStoredHeartbeat(stored, base, heartbeat, nowMs);
                // A persisted entry carries a checksum that recovery after a crash checks; a stale one drops it.
                if (entry instanceof ChecksumEntry checksummed)
                {
                    checksummed.updateChecksum();
                }
                return null;
            }
            return NOT_IN_PLACE;
        }
    }

    /** Removes the domain; false when there was none. */
    boolean remove(final UUID id)
    {
        try (ExternalMapQueryContext<UuidKey, byte[], ?> context = map.queryContext(keyOf(id)))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, byte[]> entry = context.entry();
            if (entry == null)
            {
                return false;
            }
            journal.intendRemoval(context);
            context.remove(entry);
            return true;
        }
    }

    /**
     * Replaces a domain's durable fields with {@code record}'s (revision included), keeping whichever heartbeat time
     * and user counts are the later; false when there is no such domain.
     */
    boolean replaceDurable(final DomainRecord record)
    {
        try (ExternalMapQueryContext<UuidKey, byte[], ?> context = map.queryContext(keyOf(record.id)))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, byte[]> entry = context.entry();
            if (entry == null)
            {
                return false;
            }
            final DomainRecord stored = DomainRecord.decode(record.id, entry.value().getUsing(null));
            if (stored.lastHeartbeatMs > record.lastHeartbeatMs)
            {
                record.lastHeartbeatMs = stored.lastHeartbeatMs;
                record.numUsers = stored.numUsers;
                record.anonUsers = stored.anonUsers;
            }
            replace(context, entry, record.encode());
            return true;
        }
    }

    /**
     * Takes a heartbeat time and user counts another node heard, when they are later than the stored ones; false
     * when there is no such domain.
     */
    boolean mergeSoft(final UUID id, final long lastHeartbeatMs, final int numUsers, final int anonUsers)
    {
        try (ExternalMapQueryContext<UuidKey, byte[], ?> context = map.queryContext(keyOf(id)))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, byte[]> entry = context.entry();
            if (entry == null)
            {
                return false;
            }
            final DomainRecord stored = DomainRecord.decode(id, entry.value().getUsing(null));
            if (stored.lastHeartbeatMs < lastHeartbeatMs)
            {
                stored.lastHeartbeatMs = lastHeartbeatMs;
                stored.numUsers = numUsers;
                stored.anonUsers = anonUsers;
                replace(context, entry, stored.encode());
            }
            return true;
        }
    }

    /** Removes every domain (a replica about to be rebuilt from the cluster's snapshot and log). */
    void clear()
    {
        map.clear();
    }

    /** Under the entry's update lock: journals the new record, then writes it. */
    private void replace(
        final ExternalMapQueryContext<UuidKey, byte[], ?> context, final MapEntry<UuidKey, byte[]> entry,
        final byte[] encoded)
    {
        context.replaceValue(entry, journal.intendPut(context, context.wrapValueAsData(encoded)));
    }

    /** A snapshot of every domain, in no particular order; decoded after each segment's lock is released. */
    List<DomainRecord> all()
    {
        final List<UUID> ids = new ArrayList<>();
        final List<byte[]> encoded = new ArrayList<>();
        map.forEachEntry(entry ->
        {
            ids.add(entry.key().get().toUuid());
            encoded.add(entry.value().getUsing(null));
        });
        final List<DomainRecord> records = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++)
        {
            records.add(DomainRecord.decode(ids.get(i), encoded.get(i)));
        }
        return records;
    }

    long size()
    {
        return map.longSize();
    }

    private static UuidKey keyOf(final UUID id)
    {
        return new UuidKey(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    /**
     * Copies every domain into a new registry file of the same name in {@code directory}, synced, with its clean
     * count. Each domain is read under its segment's lock, so each is whole and as it stood at one moment during the
     * copy; every change answered before the call is in it.
     *
     * @return the domains copied
     */
    long backupTo(final Path directory) throws IOException
    {
        return TableFiles.copy(map, builder(maxDomains), directory.resolve(file.getFileName()));
    }

    /** Closes the file and records its clean stop with the domains it holds. */
    @Override
    public void close()
    {
        final long records = map.longSize();
        map.close();
        journal.close();
        TableFiles.closedCleanly(file, records);
    }
}
