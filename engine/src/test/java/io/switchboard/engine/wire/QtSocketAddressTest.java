package io.switchboard.engine.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

class QtSocketAddressTest
{
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[128]);

    private static byte[] hex(final String hex)
    {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "203.0.113.5:40102, 00 CB 00 71 05 9C A6",
        "192.168.1.10:40102, 00 C0 A8 01 0A 9C A6",
        "43.249.199.17:62108, 00 2B F9 C7 11 F2 9C",
        "192.168.8.110:62108, 00 C0 A8 08 6E F2 9C",
    })
    void ipv4SocketsEncodeAsSection22(final String address, final String expected) throws Exception
    {
        final int colon = address.lastIndexOf(':');
        final InetSocketAddress socket = new InetSocketAddress(
            InetAddress.getByName(address.substring(0, colon)), Integer.parseInt(address.substring(colon + 1)));
        final int length = QtSocketAddress.put(out, 0, socket);
        assertArrayEquals(hex(expected), Arrays.copyOf(out.byteArray(), length));
        assertEquals(7, QtSocketAddress.encodedLength(out, 0, length));
        assertEquals(address, QtSocketAddress.toString(out, 0, length));
    }

    @Test
    void ipv6WithoutScopeWritesNullScope() throws Exception
    {
        final byte[] expected = hex("01 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 FF FF FF FF 9C A6");
        final int length = QtSocketAddress.putIpv6(out, 0, InetAddress.getByName("2001:db8::1").getAddress(), 40102);
        assertArrayEquals(expected, Arrays.copyOf(out.byteArray(), length));
        assertEquals(23, QtSocketAddress.encodedLength(out, 0, length));
        assertEquals("[2001:db8:0:0:0:0:0:1]:40102", QtSocketAddress.toString(out, 0, length));
    }

    @Test
    void ipv6WithEmptyScopeIsAcceptedToo()
    {
        final byte[] bytes = hex("01 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 9C A6");
        assertEquals(23, QtSocketAddress.encodedLength(new UnsafeBuffer(bytes), 0, bytes.length));
    }

    @Test
    void ipv6WithScopeCarriesUtf16Name() throws Exception
    {
        final int length = QtSocketAddress.putIpv6(
            out, 0, InetAddress.getByName("fe80::1").getAddress(), "eth0", 7337);
        assertEquals(1 + 16 + 4 + 8 + 2, length);
        assertArrayEquals(hex("00 00 00 08 00 65 00 74 00 68 00 30 1C A9"), Arrays.copyOfRange(out.byteArray(), 17, 31));
        assertEquals(length, QtSocketAddress.encodedLength(out, 0, length));
        assertEquals(7337, QtSocketAddress.port(out, 0, length));
    }

    @Test
    void nullAndAnyAddressesAreThreeBytes()
    {
        assertEquals(3, QtSocketAddress.putNull(out, 0));
        assertArrayEquals(hex("FF 00 00"), Arrays.copyOf(out.byteArray(), 3));
        assertEquals(3, QtSocketAddress.encodedLength(out, 0, 3));
        assertEquals("null", QtSocketAddress.toString(out, 0, 3));
        final byte[] any = hex("02 1C A9");
        assertEquals(3, QtSocketAddress.encodedLength(new UnsafeBuffer(any), 0, 3));
        assertEquals("any:7337", QtSocketAddress.toString(new UnsafeBuffer(any), 0, 3));
    }

    @ParameterizedTest
    @CsvSource({
        "03 00 00",
        "00 C0 A8 01",
        "01 20 01 0D B8",
        "01 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 03 00 41 00 00",
        "01 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 7F FF FF FF 00 00",
        "FF 00",
    })
    void corruptOrTruncatedAddressesAreRejected(final String bytes)
    {
        final byte[] raw = hex(bytes);
        assertEquals(-1, QtSocketAddress.encodedLength(new UnsafeBuffer(raw), 0, raw.length));
    }

    @Test
    void fingerprintIsExactForIpv4() throws Exception
    {
        final InetSocketAddress socket = new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 50000);
        final long fingerprint = SocketAddresses.fingerprint(socket);
        assertTrue(SocketAddresses.isIpv4(fingerprint));
        assertEquals(0xC6336407, SocketAddresses.ipv4Of(fingerprint));
        assertEquals(50000, SocketAddresses.portOf(fingerprint));
        assertFalse(SocketAddresses.isIpv4(
            SocketAddresses.fingerprint(new InetSocketAddress(InetAddress.getByName("::1"), 50000))));
    }
}
