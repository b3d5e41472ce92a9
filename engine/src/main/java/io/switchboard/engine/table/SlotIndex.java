package io.switchboard.engine.table;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.agrona.collections.MutableInteger;

/**
 * An off-heap index from a fixed-size key to a slot number (an int), not persisted: e.g. a pulse client's private
 * key or client id to the slot holding its record. Rebuilt from the persisted table at start, so it can never
 * disagree with it after a crash. Only the engine's handler thread touches it.
 */
public final class SlotIndex<K> implements AutoCloseable
{
    private final ChronicleMap<K, MutableInteger> map;

    /**
     * @param sample     a key, for the constant key size
     * @param marshaller reads and writes keys
     */
    public <M extends SizedReader<K> & SizedWriter<K>> SlotIndex(
        final String name, final Class<K> keyClass, final K sample, final M marshaller, final long capacity)
    {
        this.map = ChronicleTables.inMemory(
            ChronicleMapBuilder.of(keyClass, MutableInteger.class)
                .name(name)
                .entries(capacity)
                .keyMarshallers(marshaller, marshaller)
                .constantKeySizeBySample(sample)
                .valueMarshallers(SlotMarshaller.INSTANCE, SlotMarshaller.INSTANCE)
                .constantValueSizeBySample(new MutableInteger()));
    }

    /** The key's slot into {@code using}; false when the key is not indexed. */
    public boolean get(final K key, final MutableInteger using)
    {
        return map.getUsing(key, using) != null;
    }

    public boolean contains(final K key)
    {
        return map.containsKey(key);
    }

    /** Indexes a new key; false (and no change) when the key is already indexed. */
    public boolean insert(final K key, final MutableInteger slot)
    {
        try (ExternalMapQueryContext<K, MutableInteger, ?> context = map.queryContext(key))
        {
            context.updateLock().lock();
            if (context.entry() != null)
            {
                return false;
            }
            context.insert(context.absentEntry(), context.wrapValueAsData(slot));
            return true;
        }
    }

    public boolean remove(final K key)
    {
        try (ExternalMapQueryContext<K, MutableInteger, ?> context = map.queryContext(key))
        {
            context.updateLock().lock();
            final MapEntry<K, MutableInteger> entry = context.entry();
            if (entry == null)
            {
                return false;
            }
            context.remove(entry);
            return true;
        }
    }

    public long offHeapBytes()
    {
        return map.offHeapMemoryUsed();
    }

    @Override
    public void close()
    {
        map.close();
    }

    /** A slot is 4 bytes, read into the caller's holder. Stateless. */
    private static final class SlotMarshaller implements SizedReader<MutableInteger>, SizedWriter<MutableInteger>
    {
        static final SlotMarshaller INSTANCE = new SlotMarshaller();

        @Override
        public long size(final MutableInteger slot)
        {
            return Integer.BYTES;
        }

        @Override
        public void write(final Bytes<?> out, final long size, final MutableInteger slot)
        {
            out.writeInt(slot.get());
        }

        @Override
        public MutableInteger read(final Bytes<?> in, final long size, final MutableInteger using)
        {
            final MutableInteger slot = using != null ? using : new MutableInteger();
            slot.set(in.readInt());
            return slot;
        }
    }
}
