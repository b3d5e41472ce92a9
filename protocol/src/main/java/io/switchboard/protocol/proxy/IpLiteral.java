package io.switchboard.protocol.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals as proxies write them (dotted IPv4, RFC 4291 §2.2 IPv6 text with {@code ::} and a dotted
 * tail), read into bytes without ever asking DNS: {@link InetAddress#getByName} would resolve whatever is not a
 * literal, and these come from the network. Leading zeros in IPv4 parts and IPv6 zone ids are refused.
 */
public final class IpLiteral
{
    public static final int IPV4_BYTES = 4;
    public static final int IPV6_BYTES = 16;
    /** What {@link #parse} returns for text that is not an address literal. */
    public static final int INVALID = 0;

    private static final int IPV6_GROUPS = 8;
    private static final int MAX_GROUP_DIGITS = 4;

    private IpLiteral()
    {
    }

    /**
     * Reads {@code text[start, end)} into {@code out} (16 bytes or more): returns {@link #IPV4_BYTES} or
     * {@link #IPV6_BYTES}, the bytes written, or {@link #INVALID}.
     */
    public static int parse(final CharSequence text, final int start, final int end, final byte[] out)
    {
        if (end - start < 2)
        {
            return INVALID;
        }
        for (int i = start; i < end; i++)
        {
            if (text.charAt(i) == ':')
            {
                return parse6(text, start, end, out);
            }
        }
        return parse4(text, start, end, out, 0) ? IPV4_BYTES : INVALID;
    }

    /** The whole of {@code text}; see {@link #parse(CharSequence, int, int, byte[])}. */
    public static int parse(final CharSequence text, final byte[] out)
    {
        return parse(text, 0, text.length(), out);
    }

    /** The address of {@code length} bytes of {@code bytes} (an IPv4-mapped IPv6 address comes back as IPv4). */
    public static InetAddress toInetAddress(final byte[] bytes, final int length)
    {
        final byte[] exact = new byte[length];
        System.arraycopy(bytes, 0, exact, 0, length);
        try
        {
            return InetAddress.getByAddress(exact);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("not 4 or 16 bytes: " + length, ex);
        }
    }

    private static boolean parse4(
        final CharSequence text, final int start, final int end, final byte[] out, final int at)
    {
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = start; i < end; i++)
        {
            final char c = text.charAt(i);
            if (c == '.')
            {
                if (digits == 0 || part == IPV4_BYTES - 1)
                {
                    return false;
                }
                out[at + part++] = (byte)value;
                value = 0;
                digits = 0;
            }
            else if (c >= '0' && c <= '9')
            {
                if (digits == 1 && value == 0)
                {
                    return false; // a leading zero: octal to some readers
                }
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }
        if (digits == 0 || part != IPV4_BYTES - 1)
        {
            return false;
        }
        out[at + part] = (byte)value;
        return true;
    }

    private static int parse6(final CharSequence text, final int start, final int end, final byte[] out)
    {
        int groups = 0;
        int gap = -1;
        int i = start;
        if (text.charAt(i) == ':')
        {
            if (text.charAt(i + 1) != ':')
            {
                return INVALID;
            }
            gap = 0;
            i += 2;
        }
        while (i < end)
        {
            if (groups == IPV6_GROUPS)
            {
                return INVALID;
            }
            int j = i;
            int value = 0;
            while (j < end && j - i <= MAX_GROUP_DIGITS && Character.digit(text.charAt(j), 16) >= 0)
            {
                value = (value << 4) | Character.digit(text.charAt(j), 16);
                j++;
            }
            if (j < end && text.charAt(j) == '.')
            {
                if (groups > IPV6_GROUPS - 2 || !parse4(text, i, end, out, groups * 2))
                {
                    return INVALID;
                }
                groups += 2;
                break;
            }
            if (j == i || j - i > MAX_GROUP_DIGITS)
            {
                return INVALID;
            }
            out[groups * 2] = (byte)(value >>> 8);
            out[groups * 2 + 1] = (byte)value;
            groups++;
            i = j;
            if (i == end)
            {
                break;
            }
            if (text.charAt(i) != ':' || ++i == end)
            {
                return INVALID;
            }
            if (text.charAt(i) == ':')
            {
                if (gap >= 0)
                {
                    return INVALID;
                }
                gap = groups;
                i++;
            }
        }
        if (gap < 0)
        {
            return groups == IPV6_GROUPS ? IPV6_BYTES : INVALID;
        }
        if (groups == IPV6_GROUPS)
        {
            return INVALID; // "::" stands for one group at least
        }
        final int tailBytes = (groups - gap) * 2;
        System.arraycopy(out, gap * 2, out, IPV6_BYTES - tailBytes, tailBytes);
        for (int b = gap * 2; b < IPV6_BYTES - tailBytes; b++)
        {
            out[b] = 0;
        }
        return IPV6_BYTES;
    }
}
