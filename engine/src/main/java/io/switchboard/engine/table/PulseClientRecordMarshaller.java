package io.switchboard.engine.table;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;

/** Chronicle marshaller for {@link PulseClientRecord}, reading into the caller's holder. Stateless. */
public final class PulseClientRecordMarshaller implements SizedReader<PulseClientRecord>, SizedWriter<PulseClientRecord>
{
    public static final PulseClientRecordMarshaller INSTANCE = new PulseClientRecordMarshaller();

    @Override
    public long size(final PulseClientRecord record)
    {
        return PulseClientRecord.SIZE;
    }

    @Override
    public void write(final Bytes<?> out, final long size, final PulseClientRecord record)
    {
        record.write(out);
    }

    @Override
    public PulseClientRecord read(final Bytes<?> in, final long size, final PulseClientRecord using)
    {
        final PulseClientRecord record = using != null ? using : new PulseClientRecord();
        record.read(in);
        return record;
    }
}
