package io.switchboard.engine.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.UUID;

/**
 * RFC 4122 UUIDs as 16 bytes in network order (Qt's {@code QUuid::toRfc4122}): the canonical string's hex digits
 * in order, read as two big-endian longs.
 */
public final class Uuids
{
    public static final int LENGTH = 16;

    private Uuids()
    {
    }

    public static long msb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, ByteOrder.BIG_ENDIAN);
    }

    public static long lsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 8, ByteOrder.BIG_ENDIAN);
    }

    public static int put(final MutableDirectBuffer buffer, final int offset, final long msb, final long lsb)
    {
        buffer.putLong(offset, msb, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 8, lsb, ByteOrder.BIG_ENDIAN);
        return LENGTH;
    }

    public static UUID get(final DirectBuffer buffer, final int offset)
    {
        return new UUID(msb(buffer, offset), lsb(buffer, offset));
    }
}
