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
 * The pulse rendezvous's key index, off-heap and not persisted: private key to the client's deadline slot, which
 * names the client. Rebuilt from {@link PulseClientTable} at start, so the two can never disagree after a crash.
 * Only the engine's handler thread touches it.
 */
public final class PulseKeyIndex implements AutoCloseable
{
    private final ChronicleMap<PulseKey, MutableInteger> map;

    public PulseKeyIndex(final long capacity)
    {
        this.map = ChronicleTables.inMemory(
            ChronicleMapBuilder.of(PulseKey.class, MutableInteger.class)
                .name("pulse-keys")
                .entries(capacity)
                .keyMarshallers(PulseKeyMarshaller.INSTANCE, PulseKeyMarshaller.INSTANCE)
                .constantKeySizeBySample(new PulseKey())
                .valueMarshallers(SlotMarshaller.INSTANCE, SlotMarshaller.INSTANCE)
                .constantValueSizeBySample(new MutableInteger()));
    }

    /** The key's slot into {@code using}; false when no client holds the key. */
    public boolean get(final PulseKey key, final MutableInteger using)
    {
        return map.getUsing(key, using) != null;
    }

    public boolean contains(final PulseKey key)
    {
        return map.containsKey(key);
    }

    /** Indexes a new key; false (and no change) when the key is already indexed. */
    public boolean insert(final PulseKey key, final MutableInteger slot)
    {
        try (ExternalMapQueryContext<PulseKey, MutableInteger, ?> context = map.queryContext(key))
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

    public boolean remove(final PulseKey key)
    {
        try (ExternalMapQueryContext<PulseKey, MutableInteger, ?> context = map.queryContext(key))
        {
            context.updateLock().lock();
            final MapEntry<PulseKey, MutableInteger> entry = context.entry();
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
