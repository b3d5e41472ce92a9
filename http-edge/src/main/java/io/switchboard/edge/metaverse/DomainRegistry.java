package io.switchboard.edge.metaverse;

import io.switchboard.engine.table.ChronicleTables;
import io.switchboard.engine.table.UuidKey;
import io.switchboard.engine.table.UuidKeyMarshaller;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The domains, persisted in a Chronicle Map file of the data dir (domain UUID to an encoded {@link DomainRecord}).
 * Thread-safe: every change is a read-modify-write under the entry's segment lock, and whatever must happen in the
 * same order as the writes (publishing a key into the engine) runs inside that lock.
 */
final class DomainRegistry implements AutoCloseable
{
    /** A change to one domain, run under its lock; returns null to write the changed record, else why not. */
    @FunctionalInterface
    interface DomainUpdate
    {
        Refusal apply(DomainRecord record);
    }

    private static final int AVERAGE_RECORD_BYTES = 768;
    private static final double MAX_BLOAT_FACTOR = 2.0;

    private final ChronicleMap<UuidKey, byte[]> map;
    private final int maxDomains;

    DomainRegistry(final Path file, final int maxDomains)
    {
        this.maxDomains = maxDomains;
        this.map = ChronicleTables.persisted(
            ChronicleMapBuilder.of(UuidKey.class, byte[].class)
                .name("metaverse-domains")
                .entries(maxDomains)
                .maxBloatFactor(MAX_BLOAT_FACTOR)
                .keyMarshallers(UuidKeyMarshaller.INSTANCE, UuidKeyMarshaller.INSTANCE)
                .constantKeySizeBySample(new UuidKey())
                .averageValueSize(AVERAGE_RECORD_BYTES),
            file.toFile());
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
        return map.putIfAbsent(keyOf(record.id), record.encode()) == null;
    }

    /** Applies {@code update} to the domain atomically; null when it was written, else why not. */
    Refusal update(final UUID id, final DomainUpdate update)
    {
        final Refusal[] refusal = {Refusal.UNKNOWN_DOMAIN};
        map.computeIfPresent(keyOf(id), (key, encoded) ->
        {
            final DomainRecord record = DomainRecord.decode(id, encoded);
            refusal[0] = update.apply(record);
            return refusal[0] == null ? record.encode() : encoded;
        });
        return refusal[0];
    }

    /** Removes the domain, running {@code whileLocked} before the entry goes; false when there was none. */
    boolean remove(final UUID id, final Consumer<UUID> whileLocked)
    {
        final boolean[] removed = {false};
        map.computeIfPresent(keyOf(id), (key, encoded) ->
        {
            whileLocked.accept(id);
            removed[0] = true;
            return null;
        });
        return removed[0];
    }

    /**
     * Removes every temporary domain silent since before {@code cutoffMs}, each through {@link #remove}.
     *
     * @return how many went
     */
    int removeTemporarySilentSince(final long cutoffMs, final Consumer<UUID> whileLocked)
    {
        int removed = 0;
        for (final DomainRecord record : all())
        {
            if (record.temporary && record.lastSignOfLifeMs() < cutoffMs)
            {
                final boolean[] stillSilent = {false};
                map.computeIfPresent(keyOf(record.id), (key, encoded) ->
                {
                    final DomainRecord current = DomainRecord.decode(record.id, encoded);
                    stillSilent[0] = current.lastSignOfLifeMs() < cutoffMs;
                    if (stillSilent[0])
                    {
                        whileLocked.accept(record.id);
                        return null;
                    }
                    return encoded;
                });
                removed += stillSilent[0] ? 1 : 0;
            }
        }
        return removed;
    }

    /** A snapshot of every domain, in no particular order. */
    List<DomainRecord> all()
    {
        final List<DomainRecord> records = new ArrayList<>((int)Math.min(map.longSize() + 16, maxDomains));
        map.forEachEntry(entry ->
        {
            final UuidKey key = entry.key().get();
            records.add(DomainRecord.decode(key.toUuid(), entry.value().get()));
        });
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

    @Override
    public void close()
    {
        map.close();
    }
}
