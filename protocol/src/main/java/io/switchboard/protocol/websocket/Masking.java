package io.switchboard.protocol.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** RFC 6455 §5.3 masking, eight bytes at a time: byte {@code i} of a payload is XORed with mask byte {@code i % 4}. */
public final class Masking
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
    public static void unmask(final byte[] bytes, final int offset, final int length, final int mask)
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

    /**
     * Writes {@code payload[offset, offset + length)} masked with {@code mask} at {@code out}'s position (a client's
     * frame body), four bytes at a time; the payload is left as it was.
     */
    public static void putMasked(
        final ByteBuffer out, final byte[] payload, final int offset, final int length, final int mask)
    {
        final ByteOrder order = out.order();
        out.order(ByteOrder.BIG_ENDIAN);
        int i = 0;
        for (; i + 4 <= length; i += 4)
        {
            final int at = offset + i;
            out.putInt(mask ^ ((payload[at] & 0xFF) << 24 | (payload[at + 1] & 0xFF) << 16 |
                (payload[at + 2] & 0xFF) << 8 | payload[at + 3] & 0xFF));
        }
        for (; i < length; i++)
        {
            out.put((byte)(payload[offset + i] ^ (mask >>> (24 - 8 * (i & 3)))));
        }
        out.order(order);
    }
}
