package io.switchboard.protocol.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/1.1 request head (RFC 9112 §2-§6), read as a flyweight over a {@link ByteBuffer}: the request line and the
 * header field lines up to the empty line. {@link #parse} finds the head, checks its syntax and its framing headers
 * and records where each part lies; the accessors read those parts from the buffer, which must not change while
 * they are used. A parser is reused for each request of a connection and holds no per-request objects.
 * <p>
 * Refused, with the status to answer: a head longer than the limit or with too many fields (431), a request line or
 * field line that is not well formed, an obsolete line folding, a bare CR, control characters (400), a major version
 * other than 1 (505), and the framing a message may not have: more than one {@code Content-Length}, one that is not a
 * number, {@code Transfer-Encoding} beside it, in HTTP/1.0 or not ending in {@code chunked}, an HTTP/1.1 request
 * without exactly one {@code Host} (400). Line ends are CRLF, or a bare LF (§2.2 lets a server take it).
 */
public final class HttpRequestHead
{
    /** What {@link #parse} returns while the head is not all there. */
    public static final int INCOMPLETE = 0;
    /** What {@link #parse} returns for a head it refuses: {@link #errorStatus()} says how to answer. */
    public static final int REFUSED = -1;
    /** The most field lines a head may have. */
    public static final int MAX_FIELDS = 100;

    public static final int BAD_REQUEST = 400;
    public static final int HEADERS_TOO_LARGE = 431;
    public static final int VERSION_NOT_SUPPORTED = 505;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';
    private static final int NO_LENGTH = -1;
    /** Digits of the longest Content-Length taken: more than any body this side of 2^63. */
    private static final int MAX_LENGTH_DIGITS = 18;
    private static final byte[] HTTP_SLASH = "HTTP/".getBytes(StandardCharsets.US_ASCII);
    private static final boolean[] TCHAR = new boolean[128];

    static
    {
        for (int c = '0'; c <= '9'; c++)
        {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++)
        {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (final char c : "!#$%&'*+-.^_`|~".toCharArray())
        {
            TCHAR[c] = true;
        }
    }

    private final int[] nameAt = new int[MAX_FIELDS];
    private final int[] nameLength = new int[MAX_FIELDS];
    private final int[] valueAt = new int[MAX_FIELDS];
    private final int[] valueLength = new int[MAX_FIELDS];
    private ByteBuffer buffer;
    private int fields;
    private int methodAt;
    private int methodLength;
    private int targetAt;
    private int targetLength;
    private int minorVersion;
    private long contentLength;
    private boolean chunked;
    private boolean keepAlive;
    private int errorStatus;
    private String error;

    /**
     * Reads the head at {@code buffer[offset, offset + available)}; a head may be at most {@code maxHeadBytes} long,
     * its final empty line included.
     *
     * @return the head's length in bytes; {@link #INCOMPLETE} when the bytes end before it does (and are fewer than
     * {@code maxHeadBytes}); {@link #REFUSED} when it must be answered with {@link #errorStatus()}
     */
    public int parse(final ByteBuffer buffer, final int offset, final int available, final int maxHeadBytes)
    {
        this.buffer = buffer;
        reset();
        final int end = offset + Math.min(available, maxHeadBytes);
        int at = offset;
        // §2.2: empty lines before the request line are ignored.
        while (at < end && (buffer.get(at) == CR || buffer.get(at) == LF))
        {
            at++;
        }
        final int lineEnd = lineEnd(buffer, at, end);
        if (lineEnd < 0)
        {
            return lineEnd == -1 ? incomplete(available, maxHeadBytes) : refuse(BAD_REQUEST, "bare CR");
        }
        if (!requestLine(at, contentEnd(buffer, at, lineEnd)))
        {
            return REFUSED;
        }
        at = lineEnd + 1;
        while (true)
        {
            final int fieldEnd = lineEnd(buffer, at, end);
            if (fieldEnd < 0)
            {
                return fieldEnd == -1 ? incomplete(available, maxHeadBytes) : refuse(BAD_REQUEST, "bare CR");
            }
            final int contentEnd = contentEnd(buffer, at, fieldEnd);
            if (contentEnd == at)
            {
                return framing() ? fieldEnd + 1 - offset : REFUSED;
            }
            if (!fieldLine(at, contentEnd))
            {
                return REFUSED;
            }
            at = fieldEnd + 1;
        }
    }

    /** The status to answer a head {@link #parse} refused with: 400, 431 or 505. */
    public int errorStatus()
    {
        return errorStatus;
    }

    /** Why {@link #parse} refused the head, in a few words. */
    public String error()
    {
        return error;
    }

    public String method()
    {
        return ascii(methodAt, methodLength);
    }

    /** Whether the method is exactly {@code method} (methods are case-sensitive). */
    public boolean isMethod(final String method)
    {
        return equalsAscii(methodAt, methodLength, method, false);
    }

    /** The request target as sent: {@code /path?query}, an absolute URI, or {@code *}. */
    public String target()
    {
        return ascii(targetAt, targetLength);
    }

    /** The target's path: the origin form's up to its query; an absolute form's after its authority ("/" if none). */
    public String path()
    {
        int from = targetAt;
        final int end = queryAt() < 0 ? targetAt + targetLength : queryAt() - 1;
        if (buffer.get(from) != '/' && buffer.get(from) != '*')
        {
            final int scheme = indexOf(from, end, (byte)':');
            from = scheme + 3; // past "://", which framing checked
            final int slash = indexOf(from, end, (byte)'/');
            if (slash < 0)
            {
                return "/";
            }
            from = slash;
        }
        return ascii(from, end - from);
    }

    /** The target's query, without its {@code ?}; null when it has none. */
    public String query()
    {
        final int at = queryAt();
        return at < 0 ? null : ascii(at, targetAt + targetLength - at);
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1 (a later 1.x is read as 1.1). */
    public int minorVersion()
    {
        return minorVersion;
    }

    /** Whether the connection may carry another request after this one's response (§9.3). */
    public boolean keepAlive()
    {
        return keepAlive;
    }

    /** The body's length by {@code Content-Length}; -1 when there is none (no body, or a chunked one). */
    public long contentLength()
    {
        return contentLength;
    }

    /** Whether the body is chunked. */
    public boolean chunked()
    {
        return chunked;
    }

    public int fieldCount()
    {
        return fields;
    }

    /** The value of the first field called {@code name} (any case), trimmed; null when there is none. */
    public String header(final String name)
    {
        final int field = find(name, 0);
        return field < 0 ? null : new String(bytes(valueAt[field], valueLength[field]), StandardCharsets.ISO_8859_1);
    }

    /** The values of every field called {@code name} (any case), trimmed, in order; empty when there is none. */
    public List<String> headers(final String name)
    {
        final List<String> values = new ArrayList<>(1);
        for (int field = find(name, 0); field >= 0; field = find(name, field + 1))
        {
            values.add(new String(bytes(valueAt[field], valueLength[field]), StandardCharsets.ISO_8859_1));
        }
        return values;
    }

    /** Whether a field called {@code name} lists {@code token} among its comma-separated values (any case). */
    public boolean hasToken(final String name, final String token)
    {
        for (int field = find(name, 0); field >= 0; field = find(name, field + 1))
        {
            int from = valueAt[field];
            final int end = from + valueLength[field];
            while (from <= end)
            {
                int comma = indexOf(from, end, (byte)',');
                if (comma < 0)
                {
                    comma = end;
                }
                int start = from;
                int stop = comma;
                while (start < stop && isWhitespace(buffer.get(start)))
                {
                    start++;
                }
                while (stop > start && isWhitespace(buffer.get(stop - 1)))
                {
                    stop--;
                }
                if (equalsAscii(start, stop - start, token, true))
                {
                    return true;
                }
                from = comma + 1;
            }
        }
        return false;
    }

    private void reset()
    {
        fields = 0;
        methodAt = 0;
        methodLength = 0;
        targetAt = 0;
        targetLength = 0;
        minorVersion = 0;
        contentLength = NO_LENGTH;
        chunked = false;
        keepAlive = false;
        errorStatus = 0;
        error = null;
    }

    private int incomplete(final int available, final int maxHeadBytes)
    {
        return available >= maxHeadBytes ? refuse(HEADERS_TOO_LARGE, "request head too large") : INCOMPLETE;
    }

    private int refuse(final int status, final String why)
    {
        errorStatus = status;
        error = why;
        return REFUSED;
    }

    private boolean rejected(final int status, final String why)
    {
        refuse(status, why);
        return false;
    }

    /** {@code method SP target SP HTTP/1.x}, exactly one space apart. */
    private boolean requestLine(final int from, final int end)
    {
        int at = from;
        while (at < end && isTchar(buffer.get(at)))
        {
            at++;
        }
        if (at == from || at >= end || buffer.get(at) != SP)
        {
            return rejected(BAD_REQUEST, "malformed request line");
        }
        methodAt = from;
        methodLength = at - from;
        final int target = ++at;
        while (at < end && buffer.get(at) > SP && buffer.get(at) < 0x7F)
        {
            at++;
        }
        if (at == target || at >= end || buffer.get(at) != SP)
        {
            return rejected(BAD_REQUEST, "malformed request target");
        }
        targetAt = target;
        targetLength = at - target;
        if (!isTargetForm())
        {
            return rejected(BAD_REQUEST, "malformed request target");
        }
        return version(at + 1, end);
    }

    private boolean isTargetForm()
    {
        final byte first = buffer.get(targetAt);
        if (first == '/')
        {
            return true;
        }
        if (first == '*')
        {
            return targetLength == 1;
        }
        final int end = targetAt + targetLength;
        final int colon = indexOf(targetAt, end, (byte)':');
        return colon > targetAt && colon + 2 < end && buffer.get(colon + 1) == '/' && buffer.get(colon + 2) == '/';
    }

    private boolean version(final int from, final int end)
    {
        if (end - from != HTTP_SLASH.length + 3 || !startsWith(from, HTTP_SLASH) ||
            !isDigit(buffer.get(end - 3)) || buffer.get(end - 2) != '.' || !isDigit(buffer.get(end - 1)))
        {
            return rejected(BAD_REQUEST, "malformed HTTP version");
        }
        if (buffer.get(end - 3) != '1')
        {
            return rejected(VERSION_NOT_SUPPORTED, "HTTP/1.x only");
        }
        minorVersion = Math.min(1, buffer.get(end - 1) - '0');
        return true;
    }

    /** {@code name ":" OWS value OWS}. */
    private boolean fieldLine(final int from, final int end)
    {
        final byte first = buffer.get(from);
        if (first == SP || first == HTAB)
        {
            return rejected(BAD_REQUEST, "obsolete line folding");
        }
        if (fields == MAX_FIELDS)
        {
            return rejected(HEADERS_TOO_LARGE, "too many header fields");
        }
        int at = from;
        while (at < end && isTchar(buffer.get(at)))
        {
            at++;
        }
        if (at == from || at >= end || buffer.get(at) != ':')
        {
            return rejected(BAD_REQUEST, "malformed header field");
        }
        final int name = fields;
        nameAt[name] = from;
        nameLength[name] = at - from;
        at++;
        while (at < end && isWhitespace(buffer.get(at)))
        {
            at++;
        }
        int stop = end;
        while (stop > at && isWhitespace(buffer.get(stop - 1)))
        {
            stop--;
        }
        for (int i = at; i < stop; i++)
        {
            final int c = buffer.get(i) & 0xFF;
            if (c < SP && c != HTAB || c == 0x7F)
            {
                return rejected(BAD_REQUEST, "control character in a header field");
            }
        }
        valueAt[name] = at;
        valueLength[name] = stop - at;
        fields++;
        return true;
    }

    /** The message framing and connection rules, once every field is read. */
    private boolean framing()
    {
        int hosts = 0;
        int lengths = 0;
        int lastCoding = -1;
        for (int field = 0; field < fields; field++)
        {
            if (isName(field, "Host"))
            {
                hosts++;
            }
            else if (isName(field, "Content-Length"))
            {
                lengths++;
                contentLength = digits(valueAt[field], valueLength[field]);
            }
            else if (isName(field, "Transfer-Encoding"))
            {
                lastCoding = field;
            }
        }
        if (lengths > 1)
        {
            return rejected(BAD_REQUEST, "more than one Content-Length");
        }
        if (lengths == 1 && contentLength < 0)
        {
            return rejected(BAD_REQUEST, "Content-Length is not a number");
        }
        if (lastCoding >= 0)
        {
            if (lengths > 0 || minorVersion == 0)
            {
                return rejected(BAD_REQUEST, "Transfer-Encoding with Content-Length or in HTTP/1.0");
            }
            if (!endsWithChunked(lastCoding))
            {
                return rejected(BAD_REQUEST, "Transfer-Encoding must end in chunked");
            }
            chunked = true;
        }
        if (minorVersion == 1 ? hosts != 1 : hosts > 1)
        {
            return rejected(BAD_REQUEST, "exactly one Host required");
        }
        final boolean close = hasToken("Connection", "close");
        keepAlive = !close && (minorVersion == 1 || hasToken("Connection", "keep-alive"));
        return true;
    }

    private boolean endsWithChunked(final int field)
    {
        final int from = valueAt[field];
        final int end = from + valueLength[field];
        int start = end;
        while (start > from && buffer.get(start - 1) != ',')
        {
            start--;
        }
        while (start < end && isWhitespace(buffer.get(start)))
        {
            start++;
        }
        return equalsAscii(start, end - start, "chunked", true);
    }

    /** A Content-Length's value, or -1 when it is not 1 to 18 digits. */
    private long digits(final int from, final int length)
    {
        if (length == 0 || length > MAX_LENGTH_DIGITS)
        {
            return NO_LENGTH;
        }
        long value = 0;
        for (int i = from; i < from + length; i++)
        {
            final byte c = buffer.get(i);
            if (!isDigit(c))
            {
                return NO_LENGTH;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private int find(final String name, final int fromField)
    {
        for (int field = fromField; field < fields; field++)
        {
            if (isName(field, name))
            {
                return field;
            }
        }
        return -1;
    }

    private boolean isName(final int field, final String name)
    {
        return equalsAscii(nameAt[field], nameLength[field], name, true);
    }

    private int queryAt()
    {
        final int question = indexOf(targetAt, targetAt + targetLength, (byte)'?');
        return question < 0 ? -1 : question + 1;
    }

    /**
     * The index of the LF ending the line at {@code from}; -1 when none comes before {@code end}; -2 when a CR
     * stands anywhere but right before it.
     */
    private static int lineEnd(final ByteBuffer buffer, final int from, final int end)
    {
        for (int i = from; i < end; i++)
        {
            final byte c = buffer.get(i);
            if (c == LF)
            {
                return i;
            }
            if (c == CR && i + 1 < end && buffer.get(i + 1) != LF)
            {
                return -2;
            }
        }
        return -1;
    }

    /** Where the line ending at the LF {@code lf} stops, its CR excluded. */
    private static int contentEnd(final ByteBuffer buffer, final int from, final int lf)
    {
        return lf > from && buffer.get(lf - 1) == CR ? lf - 1 : lf;
    }

    private int indexOf(final int from, final int end, final byte c)
    {
        for (int i = from; i < end; i++)
        {
            if (buffer.get(i) == c)
            {
                return i;
            }
        }
        return -1;
    }

    private boolean startsWith(final int at, final byte[] prefix)
    {
        for (int i = 0; i < prefix.length; i++)
        {
            if (buffer.get(at + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    private boolean equalsAscii(final int at, final int length, final String text, final boolean anyCase)
    {
        if (length != text.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            int c = buffer.get(at + i);
            int expected = text.charAt(i);
            if (anyCase)
            {
                c = Character.toLowerCase(c);
                expected = Character.toLowerCase(expected);
            }
            if (c != expected)
            {
                return false;
            }
        }
        return true;
    }

    private String ascii(final int at, final int length)
    {
        return new String(bytes(at, length), StandardCharsets.US_ASCII);
    }

    private byte[] bytes(final int at, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.get(at, bytes, 0, length);
        return bytes;
    }

    private static boolean isTchar(final byte c)
    {
        return c >= 0 && TCHAR[c];
    }

    private static boolean isDigit(final byte c)
    {
        return c >= '0' && c <= '9';
    }

    private static boolean isWhitespace(final byte c)
    {
        return c == SP || c == HTAB;
    }
}
