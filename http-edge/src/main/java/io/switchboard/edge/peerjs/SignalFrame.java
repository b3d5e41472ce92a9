package io.switchboard.edge.peerjs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.switchboard.edge.websocket.Utf8;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The PeerJS signaling codec on Jackson's streaming API: reads a client frame's {@code type}, {@code dst} and the
 * byte span of {@code payload} without building a tree, and writes the relayed frame
 * {@code {"type","src","dst","payload"}} in that key order, keys whose value is undefined left out (spec 3.3). The
 * payload is copied byte for byte.
 */
final class SignalFrame
{
    /** What {@link #parse} found; {@link #INVALID} and {@link #IGNORED} carry nothing. */
    enum Kind
    {
        /** Not JSON, or JSON that is not an object: the reference crashes or stalls on some of these (spec 3.8). */
        INVALID,
        /** An object whose type the server does not act on. */
        IGNORED,
        ACTED_ON
    }

    /**
     * One parsed client frame.
     *
     * @param kind         see {@link Kind}.
     * @param type         set when {@code kind} is {@link Kind#ACTED_ON}.
     * @param dst          the destination id, or null when absent or falsy in JavaScript terms.
     * @param payloadStart offset of the payload value, or -1 when there is none.
     * @param payloadEnd   offset just after the payload value.
     */
    record Parsed(Kind kind, MessageType type, String dst, int payloadStart, int payloadEnd)
    {
        static final Parsed INVALID = new Parsed(Kind.INVALID, null, null, -1, -1);
        static final Parsed IGNORED = new Parsed(Kind.IGNORED, null, null, -1, -1);
    }

    static final byte[] OPEN = ascii("{\"type\":\"OPEN\"}");
    static final byte[] NO_PARAMETERS =
        error("ERROR", "No id, token, or key supplied to websocket server");
    static final byte[] INVALID_KEY = error("ERROR", "Invalid key provided");
    static final byte[] ID_TAKEN = error("ID-TAKEN", "ID is taken");
    static final byte[] CONCURRENT_LIMIT = error("ERROR", "Server has reached its concurrent user limit");
    /** Ours: the reference has no per-host limit. */
    static final byte[] HOST_LIMIT = error("ERROR", "Too many ids are registered from your address");
    /** Ours: a cluster node with too many ids waiting for the other nodes' answer to their claim. */
    static final byte[] CLUSTER_BUSY = error("ERROR", "Server is busy claiming ids, try again");
    /** Ours: in a cluster, an id and token too long to claim from the other nodes in one message. */
    static final byte[] CLUSTER_TOO_LONG = error("ERROR", "Id or token is too long");

    private static final byte[] SRC = ascii(",\"src\":");
    private static final byte[] DST = ascii(",\"dst\":");
    private static final byte[] PAYLOAD = ascii(",\"payload\":");
    /** A dst given as a non-string truthy value (a number, object...): no id can equal it, the frame is dropped. */
    static final String NOT_AN_ID = new String("not an id");

    private final JsonFactory factory;

    SignalFrame(final int maxFrameBytes)
    {
        factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Math.max(maxFrameBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                .maxDocumentLength(maxFrameBytes + 1L)
                .build())
            .build();
    }

    /** Reads one client frame, UTF-8 JSON in {@code bytes[0, length)}; never throws on bad input. */
    Parsed parse(final byte[] bytes, final int length)
    {
        if (!Utf8.isValid(bytes, 0, length))
        {
            // Not JSON (RFC 8259 §8.1). Jackson skips a payload without decoding it, and relayed in a text frame
            // such bytes would make the receiver's browser fail its socket.
            return Parsed.INVALID;
        }
        try (JsonParser parser = factory.createParser(bytes, 0, length))
        {
            if (parser.nextToken() != JsonToken.START_OBJECT)
            {
                return Parsed.INVALID;
            }
            String type = null;
            boolean typeIsString = false;
            String dst = null;
            int payloadStart = -1;
            int payloadEnd = -1;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                final JsonToken value = parser.nextToken();
                switch (field)
                {
                    case "type" ->
                    {
                        typeIsString = value == JsonToken.VALUE_STRING;
                        type = typeIsString ? parser.getText() : null;
                        parser.skipChildren();
                    }
                    case "dst" -> dst = dstOf(parser, value);
                    case "payload" ->
                    {
                        payloadStart = (int)parser.currentTokenLocation().getByteOffset();
                        if (value.isStructStart())
                        {
                            parser.skipChildren();
                        }
                        else
                        {
                            parser.finishToken();
                        }
                        payloadEnd = (int)parser.currentLocation().getByteOffset();
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.nextToken() != null)
            {
                return Parsed.INVALID;
            }
            final MessageType messageType = typeIsString ? MessageType.of(type) : null;
            return messageType == null ? Parsed.IGNORED :
                new Parsed(Kind.ACTED_ON, messageType, dst, payloadStart, payloadEnd);
        }
        catch (final IOException | RuntimeException ex)
        {
            return Parsed.INVALID;
        }
    }

    /** JavaScript truthiness: null, false, 0 and "" count as no dst. */
    private static String dstOf(final JsonParser parser, final JsonToken value) throws IOException
    {
        switch (value)
        {
            case VALUE_STRING:
                final String text = parser.getText();
                return text.isEmpty() ? null : text;
            case VALUE_NULL:
            case VALUE_FALSE:
                return null;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue() == 0 ? null : NOT_AN_ID;
            default:
                parser.skipChildren();
                return NOT_AN_ID;
        }
    }

    static boolean isId(final String dst)
    {
        return dst != null && dst != NOT_AN_ID;
    }

    /** {@code "id"} as JSON, UTF-8: what a client's frames carry as {@code src}. */
    static byte[] quoted(final String id)
    {
        final byte[] plain = quotedPlainAscii(id);
        if (plain != null)
        {
            return plain;
        }
        final byte[] escaped = escapedUtf8(id);
        final byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    /**
     * The JSON-escaped UTF-8 of {@code text}, each lone surrogate (a dst such as {@code "\ud800"} decodes to one)
     * written as its escape, as JSON.stringify does; Jackson's own UTF-8 quoting refuses them.
     */
    private static byte[] escapedUtf8(final String text)
    {
        final StringBuilder escaped = new StringBuilder();
        final char[] quoted = JsonStringEncoder.getInstance().quoteAsString(text);
        for (int i = 0; i < quoted.length; i++)
        {
            final char c = quoted[i];
            if (Character.isHighSurrogate(c) && i + 1 < quoted.length && Character.isLowSurrogate(quoted[i + 1]))
            {
                escaped.append(c).append(quoted[++i]);
            }
            else if (Character.isSurrogate(c))
            {
                escaped.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                escaped.append(c);
            }
        }
        return escaped.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Ids are printable ASCII in practice, which JSON needs no escape for: one array, no encoder buffers (this runs
     * for every relayed frame's dst).
     *
     * @return the quoted id, or null when a character needs escaping or is not ASCII.
     */
    private static byte[] quotedPlainAscii(final String id)
    {
        final int length = id.length();
        final byte[] quoted = new byte[length + 2];
        for (int i = 0; i < length; i++)
        {
            final char c = id.charAt(i);
            if (c < ' ' || c > '~' || c == '"' || c == '\\')
            {
                return null;
            }
            quoted[i + 1] = (byte)c;
        }
        quoted[0] = '"';
        quoted[length + 1] = '"';
        return quoted;
    }

    /** The relayed frame; {@code payload} is left out when {@code payloadStart < 0}. */
    static byte[] relay(
        final MessageType type,
        final byte[] srcQuoted,
        final byte[] dstQuoted,
        final byte[] in,
        final int payloadStart,
        final int payloadEnd)
    {
        final byte[] out = new byte[relayLength(type, srcQuoted.length, dstQuoted.length, payloadStart, payloadEnd)];
        putRelay(out, type, srcQuoted, dstQuoted, 0, dstQuoted.length, in, payloadStart, payloadEnd);
        return out;
    }

    /** Bytes of the relayed frame whose quoted dst is {@code dstQuotedLength} bytes. */
    static int relayLength(
        final MessageType type,
        final int srcQuotedLength,
        final int dstQuotedLength,
        final int payloadStart,
        final int payloadEnd)
    {
        final int payloadLength = payloadStart < 0 ? 0 : PAYLOAD.length + payloadEnd - payloadStart;
        return type.frameStart.length + SRC.length + srcQuotedLength + DST.length + dstQuotedLength + payloadLength + 1;
    }

    /**
     * Writes the relayed frame from {@code out[0]} on ({@link #relayLength} bytes): its quoted dst is
     * {@code dst[dstOffset, dstOffset + dstLength)}, its payload {@code in[payloadStart, payloadEnd)}.
     */
    static void putRelay(
        final byte[] out,
        final MessageType type,
        final byte[] srcQuoted,
        final byte[] dst,
        final int dstOffset,
        final int dstLength,
        final byte[] in,
        final int payloadStart,
        final int payloadEnd)
    {
        int at = put(out, 0, type.frameStart, 0, type.frameStart.length);
        at = put(out, at, SRC, 0, SRC.length);
        at = put(out, at, srcQuoted, 0, srcQuoted.length);
        at = put(out, at, DST, 0, DST.length);
        at = put(out, at, dst, dstOffset, dstLength);
        if (payloadStart >= 0)
        {
            at = put(out, at, PAYLOAD, 0, PAYLOAD.length);
            at = put(out, at, in, payloadStart, payloadEnd - payloadStart);
        }
        out[at] = '}';
    }

    /** {@code {"type":TYPE,"src":src,"dst":dst}}: what the server itself sends as LEAVE and EXPIRE. */
    static byte[] notice(final MessageType type, final byte[] srcQuoted, final byte[] dstQuoted)
    {
        return relay(type, srcQuoted, dstQuoted, null, -1, -1);
    }

    private static int put(final byte[] out, final int at, final byte[] from, final int offset, final int length)
    {
        System.arraycopy(from, offset, out, at, length);
        return at + length;
    }

    private static byte[] error(final String type, final String message)
    {
        return ascii("{\"type\":\"" + type + "\",\"payload\":{\"msg\":\"" + message + "\"}}");
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
