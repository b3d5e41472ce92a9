package io.switchboard.engine.pulse;

import io.switchboard.engine.table.PulseKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** The pulse datagram and its reply (rendezvous-and-dop.md §1.4, §1.9.1–2) as bytes. */
class PulseCodecTest
{
    /** A key as /register issues it: 64 lowercase hex digits of 32 random bytes. */
    static final String KEY_HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    static final byte[] KEY_RAW = HexFormat.of().parseHex(KEY_HEX);

    private final PulseKey decoded = new PulseKey();

    private int decode(final byte[] datagram)
    {
        // The datagram sits at an offset inside a larger slot, as in the ring.
        final UnsafeBuffer slot = new UnsafeBuffer(new byte[datagram.length + 16]);
        slot.putBytes(7, datagram);
        return PulseRequest.decode(slot, 7, datagram.length, decoded);
    }

    private static PulseKey expectedKey()
    {
        return new PulseKey().wrapRaw(new UnsafeBuffer(KEY_RAW), 0);
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Nested
    class RawForm
    {
        @Test
        void thirtyTwoRawKeyBytesAreThePulse()
        {
            assertEquals(PulseRequest.RAW, decode(KEY_RAW));
            assertEquals(expectedKey(), decoded);
        }

        @Test
        void anyThirtyTwoBytesAreARawKeyEvenNonUtf8()
        {
            final byte[] datagram = new byte[32];
            Arrays.fill(datagram, (byte)0xFF);
            assertEquals(PulseRequest.RAW, decode(datagram), "the original's receive loop died on these bytes");
            assertEquals(-1L, decoded.k0());
        }

        @Test
        void theFirstThirtyTwoHexDigitsAreARawKeyNotATruncatedHexOne()
        {
            assertEquals(PulseRequest.RAW, decode(ascii(KEY_HEX.substring(0, 32))));
            assertNotEquals(expectedKey(), decoded, "a truncated key never matches (§1.4)");
        }
    }

    @Nested
    class HexForm
    {
        @ParameterizedTest
        @ValueSource(strings = {"", "\n", "\r\n", "\r", "\0", "\0\0\0\0", "\n\0\r\n", "\r\n\r\n\r\n"})
        void sixtyFourHexDigitsWithTrailingCrLfNulAreThePulse(final String trailer)
        {
            assertEquals(PulseRequest.HEX, decode(ascii(KEY_HEX + trailer)));
            assertEquals(expectedKey(), decoded);
        }

        @Test
        void hexDigitsMayBeUpperOrMixedCase()
        {
            assertEquals(PulseRequest.HEX, decode(ascii(KEY_HEX.toUpperCase())));
            assertEquals(expectedKey(), decoded);
            final StringBuilder mixed = new StringBuilder(KEY_HEX);
            for (int i = 0; i < mixed.length(); i += 2)
            {
                mixed.setCharAt(i, Character.toUpperCase(mixed.charAt(i)));
            }
            assertEquals(PulseRequest.HEX, decode(ascii(mixed.toString())));
            assertEquals(expectedKey(), decoded);
        }

        @ParameterizedTest
        @ValueSource(strings = {" ", "\t", "x", "\r\nx", "\0 ", "0"})
        void anyOtherTrailingByteIsMalformed(final String trailer)
        {
            assertEquals(PulseRequest.MALFORMED, decode(ascii(KEY_HEX + trailer)));
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 15, 16, 31, 47, 63})
        void aNonHexDigitAnywhereIsMalformed(final int position)
        {
            for (final char bad : new char[] {'g', 'G', ' ', '/', ':', '@', '`', '\0', '\n'})
            {
                final byte[] datagram = ascii(KEY_HEX);
                datagram[position] = (byte)bad;
                assertEquals(PulseRequest.MALFORMED, decode(datagram), "'" + bad + "' at " + position);
            }
            final byte[] highBit = ascii(KEY_HEX);
            highBit[position] = (byte)('a' | 0x80);
            assertEquals(PulseRequest.MALFORMED, decode(highBit));
        }

        @Test
        void leadingWhitespaceIsMalformed()
        {
            assertEquals(PulseRequest.MALFORMED, decode(ascii(" " + KEY_HEX)));
            assertEquals(PulseRequest.MALFORMED, decode(ascii("\n" + KEY_HEX)));
        }
    }

    @Nested
    class EveryLength
    {
        static IntStream lengths()
        {
            return IntStream.rangeClosed(0, 200);
        }

        @ParameterizedTest
        @MethodSource("lengths")
        void randomBytesAreARawKeyAtThirtyTwoAndMalformedOtherwise(final int length)
        {
            final Random random = new Random(length);
            for (int round = 0; round < 20; round++)
            {
                final byte[] datagram = new byte[length];
                random.nextBytes(datagram);
                assertEquals(length == 32 ? PulseRequest.RAW : PulseRequest.MALFORMED, decode(datagram));
            }
        }

        @ParameterizedTest
        @MethodSource("lengths")
        void keyTextCutOrPaddedToTheLengthIsAPulseOnlyWhenWhole(final int length)
        {
            final byte[] datagram = new byte[length];
            Arrays.fill(datagram, (byte)'\n');
            final byte[] text = ascii(KEY_HEX);
            System.arraycopy(text, 0, datagram, 0, Math.min(length, text.length));
            final int expected = length == 32 ? PulseRequest.RAW :
                length >= 64 ? PulseRequest.HEX : PulseRequest.MALFORMED;
            assertEquals(expected, decode(datagram));
            if (expected == PulseRequest.HEX)
            {
                assertEquals(expectedKey(), decoded);
            }
        }

        @ParameterizedTest
        @MethodSource("lengths")
        void randomHexDigitsAreAPulseOnlyAtSixtyFour(final int length)
        {
            final Random random = new Random(1_000 + length);
            final byte[] datagram = new byte[length];
            for (int i = 0; i < length; i++)
            {
                datagram[i] = (byte)"0123456789abcdefABCDEF".charAt(random.nextInt(22));
            }
            final int expected = length == 32 ? PulseRequest.RAW :
                length == 64 ? PulseRequest.HEX : PulseRequest.MALFORMED;
            assertEquals(expected, decode(datagram));
            if (expected == PulseRequest.HEX)
            {
                assertArrayEquals(
                    HexFormat.of().parseHex(new String(datagram, StandardCharsets.ISO_8859_1)), raw(decoded));
            }
        }
    }

    @Nested
    class Reply
    {
        @Test
        void codesAreFourByteBigEndianInts()
        {
            final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);
            assertEquals(4, PulseReply.put(out, 0, PulseReply.ON_TIME));
            assertArrayEquals(HexFormat.of().parseHex("000003fc"), Arrays.copyOf(out.byteArray(), 4));
            PulseReply.put(out, 0, PulseReply.MUST_REVERIFY);
            assertArrayEquals(HexFormat.of().parseHex("0000041a"), Arrays.copyOf(out.byteArray(), 4));
            PulseReply.put(out, 0, PulseReply.UNKNOWN_CLIENT);
            assertArrayEquals(HexFormat.of().parseHex("00000424"), Arrays.copyOf(out.byteArray(), 4));
            assertEquals(1060, PulseReply.code(out, 0));
        }
    }

    @Test
    void keyRoundTripsThroughItsRawBytes()
    {
        final PulseKey key = expectedKey();
        assertArrayEquals(KEY_RAW, raw(key));
        assertEquals(0x9f86d081884c7d65L, key.k0(), "bytes read big-endian: the hex text's order");
    }

    private static byte[] raw(final PulseKey key)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[32]);
        key.putRaw(out, 0);
        return out.byteArray();
    }
}
