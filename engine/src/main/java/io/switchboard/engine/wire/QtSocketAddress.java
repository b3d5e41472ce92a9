package io.switchboard.engine.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * A Vircadia socket address as QDataStream writes it: a QHostAddress (protocol byte, address bytes, and for IPv6 a
 * QString scope id) followed by a big-endian uint16 port. The socket type is deliberately not on the wire.
 */
public final class QtSocketAddress
{
    public static final byte PROTOCOL_IPV4 = 0;
    public static final byte PROTOCOL_IPV6 = 1;
    public static final byte PROTOCOL_ANY = 2;
    public static final byte PROTOCOL_UNKNOWN = -1;

    public static final int IPV4_LENGTH = 1 + 4 + 2;
    public static final int NULL_LENGTH = 1 + 2;
    public static final int PORT_LENGTH = 2;
    public static final int NULL_QSTRING = 0xFFFF_FFFF;

    /** Longest scope id we accept, in UTF-16 bytes; real interface names are a few characters. */
    public static final int MAX_SCOPE_BYTES = 64;
    /** Longest encoding we accept: IPv6 with the longest scope. */
    public static final int MAX_LENGTH = 1 + 16 + 4 + MAX_SCOPE_BYTES + 2;

    private QtSocketAddress()
    {
    }

    /**
     * Length of the socket address encoded at {@code offset}, or -1 when it is truncated, uses an unknown protocol
     * byte, or carries a corrupt or oversized scope id.
     */
    public static int encodedLength(final DirectBuffer buffer, final int offset, final int limit)
    {
        if (offset >= limit)
        {
            return -1;
        }
        final int length;
        switch (buffer.getByte(offset))
        {
            case PROTOCOL_IPV4:
                length = IPV4_LENGTH;
                break;
            case PROTOCOL_ANY:
            case PROTOCOL_UNKNOWN:
                length = NULL_LENGTH;
                break;
            case PROTOCOL_IPV6:
            {
                final int scopeOffset = offset + 1 + 16;
                if (scopeOffset + 4 > limit)
                {
                    return -1;
                }
                final int scopeBytes = buffer.getInt(scopeOffset, ByteOrder.BIG_ENDIAN);
                if (scopeBytes == NULL_QSTRING)
                {
                    length = 1 + 16 + 4 + PORT_LENGTH;
                }
                else if (scopeBytes < 0 || scopeBytes > MAX_SCOPE_BYTES || (scopeBytes & 1) != 0)
                {
                    return -1;
                }
                else
                {
                    length = 1 + 16 + 4 + scopeBytes + PORT_LENGTH;
                }
                break;
            }
            default:
                return -1;
        }
        return offset + length <= limit ? length : -1;
    }

    public static byte protocol(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset);
    }

    /** Port of an address whose encoded length is already known. */
    public static int port(final DirectBuffer buffer, final int offset, final int encodedLength)
    {
        return buffer.getShort(offset + encodedLength - PORT_LENGTH, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /** IPv4 address as a big-endian int, for an address whose protocol is IPv4. */
    public static int ipv4(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + 1, ByteOrder.BIG_ENDIAN);
    }

    public static int putIpv4(final MutableDirectBuffer buffer, final int offset, final int address, final int port)
    {
        buffer.putByte(offset, PROTOCOL_IPV4);
        buffer.putInt(offset + 1, address, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 5, (short)port, ByteOrder.BIG_ENDIAN);
        return IPV4_LENGTH;
    }

    /** IPv6 without a scope id: Qt writes the scope as a null QString. */
    public static int putIpv6(final MutableDirectBuffer buffer, final int offset, final byte[] address, final int port)
    {
        buffer.putByte(offset, PROTOCOL_IPV6);
        buffer.putBytes(offset + 1, address, 0, 16);
        buffer.putInt(offset + 17, NULL_QSTRING, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 21, (short)port, ByteOrder.BIG_ENDIAN);
        return 1 + 16 + 4 + PORT_LENGTH;
    }

    public static int putIpv6(
        final MutableDirectBuffer buffer, final int offset, final byte[] address, final String scope, final int port)
    {
        if (scope == null)
        {
            return putIpv6(buffer, offset, address, port);
        }
        final int scopeBytes = scope.length() * 2;
        if (scopeBytes > MAX_SCOPE_BYTES)
        {
            throw new IllegalArgumentException("scope id too long: " + scope);
        }
        buffer.putByte(offset, PROTOCOL_IPV6);
        buffer.putBytes(offset + 1, address, 0, 16);
        buffer.putInt(offset + 17, scopeBytes, ByteOrder.BIG_ENDIAN);
        int cursor = offset + 21;
        for (int i = 0; i < scope.length(); i++)
        {
            buffer.putChar(cursor, scope.charAt(i), ByteOrder.BIG_ENDIAN);
            cursor += 2;
        }
        buffer.putShort(cursor, (short)port, ByteOrder.BIG_ENDIAN);
        return cursor + PORT_LENGTH - offset;
    }

    /** The null address (Qt's Unknown protocol) with port 0, as peers write an unset socket. */
    public static int putNull(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putByte(offset, PROTOCOL_UNKNOWN);
        buffer.putShort(offset + 1, (short)0, ByteOrder.BIG_ENDIAN);
        return NULL_LENGTH;
    }

    /** Encodes a JDK socket address; IPv6 scope ids are written as interface names when present. */
    public static int put(final MutableDirectBuffer buffer, final int offset, final InetSocketAddress address)
    {
        final InetAddress inet = address.getAddress();
        if (inet instanceof Inet4Address)
        {
            return putIpv4(buffer, offset, inet.hashCode(), address.getPort());
        }
        if (inet instanceof Inet6Address)
        {
            final Inet6Address v6 = (Inet6Address)inet;
            final String scope = v6.getScopedInterface() != null ? v6.getScopedInterface().getName() :
                v6.getScopeId() != 0 ? Integer.toString(v6.getScopeId()) : null;
            return putIpv6(buffer, offset, v6.getAddress(), scope, address.getPort());
        }
        return putNull(buffer, offset);
    }

    /**
     * Decodes into a JDK address for display and tools; returns null for the null and any addresses. Allocates: not
     * for the engine's hot path.
     */
    public static InetSocketAddress toInetSocketAddress(final DirectBuffer buffer, final int offset, final int limit)
    {
        final int length = encodedLength(buffer, offset, limit);
        if (length < 0)
        {
            throw new IllegalArgumentException("malformed socket address at " + offset);
        }
        final byte protocol = buffer.getByte(offset);
        final byte[] raw;
        if (protocol == PROTOCOL_IPV4)
        {
            raw = new byte[4];
        }
        else if (protocol == PROTOCOL_IPV6)
        {
            raw = new byte[16];
        }
        else
        {
            return null;
        }
        buffer.getBytes(offset + 1, raw);
        try
        {
            // An IPv4-mapped IPv6 address stays IPv6, as Qt keeps it; InetAddress.getByAddress would make it IPv4.
            final InetAddress address = protocol == PROTOCOL_IPV4 ? InetAddress.getByAddress(raw) :
                Inet6Address.getByAddress(null, raw, -1);
            return new InetSocketAddress(address, port(buffer, offset, length));
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Human-readable form, e.g. {@code 203.0.113.5:40102}, {@code [2001:db8::1]:40102}, {@code null}. */
    public static String toString(final DirectBuffer buffer, final int offset, final int limit)
    {
        final int length = encodedLength(buffer, offset, limit);
        if (length < 0)
        {
            return "malformed";
        }
        final byte protocol = buffer.getByte(offset);
        if (protocol == PROTOCOL_UNKNOWN)
        {
            return "null";
        }
        if (protocol == PROTOCOL_ANY)
        {
            return "any:" + port(buffer, offset, length);
        }
        final InetSocketAddress address = toInetSocketAddress(buffer, offset, limit);
        final String host = address.getAddress().getHostAddress();
        return (protocol == PROTOCOL_IPV6 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
