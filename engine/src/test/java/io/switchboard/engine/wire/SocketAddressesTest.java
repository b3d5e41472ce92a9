package io.switchboard.engine.wire;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Host identities for rate limits: an IPv4 address exactly, an IPv6 host by its /64. */
class SocketAddressesTest
{
    private static long host(final String address) throws Exception
    {
        return SocketAddresses.hostFingerprint(InetAddress.getByName(address));
    }

    @Test
    void anIpv6HostIsItsSlash64() throws Exception
    {
        assertEquals(host("2001:db8:1:2::1"), host("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "any address of one /64 is one host: rotating the interface id buys no new bucket");
        assertNotEquals(host("2001:db8:1:2::1"), host("2001:db8:1:3::1"), "the next /64 is another host");
        assertNotEquals(host("2001:db8:1:2::1"), host("2001:db9:1:2::1"));
        assertFalse(SocketAddresses.isIpv4(host("2001:db8:1:2::1") << 16));
    }

    @Test
    void anIpv4HostIsItsAddressAndNeverAnIpv6One() throws Exception
    {
        assertEquals(0xC6336407L, host("198.51.100.7"));
        assertNotEquals(host("198.51.100.7"), host("198.51.100.8"));
        assertTrue(SocketAddresses.isIpv4(host("198.51.100.7") << 16));
        assertNotEquals(host("::"), host("0.0.0.0"));
    }

    @Test
    void aSocketFingerprintKeepsThePort() throws Exception
    {
        final InetAddress address = InetAddress.getByName("2001:db8::5");
        final long fingerprint = SocketAddresses.fingerprint(new InetSocketAddress(address, 4711));
        assertEquals(4711, SocketAddresses.portOf(fingerprint));
        assertNotEquals(fingerprint, SocketAddresses.fingerprint(new InetSocketAddress(address, 4712)));
    }
}
