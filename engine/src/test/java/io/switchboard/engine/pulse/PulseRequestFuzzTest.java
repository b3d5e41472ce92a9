package io.switchboard.engine.pulse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.engine.table.PulseKey;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pulse datagram decoder over any datagram: RAW exactly for 32 bytes, HEX exactly for 64 hex digits followed
 * only by CR, LF or NUL, MALFORMED for everything else, and the key read is the one those bytes spell.
 */
class PulseRequestFuzzTest
{
    /** The datagram sits at an offset, as in the ring's slot. */
    private static final int AT = 7;

    private final PulseKey key = new PulseKey();

    @FuzzTest
    void datagram(final byte[] datagram)
    {
        // The buffer ends where the datagram ends: a read past it throws.
        final byte[] slot = new byte[AT + datagram.length];
        System.arraycopy(datagram, 0, slot, AT, datagram.length);
        final int outcome = PulseRequest.decode(new UnsafeBuffer(slot), AT, datagram.length, key);

        final byte[] expected = expectedKey(datagram);
        assertEquals(expected == null ? PulseRequest.MALFORMED :
            datagram.length == PulseRequest.RAW_KEY_LENGTH ? PulseRequest.RAW : PulseRequest.HEX, outcome);
        if (expected != null)
        {
            final UnsafeBuffer raw = new UnsafeBuffer(new byte[PulseKey.LENGTH]);
            assertEquals(PulseKey.LENGTH, key.putRaw(raw, 0));
            assertArrayEquals(expected, raw.byteArray());
        }
    }

    /** The 32 key bytes the datagram carries, or null when it is not a pulse. */
    private static byte[] expectedKey(final byte[] datagram)
    {
        if (datagram.length == PulseRequest.RAW_KEY_LENGTH)
        {
            return datagram.clone();
        }
        if (datagram.length < PulseRequest.HEX_KEY_LENGTH)
        {
            return null;
        }
        for (int i = 0; i < PulseRequest.HEX_KEY_LENGTH; i++)
        {
            if (!HexFormat.isHexDigit(datagram[i] & 0xFF))
            {
                return null;
            }
        }
        for (int i = PulseRequest.HEX_KEY_LENGTH; i < datagram.length; i++)
        {
            if (datagram[i] != '\r' && datagram[i] != '\n' && datagram[i] != 0)
            {
                return null;
            }
        }
        return HexFormat.of().parseHex(
            new String(Arrays.copyOf(datagram, PulseRequest.HEX_KEY_LENGTH), StandardCharsets.US_ASCII));
    }
}
