package io.switchboard.edge.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF); ASCII runs go 8 at a time. */
public final class Utf8
{
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private Utf8()
    {
    }

    public static boolean isValid(final byte[] bytes, final int offset, final int length)
    {
        final int end = offset + length;
        int i = offset;
        while (i < end)
        {
            if (i + 8 <= end && ((long)LONGS.get(bytes, i) & HIGH_BITS) == 0)
            {
                i += 8;
                continue;
            }
            final int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80)
            {
                i++;
                continue;
            }
            final int extra;
            final int min;
            int codePoint;
            if ((b0 & 0xE0) == 0xC0)
            {
                extra = 1;
                min = 0x80;
                codePoint = b0 & 0x1F;
            }
            else if ((b0 & 0xF0) == 0xE0)
            {
                extra = 2;
                min = 0x800;
                codePoint = b0 & 0x0F;
            }
            else if ((b0 & 0xF8) == 0xF0)
            {
                extra = 3;
                min = 0x1_0000;
                codePoint = b0 & 0x07;
            }
            else
            {
                return false;
            }
            if (i + extra >= end)
            {
                return false;
            }
            for (int k = 1; k <= extra; k++)
            {
                final int b = bytes[i + k] & 0xFF;
                if ((b & 0xC0) != 0x80)
                {
                    return false;
                }
                codePoint = codePoint << 6 | (b & 0x3F);
            }
            if (codePoint < min || codePoint > 0x10_FFFF || codePoint >= 0xD800 && codePoint <= 0xDFFF)
            {
                return false;
            }
            i += extra + 1;
        }
        return true;
    }
}
