package io.switchboard.edge.metaverse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.undertow.server.DefaultByteBufferPool;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The key upload's multipart reader: any Content-Type and body is read or refused (null), never thrown on; and a form
 * written as RFC 7578 writes it (the domain-server's QHttpMultiPart among them) reads back part for part, the first
 * part of a name winning.
 */
class MultipartFormFuzzTest
{
    private static final DefaultByteBufferPool POOL = new DefaultByteBufferPool(false, 1024);
    /** Characters RFC 2046 allows in a boundary, space aside. */
    private static final String BOUNDARY_CHARS =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=?";
    private static final String[] NAMES = {"public_key", "api_key", "x"};

    /** {@code input}: the Content-Type up to the first LF, then the body. */
    @FuzzTest
    void anyBody(final byte[] input)
    {
        int newline = 0;
        while (newline < input.length && input[newline] != '\n')
        {
            newline++;
        }
        final String contentType = new String(input, 0, newline, StandardCharsets.ISO_8859_1);
        final byte[] body = Arrays.copyOfRange(input, Math.min(newline + 1, input.length), input.length);
        final MultipartForm form = MultipartForm.parse(contentType, body, POOL);
        if (form != null)
        {
            for (final String name : NAMES)
            {
                final byte[] part = form.part(name);
                final String text = form.text(name);
                assertTrue(part != null || text == null);
            }
        }
    }

    /**
     * {@code input}: the boundary up to the first NUL (a byte that is no boundary character picks one), then parts
     * separated by NUL, each a name byte ({@code p}: public_key, {@code a}: api_key, else x), a kind byte
     * ({@code f}: a file part with a Content-Type) and the content.
     */
    @FuzzTest
    void writtenForm(final byte[] input)
    {
        final String[] fields = new String(input, StandardCharsets.ISO_8859_1).split("\0", -1);
        final StringBuilder boundary = new StringBuilder();
        for (final char c : fields[0].toCharArray())
        {
            boundary.append(BOUNDARY_CHARS.indexOf(c) >= 0 ? c : BOUNDARY_CHARS.charAt(c % BOUNDARY_CHARS.length()));
        }
        if (boundary.isEmpty() || boundary.length() > 70 || fields.length < 2)
        {
            return; // RFC 2046 §5.1.1: a boundary of 1 to 70 characters, and at least one part
        }
        final byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final Map<String, byte[]> expected = new HashMap<>();
        for (int i = 1; i < fields.length; i++)
        {
            if (fields[i].length() < 2)
            {
                return;
            }
            final String name = NAMES[fields[i].charAt(0) == 'p' ? 0 : fields[i].charAt(0) == 'a' ? 1 : 2];
            final byte[] content = fields[i].substring(2).getBytes(StandardCharsets.ISO_8859_1);
            if (indexOf(content, delimiter) >= 0)
            {
                return; // a writer picks a boundary its contents do not hold
            }
            expected.putIfAbsent(name, content);
            final String file = "; filename=\"" + name + "\"\r\nContent-Type: application/octet-stream";
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"" +
                (fields[i].charAt(1) == 'f' ? file : "") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));

        final MultipartForm form = MultipartForm.parse(
            "multipart/form-data; boundary=\"" + boundary + "\"", body.toByteArray(), POOL);
        assertNotNull(form, () -> body.toString(StandardCharsets.ISO_8859_1));
        for (final String name : NAMES)
        {
            assertArrayEquals(expected.get(name), form.part(name), name);
        }
    }

    private static int indexOf(final byte[] bytes, final byte[] sought)
    {
        outer:
        for (int i = 0; i + sought.length <= bytes.length; i++)
        {
            for (int j = 0; j < sought.length; j++)
            {
                if (bytes[i + j] != sought[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
