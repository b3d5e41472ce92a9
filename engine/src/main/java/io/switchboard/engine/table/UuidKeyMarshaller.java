package io.switchboard.engine.table;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;

/** Chronicle marshaller for {@link UuidKey}: 16 bytes, read into the caller's instance. Stateless. */
public final class UuidKeyMarshaller implements SizedReader<UuidKey>, SizedWriter<UuidKey>
{
    public static final UuidKeyMarshaller INSTANCE = new UuidKeyMarshaller();
    public static final int SIZE = 16;

    @Override
    public long size(final UuidKey key)
    {
        return SIZE;
    }

    @Override
    public void write(final Bytes<?> out, final long size, final UuidKey key)
    {
        out.writeLong(key.msb());
        out.writeLong(key.lsb());
    }

    @Override
    public UuidKey read(final Bytes<?> in, final long size, final UuidKey using)
    {
        final UuidKey key = using != null ? using : new UuidKey();
        return key.set(in.readLong(), in.readLong());
    }
}
