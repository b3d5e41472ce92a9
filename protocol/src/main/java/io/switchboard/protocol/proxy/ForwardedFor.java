package io.switchboard.protocol.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client a chain of proxies names in a request's {@code Forwarded} (RFC 7239, its {@code for=} parameters) or, when
 * there is none, {@code X-Forwarded-For} header: walking the list from the right (the hop nearest to us), trusted
 * proxies are passed over and the first address that is not trusted is the client. If every address is trusted, the
 * leftmost is. An {@code unknown} or obfuscated ({@code _name}) identifier, or an element with no {@code for=}, ends
 * the walk: nobody can vouch for what lies left of it, so the client is the proxy that wrote it (the last trusted
 * address passed, or the peer itself). Pure and stateless; the caller decides that the peer is trusted before
 * asking.
 */
public final class ForwardedFor
{
    /** What {@link #resolve} found. */
    public enum Outcome
    {
        /** Neither header, or both empty: the peer is the client. */
        ABSENT,
        /** {@link Resolution#client} is the client. */
        FOUND,
        /** The nearest hop is unknown or obfuscated: the peer is the client. */
        UNKNOWN,
        /** A header that does not parse: counted by the caller; the peer is the client. */
        MALFORMED
    }

    /** An outcome and, when {@link Outcome#FOUND}, the client (port 0 where the header gives none). */
    public record Resolution(Outcome outcome, InetSocketAddress client)
    {
    }

    private static final Resolution ABSENT = new Resolution(Outcome.ABSENT, null);
    private static final Resolution UNKNOWN = new Resolution(Outcome.UNKNOWN, null);
    private static final Resolution MALFORMED = new Resolution(Outcome.MALFORMED, null);
    /** A hop's place in the list: an address, or the marker of an unknown hop. */
    private static final Hop UNKNOWN_HOP = new Hop(null, 0, 0);
    private static final int MAX_PORT = 65_535;

    private ForwardedFor()
    {
    }

    /**
     * @param forwarded the request's {@code Forwarded} lines in order, or null
     * @param xForwardedFor its {@code X-Forwarded-For} lines in order, or null; read only without {@code Forwarded}
     */
    public static Resolution resolve(
        final Iterable<String> forwarded, final Iterable<String> xForwardedFor, final TrustedProxies trusted)
    {
        final List<Hop> hops = new ArrayList<>();
        final boolean parsed;
        if (hasAny(forwarded))
        {
            parsed = forwardedHops(forwarded, hops);
        }
        else if (hasAny(xForwardedFor))
        {
            parsed = xForwardedForHops(xForwardedFor, hops);
        }
        else
        {
            return ABSENT;
        }
        if (!parsed)
        {
            return MALFORMED;
        }
        if (hops.isEmpty())
        {
            return ABSENT;
        }
        Hop client = null;
        for (int i = hops.size() - 1; i >= 0; i--)
        {
            final Hop hop = hops.get(i);
            if (hop == UNKNOWN_HOP)
            {
                break;
            }
            client = hop;
            if (!trusted.contains(hop.address, hop.length))
            {
                break;
            }
        }
        return client == null ? UNKNOWN : new Resolution(Outcome.FOUND,
            new InetSocketAddress(IpLiteral.toInetAddress(client.address, client.length), client.port));
    }

    private static boolean hasAny(final Iterable<String> lines)
    {
        if (lines == null)
        {
            return false;
        }
        for (final String line : lines)
        {
            if (!line.isBlank())
            {
                return true;
            }
        }
        return false;
    }

    /** {@code X-Forwarded-For: node, node...}; a node is an address, {@code [IPv6]}, either with a port, or unknown. */
    private static boolean xForwardedForHops(final Iterable<String> lines, final List<Hop> hops)
    {
        for (final String line : lines)
        {
            for (final String element : line.split(",", -1))
            {
                final String node = element.strip();
                if (node.isEmpty())
                {
                    continue;
                }
                final Hop hop = node(node, false);
                if (hop == null)
                {
                    return false;
                }
                hops.add(hop);
            }
        }
        return true;
    }

    /** {@code Forwarded: pair;pair, pair...} where a pair is {@code token=token} or {@code token="quoted"}. */
    private static boolean forwardedHops(final Iterable<String> lines, final List<Hop> hops)
    {
        final StringBuilder value = new StringBuilder();
        for (final String line : lines)
        {
            int at = 0;
            final int end = line.length();
            Hop hop = null;
            boolean empty = true;
            while (at <= end)
            {
                at = skipBlanks(line, at);
                if (at == end || line.charAt(at) == ',')
                {
                    if (!empty)
                    {
                        hops.add(hop == null ? UNKNOWN_HOP : hop);
                    }
                    hop = null;
                    empty = true;
                    at++;
                    continue;
                }
                if (line.charAt(at) == ';')
                {
                    at++;
                    continue;
                }
                final int nameStart = at;
                while (at < end && isTokenChar(line.charAt(at)))
                {
                    at++;
                }
                if (at == nameStart || at == end || line.charAt(at) != '=')
                {
                    return false;
                }
                final boolean isFor = line.regionMatches(true, nameStart, "for", 0, 3) && at - nameStart == 3;
                at = readValue(line, at + 1, value);
                if (at < 0)
                {
                    return false;
                }
                empty = false;
                if (isFor)
                {
                    if (hop != null)
                    {
                        return false; // one for= per element
                    }
                    hop = node(value.toString(), true);
                    if (hop == null)
                    {
                        return false;
                    }
                }
                at = skipBlanks(line, at);
                if (at < end && line.charAt(at) != ';' && line.charAt(at) != ',')
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** Reads a token or quoted string at {@code at} into {@code value}; the index after it, or -1. */
    private static int readValue(final String line, final int from, final StringBuilder value)
    {
        value.setLength(0);
        int at = from;
        final int end = line.length();
        if (at < end && line.charAt(at) == '"')
        {
            at++;
            while (at < end && line.charAt(at) != '"')
            {
                if (line.charAt(at) == '\\')
                {
                    at++;
                    if (at == end)
                    {
                        return -1;
                    }
                }
                value.append(line.charAt(at++));
            }
            return at == end ? -1 : at + 1;
        }
        // Tolerated beyond RFC 7239's token: brackets and colons, which some proxies leave unquoted.
        while (at < end && (isTokenChar(line.charAt(at)) || "[]:".indexOf(line.charAt(at)) >= 0))
        {
            value.append(line.charAt(at++));
        }
        return value.length() == 0 ? -1 : at;
    }

    /**
     * One node: {@code IPv4[:port]}, {@code [IPv6][:port]}, a bare IPv6 address (X-Forwarded-For only),
     * {@code unknown} or {@code _obfuscated[:port]}; null when it is none of these.
     */
    private static Hop node(final String node, final boolean forwarded)
    {
        if (node.equalsIgnoreCase("unknown"))
        {
            return UNKNOWN_HOP;
        }
        if (node.startsWith("_"))
        {
            final int colon = node.indexOf(':');
            final String port = colon < 0 ? null : node.substring(colon + 1);
            final boolean valid = obfuscated(colon < 0 ? node : node.substring(0, colon)) &&
                (port == null || obfuscated(port) || port(port) >= 0);
            return valid ? UNKNOWN_HOP : null;
        }
        final byte[] bytes = new byte[IpLiteral.IPV6_BYTES];
        final int nameEnd;
        final int length;
        if (node.startsWith("["))
        {
            final int close = node.indexOf(']');
            if (close < 0)
            {
                return null;
            }
            length = IpLiteral.parse(node, 1, close, bytes);
            if (length != IpLiteral.IPV6_BYTES)
            {
                return null;
            }
            nameEnd = close + 1;
        }
        else
        {
            final int colon = node.indexOf(':');
            final boolean bareIpv6 = colon >= 0 && node.indexOf(':', colon + 1) >= 0;
            if (bareIpv6 && forwarded)
            {
                return null; // RFC 7239 §6: IPv6 only in brackets
            }
            nameEnd = colon < 0 || bareIpv6 ? node.length() : colon;
            length = IpLiteral.parse(node, 0, nameEnd, bytes);
            if (length == IpLiteral.INVALID || (length == IpLiteral.IPV6_BYTES) != bareIpv6)
            {
                return null;
            }
        }
        int port = 0;
        if (nameEnd < node.length())
        {
            if (node.charAt(nameEnd) != ':')
            {
                return null;
            }
            final String text = node.substring(nameEnd + 1);
            if (text.startsWith("_") && forwarded)
            {
                if (!obfuscated(text))
                {
                    return null;
                }
            }
            else
            {
                port = port(text);
                if (port < 0)
                {
                    return null;
                }
            }
        }
        return new Hop(bytes, length, port);
    }

    /** RFC 7239 §6.3: {@code "_" 1*(ALPHA / DIGIT / "." / "_" / "-")}. */
    private static boolean obfuscated(final String text)
    {
        if (text.length() < 2)
        {
            return false;
        }
        for (int i = 1; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || ".-_".indexOf(c) >= 0))
            {
                return false;
            }
        }
        return true;
    }

    private static int port(final String text)
    {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            return -1;
        }
        final int port = Integer.parseInt(text);
        return port <= MAX_PORT ? port : -1;
    }

    private static int skipBlanks(final String line, final int from)
    {
        int at = from;
        while (at < line.length() && (line.charAt(at) == ' ' || line.charAt(at) == '\t'))
        {
            at++;
        }
        return at;
    }

    /** RFC 7230's tchar. */
    private static boolean isTokenChar(final char c)
    {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** One hop: its address bytes (4 or 16 used) and port (0 when not given). */
    private record Hop(byte[] address, int length, int port)
    {
    }
}
