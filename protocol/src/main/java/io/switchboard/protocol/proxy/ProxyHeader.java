package io.switchboard.protocol.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that a proxy writes at the start of a
 * TCP connection to name the client it accepted. A pure decoder over bytes: {@link #decode} reads what has arrived
 * so far and says whether a whole header is there, how long it is, or why it is refused; the fields of the last
 * header decoded stay readable until the next call. It allocates nothing (but {@link #source}); one per connection
 * or per thread.
 * <pre>
 * v1: "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" or "PROXY UNKNOWN ...\r\n", at most 107 bytes
 * v2: 12-byte signature, version|command, family|transport, length (16 bits, big-endian), addresses, TLVs
 *     (type, 16-bit big-endian length, value), length counting the addresses and TLVs
 * </pre>
 * Which peers may send one, and what a refused header costs, is the caller's business.
 */
public final class ProxyHeader
{
    /** {@link #decode}: the bytes so far are a header's beginning; read more. */
    public static final int NEED_MORE = 0;
    /** {@link #decode}: neither a v1 nor a v2 signature. */
    public static final int BAD_SIGNATURE = -1;
    /** {@link #decode}: a signature, but not a header the spec allows. */
    public static final int MALFORMED = -2;
    /** {@link #decode}: longer than the v1 line limit or the decoder's {@link #maxBytes}. */
    public static final int TOO_LONG = -3;

    /** The longest v1 line, CRLF included (spec §2.1). */
    public static final int V1_MAX_BYTES = 107;
    /** The v2 signature, version, family and length. */
    public static final int V2_FIXED_BYTES = 16;
    /** Room for v2 TLVs beside the addresses; proxies send a few hundred bytes at most. */
    public static final int DEFAULT_MAX_BYTES = 4096;

    public static final int FAMILY_UNKNOWN = 0;
    public static final int FAMILY_INET = 4;
    public static final int FAMILY_INET6 = 6;

    private static final byte[] V1_SIGNATURE = {'P', 'R', 'O', 'X', 'Y', ' '};
    private static final byte[] V2_SIGNATURE =
        {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int V2_VERSION_COMMAND_OFFSET = 12;
    private static final int V2_FAMILY_OFFSET = 13;
    private static final int V2_LENGTH_OFFSET = 14;
    private static final int V2_VERSION = 0x20;
    private static final int V2_COMMAND_LOCAL = 0x0;
    private static final int V2_COMMAND_PROXY = 0x1;
    private static final int V2_AF_UNSPEC = 0x0;
    private static final int V2_AF_INET = 0x1;
    private static final int V2_AF_INET6 = 0x2;
    private static final int V2_AF_UNIX = 0x3;
    private static final int V2_TRANSPORT_STREAM = 0x1;
    private static final int V2_TRANSPORT_DGRAM = 0x2;
    private static final int V2_INET_ADDRESS_BYTES = 12;
    private static final int V2_INET6_ADDRESS_BYTES = 36;
    private static final int V2_UNIX_ADDRESS_BYTES = 216;
    private static final int TLV_HEADER_BYTES = 3;
    private static final int MAX_PORT = 65_535;

    private final int maxBytes;
    private final AsciiView ascii = new AsciiView();
    private final byte[] sourceAddress = new byte[IpLiteral.IPV6_BYTES];
    private final byte[] destinationAddress = new byte[IpLiteral.IPV6_BYTES];
    private int version;
    private boolean local;
    private int family;
    private int sourcePort;
    private int destinationPort;
    private int tlvCount;

    public ProxyHeader()
    {
        this(DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes longest v2 header accepted (v1 lines have their own limit) */
    public ProxyHeader(final int maxBytes)
    {
        if (maxBytes < V2_FIXED_BYTES + V2_INET6_ADDRESS_BYTES)
        {
            throw new IllegalArgumentException("a PROXY header limit below a v2 TCP6 header: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public int maxBytes()
    {
        return maxBytes;
    }

    /**
     * Decodes the bytes {@code buffer[offset, offset + length)} (the buffer's position and limit are not touched):
     * the header's length in bytes when a whole one is there (what follows it is the connection's own data), else
     * {@link #NEED_MORE}, {@link #BAD_SIGNATURE}, {@link #MALFORMED} or {@link #TOO_LONG}.
     */
    public int decode(final ByteBuffer buffer, final int offset, final int length)
    {
        reset();
        if (length <= 0)
        {
            return NEED_MORE;
        }
        if (startsWith(buffer, offset, length, V2_SIGNATURE))
        {
            return length < V2_SIGNATURE.length ? NEED_MORE : decodeV2(buffer, offset, length);
        }
        if (startsWith(buffer, offset, length, V1_SIGNATURE))
        {
            return length < V1_SIGNATURE.length ? NEED_MORE : decodeV1(buffer, offset, length);
        }
        return BAD_SIGNATURE;
    }

    /** 1 or 2. */
    public int version() { return version; }
    /** A v2 LOCAL header (the proxy's own connection, a health check): no client named; use the peer. */
    public boolean isLocal() { return local; }
    /** {@link #FAMILY_INET}, {@link #FAMILY_INET6}, or {@link #FAMILY_UNKNOWN} (v1 UNKNOWN, v2 UNSPEC, UNIX...). */
    public int family() { return family; }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destinationPort; }
    /** TLVs in a v2 header (each checked to lie within it). */
    public int tlvCount() { return tlvCount; }

    /** Whether the header names a client: a PROXY command over TCP with IPv4 or IPv6 addresses. */
    public boolean hasClient()
    {
        return !local && family != FAMILY_UNKNOWN;
    }

    /** The client the header names, or null when {@link #hasClient} is false. */
    public InetSocketAddress source()
    {
        return hasClient() ? new InetSocketAddress(address(sourceAddress), sourcePort) : null;
    }

    /** The address the client connected to, or null when {@link #hasClient} is false. */
    public InetSocketAddress destination()
    {
        return hasClient() ? new InetSocketAddress(address(destinationAddress), destinationPort) : null;
    }

    private InetAddress address(final byte[] bytes)
    {
        return IpLiteral.toInetAddress(bytes, family == FAMILY_INET ? IpLiteral.IPV4_BYTES : IpLiteral.IPV6_BYTES);
    }

    private int decodeV1(final ByteBuffer buffer, final int offset, final int length)
    {
        // The CR may stand at index 105 at most: CRLF included, the line has 107 bytes.
        final int scan = Math.min(length, V1_MAX_BYTES - 1);
        int lineEnd = -1;
        for (int i = V1_SIGNATURE.length; i < scan; i++)
        {
            final byte b = buffer.get(offset + i);
            if (b == '\r')
            {
                if (i + 1 == length)
                {
                    return NEED_MORE;
                }
                if (buffer.get(offset + i + 1) != '\n')
                {
                    return MALFORMED;
                }
                lineEnd = i;
                break;
            }
            if (b < 0x20 || b > 0x7e)
            {
                return MALFORMED;
            }
        }
        if (lineEnd < 0)
        {
            return length >= V1_MAX_BYTES - 1 ? TOO_LONG : NEED_MORE;
        }
        version = 1;
        final int consumed = lineEnd + 2;
        ascii.wrap(buffer, offset);
        int at = V1_SIGNATURE.length;
        final int protocolEnd = field(at, lineEnd);
        if (ascii.regionIs(at, protocolEnd, "UNKNOWN"))
        {
            family = FAMILY_UNKNOWN; // the rest of the line, whatever it says, is to be ignored
            return consumed;
        }
        final int expected;
        if (ascii.regionIs(at, protocolEnd, "TCP4"))
        {
            expected = IpLiteral.IPV4_BYTES;
        }
        else if (ascii.regionIs(at, protocolEnd, "TCP6"))
        {
            expected = IpLiteral.IPV6_BYTES;
        }
        else
        {
            return MALFORMED;
        }
        at = protocolEnd + 1;
        final int sourceEnd = field(at, lineEnd);
        if (sourceEnd == lineEnd || IpLiteral.parse(ascii, at, sourceEnd, sourceAddress) != expected)
        {
            return fail();
        }
        at = sourceEnd + 1;
        final int destinationEnd = field(at, lineEnd);
        if (destinationEnd == lineEnd ||
            IpLiteral.parse(ascii, at, destinationEnd, destinationAddress) != expected)
        {
            return fail();
        }
        at = destinationEnd + 1;
        final int sourcePortEnd = field(at, lineEnd);
        sourcePort = sourcePortEnd == lineEnd ? -1 : port(at, sourcePortEnd);
        at = sourcePortEnd + 1;
        destinationPort = port(at, lineEnd);
        if (sourcePort < 0 || destinationPort < 0)
        {
            return fail();
        }
        family = expected == IpLiteral.IPV4_BYTES ? FAMILY_INET : FAMILY_INET6;
        return consumed;
    }

    /** The end of the space-separated field starting at {@code from}: the next space, or {@code lineEnd}. */
    private int field(final int from, final int lineEnd)
    {
        for (int i = from; i < lineEnd; i++)
        {
            if (ascii.charAt(i) == ' ')
            {
                return i;
            }
        }
        return lineEnd;
    }

    /** A port in decimal without leading zeros, or -1. */
    private int port(final int from, final int to)
    {
        if (to <= from || to - from > 5 || (ascii.charAt(from) == '0' && to - from > 1))
        {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++)
        {
            final char c = ascii.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= MAX_PORT ? value : -1;
    }

    private int decodeV2(final ByteBuffer buffer, final int offset, final int length)
    {
        if (length < V2_FIXED_BYTES)
        {
            return NEED_MORE;
        }
        final int versionCommand = buffer.get(offset + V2_VERSION_COMMAND_OFFSET) & 0xff;
        final int familyTransport = buffer.get(offset + V2_FAMILY_OFFSET) & 0xff;
        final int total = V2_FIXED_BYTES + uint16(buffer, offset + V2_LENGTH_OFFSET);
        if ((versionCommand & 0xf0) != V2_VERSION)
        {
            return MALFORMED;
        }
        final int command = versionCommand & 0x0f;
        if (command != V2_COMMAND_LOCAL && command != V2_COMMAND_PROXY)
        {
            return MALFORMED;
        }
        final int addressFamily = familyTransport >>> 4;
        final int transport = familyTransport & 0x0f;
        final int addressBytes;
        switch (addressFamily)
        {
            case V2_AF_UNSPEC:
                addressBytes = 0;
                break;
            case V2_AF_INET:
                addressBytes = V2_INET_ADDRESS_BYTES;
                break;
            case V2_AF_INET6:
                addressBytes = V2_INET6_ADDRESS_BYTES;
                break;
            case V2_AF_UNIX:
                addressBytes = V2_UNIX_ADDRESS_BYTES;
                break;
            default:
                return MALFORMED;
        }
        if (transport > V2_TRANSPORT_DGRAM || (addressFamily == V2_AF_UNSPEC) != (transport == 0))
        {
            return MALFORMED;
        }
        if (total > maxBytes)
        {
            return TOO_LONG;
        }
        if (total - V2_FIXED_BYTES < addressBytes)
        {
            return MALFORMED;
        }
        if (length < total)
        {
            return NEED_MORE;
        }
        int at = offset + V2_FIXED_BYTES + addressBytes;
        final int end = offset + total;
        int tlvs = 0;
        while (at < end)
        {
            if (end - at < TLV_HEADER_BYTES)
            {
                return MALFORMED;
            }
            at += TLV_HEADER_BYTES + uint16(buffer, at + 1);
            if (at > end)
            {
                return MALFORMED;
            }
            tlvs++;
        }
        version = 2;
        local = command == V2_COMMAND_LOCAL;
        tlvCount = tlvs;
        final boolean stream = transport == V2_TRANSPORT_STREAM;
        if (addressFamily == V2_AF_INET && stream)
        {
            readV2Addresses(buffer, offset + V2_FIXED_BYTES, IpLiteral.IPV4_BYTES);
            family = FAMILY_INET;
        }
        else if (addressFamily == V2_AF_INET6 && stream)
        {
            readV2Addresses(buffer, offset + V2_FIXED_BYTES, IpLiteral.IPV6_BYTES);
            family = FAMILY_INET6;
        }
        return total;
    }

    private void readV2Addresses(final ByteBuffer buffer, final int at, final int size)
    {
        buffer.get(at, sourceAddress, 0, size);
        buffer.get(at + size, destinationAddress, 0, size);
        sourcePort = uint16(buffer, at + 2 * size);
        destinationPort = uint16(buffer, at + 2 * size + 2);
    }

    private int fail()
    {
        reset();
        return MALFORMED;
    }

    private void reset()
    {
        version = 0;
        local = false;
        family = FAMILY_UNKNOWN;
        sourcePort = 0;
        destinationPort = 0;
        tlvCount = 0;
    }

    private static boolean startsWith(final ByteBuffer buffer, final int offset, final int length, final byte[] prefix)
    {
        final int n = Math.min(length, prefix.length);
        for (int i = 0; i < n; i++)
        {
            if (buffer.get(offset + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /** A 16-bit field in network byte order (big-endian), whatever the buffer's own order. */
    private static int uint16(final ByteBuffer buffer, final int index)
    {
        return ((buffer.get(index) & 0xff) << 8) | (buffer.get(index + 1) & 0xff);
    }

    /** The header's bytes as characters (ISO-8859-1), for {@link IpLiteral}; no copy. */
    private static final class AsciiView implements CharSequence
    {
        private ByteBuffer buffer;
        private int offset;

        void wrap(final ByteBuffer buffer, final int offset)
        {
            this.buffer = buffer;
            this.offset = offset;
        }

        boolean regionIs(final int from, final int to, final String text)
        {
            if (to - from != text.length())
            {
                return false;
            }
            for (int i = 0; i < text.length(); i++)
            {
                if (charAt(from + i) != text.charAt(i))
                {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int length()
        {
            return buffer.limit() - offset;
        }

        @Override
        public char charAt(final int index)
        {
            return (char)(buffer.get(offset + index) & 0xff);
        }

        @Override
        public CharSequence subSequence(final int start, final int end)
        {
            throw new UnsupportedOperationException("not needed");
        }
    }
}
