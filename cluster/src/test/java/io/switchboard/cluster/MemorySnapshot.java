package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/** A snapshot kept in memory, record by record, for unit tests of what is written and read back. */
final class MemorySnapshot implements SnapshotWriter
{
    private final List<byte[]> records = new ArrayList<>();

    @Override
    public void write(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        records.add(copy);
    }

    int recordCount()
    {
        return records.size();
    }

    SnapshotReader reader()
    {
        return new SnapshotReader()
        {
            private final UnsafeBuffer current = new UnsafeBuffer(new byte[0]);
            private int index;

            @Override
            public boolean next()
            {
                if (index == records.size())
                {
                    return false;
                }
                current.wrap(records.get(index++));
                return true;
            }

            @Override
            public DirectBuffer buffer()
            {
                return current;
            }

            @Override
            public int offset()
            {
                return 0;
            }

            @Override
            public int length()
            {
                return current.capacity();
            }
        };
    }
}
