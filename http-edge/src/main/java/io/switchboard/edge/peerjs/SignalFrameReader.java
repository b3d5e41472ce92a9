package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.Utf8;

import java.nio.charset.StandardCharsets;

/**
 * One thread's reader of client frames and writer of the frames relayed from them, allocation-free for the frames
 * clients send: a flyweight over the message bytes that keeps offsets, not objects. It scans the JSON itself and
 * finds what {@link SignalFrame#parse} finds (type, dst in JavaScript truthiness, the payload's byte span, the last of
 * a repeated key), but decides only what it is sure Jackson decides alike: a document it reads whole, under
 * RFC 8259's grammar with plain keys, type and dst (no escapes, printable ASCII). Anything else (escapes in those
 * strings, a number as dst, deep nesting, a long number, bytes that are not UTF-8, any syntax error) goes to
 * {@link SignalFrame#parse}, so the verdict on odd input is Jackson's, as before.
 * <p>
 * The relayed frame is written into this reader's array; {@link SignalEndpoint#send} copies what it keeps.
 */
final class SignalFrameReader
{
    /** Nesting the scan follows; deeper documents are Jackson's (its own limit is higher). */
    static final int MAX_DEPTH = 64;
    /** Longest number the scan reads; longer ones are Jackson's (its own limit is higher). */
    static final int MAX_NUMBER_LENGTH = 100;
    /** Longest key the scan reads, in bytes; longer ones are Jackson's (its own limit is higher). */
    static final int MAX_KEY_BYTES = 1024;
    /** The relayed frame's array is kept for the next relay up to this size; a larger frame gets its own. */
    static final int MAX_KEPT_OUT_BYTES = 64 * 1024;
    private static final int NOT_SURE = -1;
    private static final int DST_CACHE = 64;
    private static final MessageType[] TYPES = MessageType.values();
    private static final byte[] TYPE_KEY = ascii("type");
    private static final byte[] DST_KEY = ascii("dst");
    private static final byte[] PAYLOAD_KEY = ascii("payload");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] NULL = ascii("null");

    private final SignalFrame jackson;
    /** The ids dst named lately, by a hash of their bytes: relays go to few ids per thread, each a String once. */
    private final String[] dstIds = new String[DST_CACHE];
    /** Kept between relays, at most {@link #MAX_KEPT_OUT_BYTES}: one huge frame must not pin its size per thread. */
    private byte[] out = new byte[1024];
    private byte[] written = out;
    private byte[] in;
    private int end;
    /** Whether the last scanned string had no escape and only printable ASCII. */
    private boolean plainString;
    /** Whether the last scanned string had an escape. */
    private boolean escapedString;
    private boolean nonAscii;

    private SignalFrame.Kind kind;
    private MessageType type;
    private String dst;
    /** The dst string's span in the message, quotes included, when it is plain; else -1 and {@link #dst} decides. */
    private int dstQuotedStart;
    private int dstQuotedEnd;
    private int payloadStart;
    private int payloadEnd;

    SignalFrameReader(final SignalFrame jackson)
    {
        this.jackson = jackson;
    }

    /** Reads one client frame, UTF-8 JSON in {@code bytes[0, length)}; never throws on bad input. */
    SignalFrame.Kind read(final byte[] bytes, final int length)
    {
        in = bytes;
        end = length;
        nonAscii = false;
        if (!scan() || nonAscii && !Utf8.isValid(bytes, 0, length))
        {
            readWithJackson(bytes, length);
        }
        in = null;
        return kind;
    }

    /** Set when {@link #kind()} is {@link SignalFrame.Kind#ACTED_ON}. */
    MessageType type()
    {
        return type;
    }

    /** The destination id; null when absent or falsy in JavaScript terms; see {@link SignalFrame#isId}. */
    String dst()
    {
        return dst;
    }

    int payloadStart()
    {
        return payloadStart;
    }

    int payloadEnd()
    {
        return payloadEnd;
    }

    /**
     * Writes the relayed frame {@code {"type","src","dst","payload"}} for the frame last read from {@code message}
     * into {@link #out()}; payload left out when the frame had none.
     *
     * @return the frame's length.
     */
    int relay(final byte[] srcQuoted, final byte[] message)
    {
        final byte[] dstBytes = dstQuotedStart < 0 ? SignalFrame.quoted(dst) : message;
        final int dstOffset = dstQuotedStart < 0 ? 0 : dstQuotedStart;
        final int dstLength = dstQuotedStart < 0 ? dstBytes.length : dstQuotedEnd - dstQuotedStart;
        final int length = SignalFrame.relayLength(type, srcQuoted.length, dstLength, payloadStart, payloadEnd);
        if (length > out.length)
        {
            final byte[] larger = new byte[Math.max(length, Math.min(2 * out.length, MAX_KEPT_OUT_BYTES))];
            written = larger;
            if (larger.length <= MAX_KEPT_OUT_BYTES)
            {
                out = larger;
            }
        }
        else
        {
            written = out;
        }
        SignalFrame.putRelay(written, type, srcQuoted, dstBytes, dstOffset, dstLength, message, payloadStart,
            payloadEnd);
        return length;
    }

    /** The array {@link #relay} wrote into, valid until the next relay on this thread. */
    byte[] out()
    {
        return written;
    }

    private void readWithJackson(final byte[] bytes, final int length)
    {
        final SignalFrame.Parsed parsed = jackson.parse(bytes, length);
        kind = parsed.kind();
        type = parsed.type();
        dst = parsed.dst();
        dstQuotedStart = -1;
        payloadStart = parsed.payloadStart();
        payloadEnd = parsed.payloadEnd();
    }

    // ---------------------------------------------------------------- the scan; false: not sure, ask Jackson

    private boolean scan()
    {
        int typeStart = -1;
        int typeEnd = -1;
        boolean typeIsString = false;
        int dstStart = -1;
        int dstEnd = -1;
        boolean dstNotAnId = false;
        payloadStart = -1;
        payloadEnd = -1;
        int p = whitespace(0);
        if (p >= end || in[p] != '{')
        {
            return false;
        }
        p = whitespace(p + 1);
        if (p < end && in[p] == '}')
        {
            p++;
        }
        else
        {
            while (true)
            {
                if (p >= end || in[p] != '"')
                {
                    return false;
                }
                final int keyEnd = string(p);
                if (keyEnd == NOT_SURE || !plainString || keyEnd - p - 2 > MAX_KEY_BYTES)
                {
                    return false;
                }
                final int keyStart = p + 1;
                final int keyLength = keyEnd - 1 - keyStart;
                p = whitespace(keyEnd);
                if (p >= end || in[p] != ':')
                {
                    return false;
                }
                final int valueStart = whitespace(p + 1);
                final int valueEnd = value(valueStart);
                if (valueEnd == NOT_SURE)
                {
                    return false;
                }
                final byte first = in[valueStart];
                if (is(keyStart, keyLength, TYPE_KEY))
                {
                    typeIsString = first == '"';
                    if (typeIsString && !plainString)
                    {
                        return false;
                    }
                    typeStart = valueStart + 1;
                    typeEnd = valueEnd - 1;
                }
                else if (is(keyStart, keyLength, DST_KEY))
                {
                    if (first == '"' && !plainString || first == '-' || first >= '0' && first <= '9')
                    {
                        return false; // escapes, non-ASCII ids, numbers' truthiness: Jackson's
                    }
                    final boolean nonEmptyString = first == '"' && valueEnd - valueStart > 2;
                    dstStart = nonEmptyString ? valueStart : -1;
                    dstEnd = valueEnd;
                    dstNotAnId = first == 't' || first == '{' || first == '[';
                }
                else if (is(keyStart, keyLength, PAYLOAD_KEY))
                {
                    payloadStart = valueStart;
                    payloadEnd = valueEnd;
                }
                p = whitespace(valueEnd);
                if (p >= end)
                {
                    return false;
                }
                if (in[p] == ',')
                {
                    p = whitespace(p + 1);
                    continue;
                }
                if (in[p] != '}')
                {
                    return false;
                }
                p++;
                break;
            }
        }
        if (whitespace(p) != end)
        {
            return false;
        }
        type = typeIsString ? typeOf(typeStart, typeEnd - typeStart) : null;
        if (type == null)
        {
            kind = SignalFrame.Kind.IGNORED;
            dst = null;
            dstQuotedStart = -1;
            payloadStart = -1;
            payloadEnd = -1;
            return true;
        }
        kind = SignalFrame.Kind.ACTED_ON;
        dstQuotedStart = dstStart;
        dstQuotedEnd = dstEnd;
        dst = dstStart >= 0 ? dstId(dstStart + 1, dstEnd - 1) : dstNotAnId ? SignalFrame.NOT_AN_ID : null;
        return true;
    }

    private boolean is(final int start, final int length, final byte[] name)
    {
        if (length != name.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (in[start + i] != name[i])
            {
                return false;
            }
        }
        return true;
    }

    private MessageType typeOf(final int start, final int length)
    {
        for (final MessageType candidate : TYPES)
        {
            if (is(start, length, candidate.nameBytes))
            {
                return candidate;
            }
        }
        return null;
    }

    /** The id in {@code in[start, end)}, plain ASCII: the String made for it lately, or a new one. */
    private String dstId(final int start, final int end)
    {
        int hash = 0;
        for (int i = start; i < end; i++)
        {
            hash = 31 * hash + in[i];
        }
        final int index = (hash ^ hash >>> 16) & (DST_CACHE - 1);
        final String cached = dstIds[index];
        if (cached != null && cached.length() == end - start)
        {
            int i = 0;
            while (i < end - start && cached.charAt(i) == in[start + i])
            {
                i++;
            }
            if (i == end - start)
            {
                return cached;
            }
        }
        final String id = new String(in, start, end - start, StandardCharsets.ISO_8859_1);
        dstIds[index] = id;
        return id;
    }

    private int whitespace(final int from)
    {
        int p = from;
        while (p < end)
        {
            final byte b = in[p];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t')
            {
                break;
            }
            p++;
        }
        return p;
    }

    /** The end of the value at {@code p}, or {@link #NOT_SURE}. */
    private int value(final int p)
    {
        if (p >= end)
        {
            return NOT_SURE;
        }
        final byte b = in[p];
        return b == '{' || b == '[' ? container(p) : scalar(p);
    }

    /** Skips an object or array, iteratively: a bit per level says which. */
    private int container(final int start)
    {
        long objects = 0;
        int depth = 0;
        int p = start;
        while (true)
        {
            final byte b = in[p];
            if (b == '{' || b == '[')
            {
                if (depth == MAX_DEPTH)
                {
                    return NOT_SURE;
                }
                final boolean object = b == '{';
                objects = objects << 1 | (object ? 1 : 0);
                depth++;
                p = whitespace(p + 1);
                if (p >= end)
                {
                    return NOT_SURE;
                }
                if (in[p] != (object ? '}' : ']'))
                {
                    p = object ? member(p) : p;
                    if (p == NOT_SURE || p >= end)
                    {
                        return NOT_SURE;
                    }
                    continue;
                }
                p++;
                depth--;
                objects >>>= 1;
            }
            else
            {
                p = scalar(p);
                if (p == NOT_SURE)
                {
                    return NOT_SURE;
                }
            }
            // After a value: close what ends here, then the next element's value.
            while (true)
            {
                if (depth == 0)
                {
                    return p;
                }
                p = whitespace(p);
                if (p >= end)
                {
                    return NOT_SURE;
                }
                final boolean object = (objects & 1) != 0;
                final byte next = in[p];
                if (next == ',')
                {
                    p = whitespace(p + 1);
                    p = object ? member(p) : p;
                    if (p == NOT_SURE || p >= end)
                    {
                        return NOT_SURE;
                    }
                    break;
                }
                if (next != (object ? '}' : ']'))
                {
                    return NOT_SURE;
                }
                p++;
                depth--;
                objects >>>= 1;
            }
        }
    }

    /** A member's key and colon at {@code p}: the position of its value, or {@link #NOT_SURE}. */
    private int member(final int p)
    {
        if (p >= end || in[p] != '"')
        {
            return NOT_SURE;
        }
        final int keyEnd = string(p);
        if (keyEnd == NOT_SURE || escapedString || keyEnd - p - 2 > MAX_KEY_BYTES)
        {
            return NOT_SURE; // Jackson decodes escaped keys (a lone surrogate fails there) and caps their length
        }
        final int colon = whitespace(keyEnd);
        if (colon >= end || in[colon] != ':')
        {
            return NOT_SURE;
        }
        return whitespace(colon + 1);
    }

    private int scalar(final int p)
    {
        plainString = false;
        return switch (in[p])
        {
            case '"' -> string(p);
            case 't' -> literal(p, TRUE);
            case 'f' -> literal(p, FALSE);
            case 'n' -> literal(p, NULL);
            default -> number(p);
        };
    }

    /** The literal at {@code p}; what follows it is checked by the caller (a separator must). */
    private int literal(final int p, final byte[] name)
    {
        return p + name.length <= end && is(p, name.length, name) ? p + name.length : NOT_SURE;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} at {@code p}. */
    private int number(final int start)
    {
        int p = start;
        if (p < end && in[p] == '-')
        {
            p++;
        }
        if (p >= end || !digit(in[p]))
        {
            return NOT_SURE;
        }
        p = in[p] == '0' ? p + 1 : digits(p);
        if (p < end && in[p] == '.')
        {
            if (p + 1 >= end || !digit(in[p + 1]))
            {
                return NOT_SURE;
            }
            p = digits(p + 1);
        }
        if (p < end && (in[p] == 'e' || in[p] == 'E'))
        {
            p++;
            if (p < end && (in[p] == '+' || in[p] == '-'))
            {
                p++;
            }
            if (p >= end || !digit(in[p]))
            {
                return NOT_SURE;
            }
            p = digits(p);
        }
        return p - start > MAX_NUMBER_LENGTH ? NOT_SURE : p;
    }

    private int digits(final int from)
    {
        int p = from;
        while (p < end && digit(in[p]))
        {
            p++;
        }
        return p;
    }

    private static boolean digit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    /**
     * The end (after the closing quote) of the string at {@code p}, escapes checked, or {@link #NOT_SURE}; sets
     * {@link #plainString}, and {@link #nonAscii} when a byte is not ASCII (the message is then checked as UTF-8).
     */
    private int string(final int p)
    {
        boolean plain = true;
        boolean escaped = false;
        int q = p + 1;
        while (q < end)
        {
            final int b = in[q] & 0xFF;
            if (b == '"')
            {
                plainString = plain;
                escapedString = escaped;
                return q + 1;
            }
            if (b == '\\')
            {
                plain = false;
                escaped = true;
                if (q + 1 >= end)
                {
                    return NOT_SURE;
                }
                final byte escape = in[q + 1];
                if (escape == 'u')
                {
                    if (q + 6 > end || !hex(in[q + 2]) || !hex(in[q + 3]) || !hex(in[q + 4]) || !hex(in[q + 5]))
                    {
                        return NOT_SURE;
                    }
                    q += 6;
                    continue;
                }
                if (escape != '"' && escape != '\\' && escape != '/' && escape != 'b' && escape != 'f' &&
                    escape != 'n' && escape != 'r' && escape != 't')
                {
                    return NOT_SURE;
                }
                q += 2;
                continue;
            }
            if (b < 0x20)
            {
                return NOT_SURE;
            }
            if (b > 0x7E)
            {
                plain = false;
                nonAscii |= b > 0x7F;
            }
            q++;
        }
        return NOT_SURE;
    }

    private static boolean hex(final byte b)
    {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
