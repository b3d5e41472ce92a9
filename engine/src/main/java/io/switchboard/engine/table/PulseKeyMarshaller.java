package io.switchboard.engine.table;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;

/** Chronicle marshaller for {@link PulseKey}: 32 bytes, read into the caller's instance. Stateless. */
public final class PulseKeyMarshaller implements SizedReader<PulseKey>, SizedWriter<PulseKey>
{
    public static final PulseKeyMarshaller INSTANCE = new PulseKeyMarshaller();

    @Override
    public long size(final PulseKey key)
    {
        return PulseKey.LENGTH;
    }

    @Override
    public void write(final Bytes<?> out, final long size, final PulseKey key)
    {
        out.writeLong(key.k0());
        out.writeLong(key.k1());
        out.writeLong(key.k2());
        out.writeLong(key.k3());
    }

    @Override
    public PulseKey read(final Bytes<?> in, final long size, final PulseKey using)
    {
        final PulseKey key = using != null ? using : new PulseKey();
        return key.set(in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }
}
