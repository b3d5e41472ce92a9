package io.switchboard.engine.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Allocation-free 64-bit identities of JDK socket addresses, for the handler's per-address tables. */
public final class SocketAddresses
{
    private static final long IPV6_TAG = 1L << 48;

    private SocketAddresses()
    {
    }

    /** Exact for IPv4 (address and port); a hash for IPv6, whose collisions only merge statistics-grade state. */
    public static long fingerprint(final InetSocketAddress address)
    {
        return hostFingerprint(address.getAddress()) << 16 | address.getPort();
    }

    /** Identity of the host alone, without the port: the unit rate limits are kept per. */
    public static long hostFingerprint(final InetAddress address)
    {
        // Inet4Address.hashCode() is the address itself; reading it avoids getAddress()'s array copy.
        return address instanceof Inet4Address ?
            address.hashCode() & 0xFFFF_FFFFL :
            (address.hashCode() & 0xFFFF_FFFFL) | IPV6_TAG >>> 16;
    }

    public static boolean isIpv4(final long fingerprint)
    {
        return (fingerprint & IPV6_TAG) == 0;
    }

    public static int ipv4Of(final long fingerprint)
    {
        return (int)(fingerprint >>> 16);
    }

    public static int portOf(final long fingerprint)
    {
        return (int)(fingerprint & 0xFFFF);
    }
}
