package io.switchboard.protocol.proxy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PROXY header decoder on byte vectors of both versions, whole, cut short, too long and wrong. */
class ProxyHeaderTest
{
    private static final String V2_SIGNATURE = "0d0a0d0a000d0a515549540a";
    private final ProxyHeader header = new ProxyHeader();

    private int decode(final byte[] bytes)
    {
        return header.decode(ByteBuffer.wrap(bytes), 0, bytes.length);
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] hex(final String text)
    {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    @Nested
    class Version1
    {
        @Test
        void tcp4NamesTheClientAndTheHeaderEndsAtCrlf()
        {
            final byte[] bytes = ascii("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\nGET / HTTP/1.1\r\n");
            assertEquals(46, decode(bytes));
            assertEquals(1, header.version());
            assertEquals(ProxyHeader.FAMILY_INET, header.family());
            assertTrue(header.hasClient());
            assertEquals(new InetSocketAddress("192.0.2.10", 56324), header.source());
            assertEquals(new InetSocketAddress("198.51.100.1", 443), header.destination());
        }

        @Test
        void tcp6NamesAnIpv6Client()
        {
            final byte[] bytes = ascii("PROXY TCP6 2001:db8::1 ::1 65535 0\r\n");
            assertEquals(bytes.length, decode(bytes));
            assertEquals(ProxyHeader.FAMILY_INET6, header.family());
            assertEquals(new InetSocketAddress("2001:db8::1", 65535), header.source());
            assertEquals(0, header.destinationPort());
        }

        @ParameterizedTest
        @ValueSource(strings = {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"})
        void unknownIsAWholeHeaderNamingNoClient(final String line)
        {
            assertEquals(line.length(), decode(ascii(line)));
            assertFalse(header.hasClient());
            assertNull(header.source());
        }

        @Test
        void everyPrefixOfAHeaderAsksForMore()
        {
            final byte[] bytes = ascii("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n");
            for (int length = 0; length < bytes.length; length++)
            {
                assertEquals(ProxyHeader.NEED_MORE, header.decode(ByteBuffer.wrap(bytes), 0, length), "" + length);
            }
        }

        @Test
        void theLongestLineIs107BytesCrlfIncluded()
        {
            final String longest = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff " +
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
            assertEquals(ProxyHeader.V1_MAX_BYTES, longest.length());
            assertEquals(ProxyHeader.V1_MAX_BYTES, decode(ascii(longest)));
            final byte[] tooLong = ascii("PROXY UNKNOWN " + "x".repeat(200) + "\r\n");
            assertEquals(ProxyHeader.TOO_LONG, decode(tooLong));
            assertEquals(ProxyHeader.TOO_LONG, header.decode(ByteBuffer.wrap(tooLong), 0, 106));
            assertEquals(ProxyHeader.NEED_MORE, header.decode(ByteBuffer.wrap(tooLong), 0, 105));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "PROXY TCP5 192.0.2.10 198.51.100.1 1 2\r\n",
            "PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n",
            "PROXY TCP6 192.0.2.10 ::1 1 2\r\n",
            "PROXY TCP4 192.0.2.10  198.51.100.1 1 2\r\n",
            "PROXY TCP4 192.0.2.10 198.51.100.1 1\r\n",
            "PROXY TCP4 192.0.2.10 198.51.100.1 65536 2\r\n",
            "PROXY TCP4 192.0.2.10 198.51.100.1 01 2\r\n",
            "PROXY TCP4 192.0.2.10 198.51.100.1 1 2 3\r\n",
            "PROXY TCP4 192.0.2.010 198.51.100.1 1 2\r\n",
            "PROXY TCP4 example.com 198.51.100.1 1 2\r\n",
            "PROXY TCP4 192.0.2.10 198.51.100.1 1 2\rX",
            "PROXY TCP4 192.0.2.10 198.51.100.1 1 2\n",
            "PROXY\r\n"
        })
        void aLineTheSpecDoesNotAllowIsMalformed(final String line)
        {
            final int result = decode(ascii(line));
            assertTrue(result == ProxyHeader.MALFORMED || result == ProxyHeader.BAD_SIGNATURE ||
                result == ProxyHeader.NEED_MORE && !line.contains("\r"), line + " gave " + result);
            if (line.contains("\r"))
            {
                assertTrue(result < 0, line + " gave " + result);
            }
        }
    }

    @Nested
    class Version2
    {
        @Test
        void tcp4ProxyNamesTheClient()
        {
            final byte[] bytes = hex(V2_SIGNATURE + "21 11 000c c000020a c6336401 dc04 01bb");
            assertEquals(28, decode(bytes));
            assertEquals(2, header.version());
            assertFalse(header.isLocal());
            assertEquals(new InetSocketAddress("192.0.2.10", 56324), header.source());
            assertEquals(new InetSocketAddress("198.51.100.1", 443), header.destination());
        }

        @Test
        void portsAreBigEndianWhateverTheBufferSays()
        {
            final byte[] bytes = hex(V2_SIGNATURE + "21 11 000c c000020a c6336401 dc04 01bb");
            assertEquals(28, header.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), 0, bytes.length));
            assertEquals(56324, header.sourcePort());
        }

        @Test
        void tcp6ProxyWithTlvsNamesTheClientAndCountsTheTlvs()
        {
            // TLVs: ALPN "h2" (0x01), AUTHORITY "example.com" (0x02), NOOP padding of 4 (0x04)
            final String tlvs = "01 0002 6832  02 000b 6578616d706c652e636f6d  04 0004 00000000";
            final String addresses = "20010db8000000000000000000000001 00000000000000000000000000000001 1f90 0050";
            final byte[] bytes = hex(V2_SIGNATURE + "21 21 003e" + addresses + tlvs);
            assertEquals(16 + 36 + 26, decode(bytes));
            assertEquals(ProxyHeader.FAMILY_INET6, header.family());
            assertEquals(new InetSocketAddress("2001:db8::1", 8080), header.source());
            assertEquals(3, header.tlvCount());
        }

        @Test
        void localIsAWholeHeaderNamingNoClient()
        {
            final byte[] bytes = hex(V2_SIGNATURE + "20 00 0000");
            assertEquals(16, decode(bytes));
            assertTrue(header.isLocal());
            assertFalse(header.hasClient());
        }

        @Test
        void localOverTcp4KeepsItsAddressesOutOfUse()
        {
            final byte[] bytes = hex(V2_SIGNATURE + "20 11 000c c000020a c6336401 dc04 01bb");
            assertEquals(28, decode(bytes));
            assertNull(header.source());
        }

        @Test
        void udpAndUnixHeadersAreWholeButNameNoTcpClient()
        {
            assertEquals(28, decode(hex(V2_SIGNATURE + "21 12 000c c000020a c6336401 dc04 01bb")));
            assertFalse(header.hasClient());
            assertEquals(16 + 216, decode(hex(V2_SIGNATURE + "21 31 00d8" + "00".repeat(216))));
            assertFalse(header.hasClient());
        }

        @Test
        void everyPrefixOfAHeaderAsksForMore()
        {
            final byte[] bytes = hex(V2_SIGNATURE + "21 11 0011 c000020a c6336401 dc04 01bb 02 0002 6869");
            assertEquals(bytes.length, decode(bytes));
            for (int length = 0; length < bytes.length; length++)
            {
                assertEquals(ProxyHeader.NEED_MORE, header.decode(ByteBuffer.wrap(bytes), 0, length), "" + length);
            }
        }

        @Test
        void aLengthPastTheLimitIsTooLongAsSoonAsItIsRead()
        {
            final byte[] fixed = hex(V2_SIGNATURE + "21 11 ffff");
            assertEquals(ProxyHeader.TOO_LONG, decode(fixed));
            final ProxyHeader small = new ProxyHeader(64);
            final byte[] bytes = hex(V2_SIGNATURE + "21 11 0031 c000020a c6336401 dc04 01bb 02 0022" + "61".repeat(34));
            assertEquals(ProxyHeader.TOO_LONG, small.decode(ByteBuffer.wrap(bytes), 0, bytes.length));
            assertEquals(bytes.length, decode(bytes));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "11 11 000c c000020a c6336401 dc04 01bb", // version 1 in the binary form
            "22 11 000c c000020a c6336401 dc04 01bb", // command 2
            "21 41 000c c000020a c6336401 dc04 01bb", // family 4
            "21 13 000c c000020a c6336401 dc04 01bb", // transport 3
            "21 10 000c c000020a c6336401 dc04 01bb", // INET without a transport
            "21 01 0000",                             // UNSPEC with a transport
            "21 11 0008 c000020a c6336401",           // shorter than its addresses
            "21 21 000c c000020a c6336401 dc04 01bb", // TCP6 with TCP4's length
            "21 11 000e c000020a c6336401 dc04 01bb 0200", // a TLV cut in its header
            "21 11 0010 c000020a c6336401 dc04 01bb 02 0005 61" // a TLV longer than the header
        })
        void aHeaderTheSpecDoesNotAllowIsMalformed(final String afterSignature)
        {
            assertEquals(ProxyHeader.MALFORMED, decode(hex(V2_SIGNATURE + afterSignature)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\n", "PROXZ", "proxy TCP4", "\r\n\r\n\0\r\nQUIX"})
    void anythingElseIsABadSignatureFromItsFirstWrongByte(final String start)
    {
        assertEquals(ProxyHeader.BAD_SIGNATURE, decode(ascii(start)));
    }

    @Test
    void bytesAreReadAtTheGivenOffsetOnly()
    {
        final byte[] line = ascii("xxPROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n");
        assertEquals(46, header.decode(ByteBuffer.wrap(line), 2, line.length - 2));
        assertEquals(56324, header.sourcePort());
    }
}
