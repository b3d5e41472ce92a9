package io.switchboard.protocol.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The peers whose word on a client's address is taken ({@code --trusted-proxies}): IPv4 and IPv6 CIDR blocks, a bare
 * address being a /32 or /128. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is the IPv4 address it maps.
 * Immutable, so any thread may ask.
 */
public final class TrustedProxies
{
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), "");

    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xff, (byte)0xff};

    private final List<Block> blocks;
    private final String text;

    private TrustedProxies(final List<Block> blocks, final String text)
    {
        this.blocks = blocks;
        this.text = text;
    }

    /**
     * Reads {@code CIDR[,CIDR...]} (blanks around entries allowed; empty text is {@link #NONE}).
     *
     * @throws IllegalArgumentException naming the entry that is not an address or CIDR block
     */
    public static TrustedProxies parse(final String list)
    {
        if (list == null || list.isBlank())
        {
            return NONE;
        }
        final List<Block> blocks = new ArrayList<>();
        for (final String raw : list.split(",", -1))
        {
            final String entry = raw.strip();
            final int slash = entry.indexOf('/');
            final byte[] bytes = new byte[IpLiteral.IPV6_BYTES];
            final int length = IpLiteral.parse(entry, 0, slash < 0 ? entry.length() : slash, bytes);
            if (length == IpLiteral.INVALID)
            {
                throw new IllegalArgumentException("not an IP address or CIDR block: '" + entry + "'");
            }
            final int maxBits = length * 8;
            final int bits = slash < 0 ? maxBits : prefixBits(entry, slash + 1, maxBits);
            blocks.add(Block.of(normalized(bytes, length), bits - (length - normalizedLength(bytes, length)) * 8));
        }
        return new TrustedProxies(List.copyOf(blocks), list.strip());
    }

    public boolean isEmpty()
    {
        return blocks.isEmpty();
    }

    /** Whether {@code address} lies in one of the blocks; null is never trusted. */
    public boolean contains(final InetAddress address)
    {
        if (address == null || blocks.isEmpty())
        {
            return false;
        }
        final byte[] bytes = address.getAddress();
        return contains(bytes, bytes.length);
    }

    /** Whether the first {@code length} (4 or 16) bytes of {@code address} lie in one of the blocks. */
    public boolean contains(final byte[] address, final int length)
    {
        final int offset = length - normalizedLength(address, length);
        final int size = length - offset;
        for (final Block block : blocks)
        {
            if (block.matches(address, offset, size))
            {
                return true;
            }
        }
        return false;
    }

    /** The list as given. */
    @Override
    public String toString()
    {
        return text;
    }

    private static int prefixBits(final String entry, final int from, final int maxBits)
    {
        final String digits = entry.substring(from);
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw new IllegalArgumentException("not a CIDR prefix length: '" + entry + "'");
        }
        final int bits = Integer.parseInt(digits);
        if (bits > maxBits)
        {
            throw new IllegalArgumentException("prefix longer than the address: '" + entry + "'");
        }
        return bits;
    }

    /** 4 for an IPv4-mapped IPv6 address (its last 4 bytes are the address), else {@code length}. */
    private static int normalizedLength(final byte[] address, final int length)
    {
        return length == IpLiteral.IPV6_BYTES &&
            Arrays.equals(address, 0, MAPPED_PREFIX.length, MAPPED_PREFIX, 0, MAPPED_PREFIX.length) ?
            IpLiteral.IPV4_BYTES : length;
    }

    private static byte[] normalized(final byte[] address, final int length)
    {
        final int size = normalizedLength(address, length);
        return Arrays.copyOfRange(address, length - size, length);
    }

    /** One CIDR block: the network's bytes with the host bits cleared, and the prefix length. */
    private record Block(byte[] network, int bits)
    {
        static Block of(final byte[] address, final int bits)
        {
            if (bits < 0)
            {
                throw new IllegalArgumentException("an IPv4-mapped block needs a prefix of 96 bits or more");
            }
            final byte[] network = address.clone();
            for (int i = 0; i < network.length; i++)
            {
                network[i] &= (byte)mask(bits, i);
            }
            return new Block(network, bits);
        }

        boolean matches(final byte[] address, final int offset, final int size)
        {
            if (size != network.length)
            {
                return false;
            }
            for (int i = 0; i < size; i++)
            {
                if ((address[offset + i] & mask(bits, i)) != (network[i] & 0xff))
                {
                    return false;
                }
            }
            return true;
        }

        /** The mask of byte {@code i} under a prefix of {@code bits}. */
        private static int mask(final int bits, final int i)
        {
            final int inByte = Math.min(8, Math.max(0, bits - i * 8));
            return (0xff << (8 - inByte)) & 0xff;
        }
    }
}
