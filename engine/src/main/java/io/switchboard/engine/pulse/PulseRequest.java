package io.switchboard.engine.pulse;

import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * The pulse datagram (rendezvous-and-dop.md §1.4, §1.9.2): a client's private key, either its 32 raw bytes or its 64
 * hex digits in any case, the latter followed by any number of CR, LF or NUL bytes, which are ignored. Nothing else
 * is a pulse.
 */
public final class PulseRequest
{
    public static final int RAW_KEY_LENGTH = PulseKey.LENGTH;
    public static final int HEX_KEY_LENGTH = 2 * PulseKey.LENGTH;

    public static final int MALFORMED = 0;
    public static final int RAW = 1;
    public static final int HEX = 2;

    private static final byte[] NIBBLE = new byte[256];

    static
    {
        Arrays.fill(NIBBLE, (byte)-1);
        for (int i = 0; i < 10; i++)
        {
            NIBBLE['0' + i] = (byte)i;
        }
        for (int i = 0; i < 6; i++)
        {
            NIBBLE['a' + i] = (byte)(10 + i);
            NIBBLE['A' + i] = (byte)(10 + i);
        }
    }

    private PulseRequest()
    {
    }

    /**
     * Reads the key of the datagram in {@code buffer[offset, offset + length)} into {@code key}.
     *
     * @return {@link #RAW}, {@link #HEX}, or {@link #MALFORMED} when it is not a pulse ({@code key} then undefined)
     */
    public static int decode(final DirectBuffer buffer, final int offset, final int length, final PulseKey key)
    {
        if (length == RAW_KEY_LENGTH)
        {
            key.wrapRaw(buffer, offset);
            return RAW;
        }
        if (length < HEX_KEY_LENGTH)
        {
            return MALFORMED;
        }
        for (int i = HEX_KEY_LENGTH; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b != '\r' && b != '\n' && b != 0)
            {
                return MALFORMED;
            }
        }
        int invalid = 0;
        for (int i = 0; i < HEX_KEY_LENGTH; i++)
        {
            invalid |= NIBBLE[buffer.getByte(offset + i) & 0xFF];
        }
        if (invalid < 0)
        {
            return MALFORMED;
        }
        key.set(
            hexLong(buffer, offset),
            hexLong(buffer, offset + 16),
            hexLong(buffer, offset + 32),
            hexLong(buffer, offset + 48));
        return HEX;
    }

    private static long hexLong(final DirectBuffer buffer, final int offset)
    {
        long value = 0;
        for (int i = 0; i < 16; i++)
        {
            value = value << 4 | NIBBLE[buffer.getByte(offset + i) & 0xFF];
        }
        return value;
    }
}
