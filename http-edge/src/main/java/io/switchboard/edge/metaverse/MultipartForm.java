package io.switchboard.edge.metaverse;

import io.undertow.connector.ByteBufferPool;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.MultipartParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code multipart/form-data} body already read into memory, split by Undertow's MIME parser into its parts'
 * raw bytes by field name (the first part of a name wins). Text fields stay bytes too: the key upload's
 * {@code api_key} part carries no Content-Type (spec §2.5).
 */
final class MultipartForm
{
    private final Map<String, byte[]> parts;

    private MultipartForm(final Map<String, byte[]> parts)
    {
        this.parts = parts;
    }

    /** The form, or null when the content type is not multipart/form-data or the body is not well-formed. */
    static MultipartForm parse(final String contentType, final byte[] body, final ByteBufferPool pool)
    {
        if (contentType == null || !contentType.regionMatches(true, 0, "multipart/form-data", 0, 19))
        {
            return null;
        }
        final String boundary;
        try
        {
            boundary = Headers.extractQuotedValueFromHeader(contentType, "boundary");
        }
        catch (final RuntimeException ex)
        {
            return null; // Undertow's reader runs off the end of a "boundary=" that ends the header
        }
        if (boundary == null || boundary.isEmpty())
        {
            return null;
        }
        final Collector collector = new Collector();
        final MultipartParser.ParseState parser = MultipartParser.beginParse(
            pool, collector, boundary.getBytes(StandardCharsets.US_ASCII), StandardCharsets.UTF_8.name());
        try
        {
            parser.parse(ByteBuffer.wrap(body));
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
        return parser.isComplete() ? new MultipartForm(collector.parts) : null;
    }

    /** The part's bytes, or null when the form has no part of that name. */
    byte[] part(final String name)
    {
        return parts.get(name);
    }

    /** A text field as UTF-8; null when absent or empty (an empty api_key means none, spec §6 q7). */
    String text(final String name)
    {
        final byte[] value = parts.get(name);
        return value == null || value.length == 0 ? null : new String(value, StandardCharsets.UTF_8).trim();
    }

    private static final class Collector implements MultipartParser.PartHandler
    {
        private final Map<String, byte[]> parts = new HashMap<>();
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        private String name;

        @Override
        public void beginPart(final HeaderMap headers)
        {
            final String disposition = headers.getFirst(Headers.CONTENT_DISPOSITION);
            name = disposition == null ? null : Headers.extractQuotedValueFromHeader(disposition, "name");
            current.reset();
        }

        @Override
        public void data(final ByteBuffer buffer)
        {
            final byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            current.write(chunk, 0, chunk.length);
        }

        @Override
        public void endPart()
        {
            if (name != null)
            {
                parts.putIfAbsent(name, current.toByteArray());
            }
        }
    }
}
