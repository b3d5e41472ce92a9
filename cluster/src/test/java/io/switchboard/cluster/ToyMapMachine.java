package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tests' state machine: a string map changed by PUT and DELETE, with an order-independent checksum that other
 * threads (and, through the node process, other processes) read to compare replicas. Its map is concurrent only
 * so that those threads may look a key up; the applying thread alone writes it.
 * <pre>
 *   PUT     body: key length int32 LE, key UTF-8, value UTF-8      result 0 (stored)
 *   DELETE  body: key UTF-8                                        result 0 (removed) or 1 (absent)
 * </pre>
 */
final class ToyMapMachine implements StateMachine
{
    static final int PUT = 1;
    static final int DELETE = 2;
    static final int STORED = 0;
    static final int ABSENT = 1;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final Map<String, String> map = new ConcurrentHashMap<>();
    private long sum;
    private volatile long publishedChecksum;
    private volatile int publishedSize;
    private volatile int snapshotsLoaded;
    private volatile long applies;

    @Override
    public int apply(
        final long commandId,
        final int originNode,
        final long clusterTimeMs,
        final int type,
        final DirectBuffer body,
        final int offset,
        final int length)
    {
        applies++;
        final int result;
        if (type == PUT)
        {
            final int keyLength = body.getInt(offset, ORDER);
            final String key = body.getStringWithoutLengthUtf8(offset + 4, keyLength);
            final String value = body.getStringWithoutLengthUtf8(offset + 4 + keyLength, length - 4 - keyLength);
            put(key, value);
            result = STORED;
        }
        else if (type == DELETE)
        {
            final String old = map.remove(body.getStringWithoutLengthUtf8(offset, length));
            if (old != null)
            {
                sum -= entryHash(body.getStringWithoutLengthUtf8(offset, length), old);
            }
            result = old != null ? STORED : ABSENT;
        }
        else
        {
            throw new IllegalArgumentException("unknown command type " + type);
        }
        publish();
        return result;
    }

    @Override
    public void takeSnapshot(final SnapshotWriter writer)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        for (final Map.Entry<String, String> entry : map.entrySet())
        {
            writer.write(buffer, 0, encodePut(buffer, entry.getKey(), entry.getValue()));
        }
    }

    @Override
    public void loadSnapshot(final SnapshotReader reader)
    {
        map.clear();
        sum = 0;
        while (reader.next())
        {
            final DirectBuffer buffer = reader.buffer();
            final int keyLength = buffer.getInt(reader.offset(), ORDER);
            put(buffer.getStringWithoutLengthUtf8(reader.offset() + 4, keyLength),
                buffer.getStringWithoutLengthUtf8(reader.offset() + 4 + keyLength, reader.length() - 4 - keyLength));
        }
        snapshotsLoaded++;
        publish();
    }

    long checksum()
    {
        return publishedChecksum;
    }

    int size()
    {
        return publishedSize;
    }

    int snapshotsLoaded()
    {
        return snapshotsLoaded;
    }

    long applies()
    {
        return applies;
    }

    String get(final String key)
    {
        return map.get(key);
    }

    static int encodePut(final MutableDirectBuffer buffer, final String key, final String value)
    {
        final int keyLength = buffer.putStringWithoutLengthUtf8(4, key);
        buffer.putInt(0, keyLength, ORDER);
        return 4 + keyLength + buffer.putStringWithoutLengthUtf8(4 + keyLength, value);
    }

    static DirectBuffer putBody(final String key, final String value)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        final int length = encodePut(buffer, key, value);
        return new UnsafeBuffer(buffer.byteArray(), 0, length);
    }

    static DirectBuffer deleteBody(final String key)
    {
        return new UnsafeBuffer(key.getBytes(StandardCharsets.UTF_8));
    }

    private void put(final String key, final String value)
    {
        final String old = map.put(key, value);
        if (old != null)
        {
            sum -= entryHash(key, old);
        }
        sum += entryHash(key, value);
    }

    private void publish()
    {
        publishedSize = map.size();
        publishedChecksum = sum;
    }

    private static long entryHash(final String key, final String value)
    {
        long h = key.hashCode() * 0x9E37_79B9_7F4A_7C15L + value.hashCode();
        h ^= h >>> 31;
        return h * 0xBF58_476D_1CE4_E5B9L;
    }
}
