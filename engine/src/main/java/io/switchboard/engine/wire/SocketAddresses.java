package io.switchboard.engine.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Allocation-free 64-bit identities of JDK socket addresses, for the handler's per-address tables. */
public final class SocketAddresses
{
    private static final long IPV6_TAG = 1L << 48;
    /** The /64 of an IPv6 address: its first 8 bytes. */
    private static final int IPV6_PREFIX_BYTES = 8;
    /** Fibonacci hashing's multiplier: the product's high half mixes every bit of the prefix. */
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

    private SocketAddresses()
    {
    }

    /**
     * Exact for IPv4 (address and port); for IPv6 a hash of the host's /64 and the port, whose collisions only merge
     * statistics-grade state (per-destination sequence numbers; the ICE active-socket cache checks the whole address).
     */
    public static long fingerprint(final InetSocketAddress address)
    {
        return hostFingerprint(address.getAddress()) << 16 | address.getPort();
    }

    /**
     * Identity of the host alone, without the port: the unit rate limits are kept per. An IPv6 host is its /64, what
     * one subscriber or machine is given: free to pick any address in it, it is still one host.
     */
    public static long hostFingerprint(final InetAddress address)
    {
        if (address instanceof Inet4Address)
        {
            // Inet4Address.hashCode() is the address itself; reading it avoids getAddress()'s array copy.
            return address.hashCode() & 0xFFFF_FFFFL;
        }
        final byte[] bytes = address.getAddress();
        long prefix = 0;
        for (int i = 0; i < IPV6_PREFIX_BYTES; i++)
        {
            prefix = prefix << 8 | (bytes[i] & 0xFF);
        }
        return ((prefix * GOLDEN_GAMMA) >>> 32) | IPV6_TAG >>> 16;
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
