package io.switchboard.edge.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** RFC 6455 §5.3 masking, eight bytes at a time: byte {@code i} of a payload is XORed with mask byte {@code i % 4}. */
final class Masking
{
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Masking()
    {
    }

    /**
     * Unmasks (or masks) {@code bytes[offset, offset + length)} in place.
     *
     * @param mask the four key bytes as a big-endian int, as they follow the frame header
     */
    static void unmask(final byte[] bytes, final int offset, final int length, final int mask)
    {
        final long wide = (mask & 0xFFFF_FFFFL) << 32 | (mask & 0xFFFF_FFFFL);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            LONGS.set(bytes, offset + i, (long)LONGS.get(bytes, offset + i) ^ wide);
        }
        for (; i < length; i++)
        {
            bytes[offset + i] ^= (byte)(mask >>> (24 - 8 * (i & 3)));
        }
    }
}
