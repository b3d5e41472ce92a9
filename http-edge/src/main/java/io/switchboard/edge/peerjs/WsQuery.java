package io.switchboard.edge.peerjs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code key}, {@code id} and {@code token} of a WebSocket URL's query, decoded as the reference does (spec 3.1):
 * {@code +} is a space, percent escapes are UTF-8 (a malformed escape stays as written), and the last duplicate wins.
 */
public record WsQuery(String key, String id, String token)
{
    public static WsQuery parse(final String query)
    {
        String key = null;
        String id = null;
        String token = null;
        if (query != null)
        {
            int start = 0;
            while (start <= query.length())
            {
                int end = query.indexOf('&', start);
                if (end < 0)
                {
                    end = query.length();
                }
                final int eq = query.indexOf('=', start);
                final boolean hasValue = eq >= 0 && eq < end;
                final String name = decode(query, start, hasValue ? eq : end);
                final String value = hasValue ? decode(query, eq + 1, end) : "";
                switch (name)
                {
                    case "key" -> key = value;
                    case "id" -> id = value;
                    case "token" -> token = value;
                    default ->
                    {
                    }
                }
                start = end + 1;
            }
        }
        return new WsQuery(key, id, token);
    }

    static String decode(final String text, final int from, final int to)
    {
        return decode(text, from, to, true);
    }

    /** A URL path's percent escapes decoded as UTF-8 ({@code +} stays itself; a malformed escape stays as written). */
    static String decodePath(final String path)
    {
        return decode(path, 0, path.length(), false);
    }

    private static String decode(final String text, final int from, final int to, final boolean plusIsSpace)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c == '+' && plusIsSpace)
            {
                bytes.write(' ');
            }
            else if (c == '%' && isHex(text, i + 1, to) && isHex(text, i + 2, to))
            {
                bytes.write(Character.digit(text.charAt(i + 1), 16) << 4 | Character.digit(text.charAt(i + 2), 16));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.write(c);
            }
            else
            {
                final int codePoint = text.codePointAt(i);
                final byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(final String text, final int at, final int to)
    {
        return at < to && Character.digit(text.charAt(at), 16) >= 0;
    }
}
