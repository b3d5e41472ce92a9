package io.switchboard.engine.table;

import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * The ICE server's heartbeating domains, off-heap: domain UUID to {@link IcePeerRecord}. Soft state, not persisted.
 * Only the engine's handler thread touches it.
 */
public final class IcePeerTable implements AutoCloseable
{
    private final ChronicleMap<UuidKey, IcePeerRecord> map;
    private final long capacity;
    /** A view over a stored record's bytes, re-aimed for each comparison (handler thread only). */
    private final UnsafeBuffer storedView = new UnsafeBuffer(0, 0);

    public IcePeerTable(final long capacity)
    {
        this.capacity = capacity;
        this.map = ChronicleTables.inMemory(
            ChronicleMapBuilder.of(UuidKey.class, IcePeerRecord.class)
                .name("ice-peers")
                .entries(capacity)
                .keyMarshallers(UuidKeyMarshaller.INSTANCE, UuidKeyMarshaller.INSTANCE)
                .constantKeySizeBySample(new UuidKey())
                .valueMarshallers(IcePeerRecordMarshaller.INSTANCE, IcePeerRecordMarshaller.INSTANCE)
                .averageValueSize(IcePeerRecord.AVERAGE_SIZE));
    }

    /** Reads the domain's record into {@code using}; false when the domain is not heartbeating. */
    public boolean get(final UuidKey domain, final IcePeerRecord using)
    {
        return map.getUsing(domain, using) != null;
    }

    /**
     * The cached-heartbeat path in one lookup: when the stored record's verified heartbeat equals
     * {@code heartbeat[offset, offset + length)} and its active socket has {@code sourceFingerprint}, sets its
     * last-heard time in place and returns true. Otherwise changes nothing and returns false (read, compare, write
     * back through {@link #get}/{@link #put} instead): the record's other fields are exactly as they would be
     * rewritten, since an identical heartbeat carries identical sockets.
     */
    public boolean touchIfSameHeartbeat(
        final UuidKey domain,
        final DirectBuffer heartbeat,
        final int offset,
        final int length,
        final long sourceFingerprint,
        final long nowMs)
    {
        try (ExternalMapQueryContext<UuidKey, IcePeerRecord, ?> context = map.queryContext(domain))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, IcePeerRecord> entry = context.entry();
            if (entry == null)
            {
                return false;
            }
            final Data<IcePeerRecord> value = entry.value();
            if (!(value.bytes() instanceof RandomDataOutput<?> stored))
            {
                return false;
            }
            final long base = value.offset();
            if (!IcePeerRecord.matchesStored(storedView, value.bytes(), base, value.size(), heartbeat, offset, length,
                sourceFingerprint))
            {
                return false;
            }
            IcePeerRecord.putStoredLastHeardMs(stored, base, nowMs);
            return true;
        }
    }

    /** Inserts or replaces through a query context: {@code ChronicleMap.put} would materialize the old value. */
    public void put(final UuidKey domain, final IcePeerRecord record)
    {
        try (ExternalMapQueryContext<UuidKey, IcePeerRecord, ?> context = map.queryContext(domain))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, IcePeerRecord> entry = context.entry();
            if (entry != null)
            {
                context.replaceValue(entry, context.wrapValueAsData(record));
            }
            else
            {
                context.insert(context.absentEntry(), context.wrapValueAsData(record));
            }
        }
    }

    public boolean remove(final UuidKey domain)
    {
        try (ExternalMapQueryContext<UuidKey, IcePeerRecord, ?> context = map.queryContext(domain))
        {
            context.updateLock().lock();
            final MapEntry<UuidKey, IcePeerRecord> entry = context.entry();
            if (entry == null)
            {
                return false;
            }
            context.remove(entry);
            return true;
        }
    }

    public long size()
    {
        return map.longSize();
    }

    public boolean isFull()
    {
        return map.longSize() >= capacity;
    }

    @Override
    public void close()
    {
        map.close();
    }
}
