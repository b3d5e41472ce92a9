package io.switchboard.engine.table;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;

/** Chronicle marshaller for {@link IcePeerRecord}, reading into the caller's holder. Stateless. */
public final class IcePeerRecordMarshaller implements SizedReader<IcePeerRecord>, SizedWriter<IcePeerRecord>
{
    public static final IcePeerRecordMarshaller INSTANCE = new IcePeerRecordMarshaller();

    @Override
    public long size(final IcePeerRecord record)
    {
        return record.encodedLength();
    }

    @Override
    public void write(final Bytes<?> out, final long size, final IcePeerRecord record)
    {
        record.write(out);
    }

    @Override
    public IcePeerRecord read(final Bytes<?> in, final long size, final IcePeerRecord using)
    {
        final IcePeerRecord record = using != null ? using : new IcePeerRecord();
        record.read(in);
        return record;
    }
}
