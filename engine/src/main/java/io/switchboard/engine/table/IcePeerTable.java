package io.switchboard.engine.table;

import net.openhft.chronicle.map.ChronicleMap;
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
