package io.switchboard.edge.http;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;

/**
 * Answers 400 at once to a chunked request whose first chunk size is absurd: not a hex number, or past what any
 * body could hold (2 GiB). Left to Undertow, its chunk decoder cuts the connection without a word when the body is
 * read. A size merely over the listener's body limit is the handler's to refuse (413, counted as too large). The
 * size line is read from the bytes that came with the request head, without taking them; a size line still on its
 * way is left to Undertow.
 */
final class ChunkSizeCheck implements HttpHandler
{
    private static final int RADIX = 16;
    private static final String IDENTITY = "identity";

    private static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE;

    private final HttpHandler next;
    private final AtomicCounter refused;

    ChunkSizeCheck(final HttpHandler next, final AtomicCounter refused)
    {
        this.next = next;
        this.refused = refused;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        final String coding = exchange.getRequestHeaders().getFirst(Headers.TRANSFER_ENCODING);
        // Undertow reads any coding but identity as chunked.
        if (coding != null && !IDENTITY.equalsIgnoreCase(coding) &&
            exchange.getConnection() instanceof AbstractServerConnection connection &&
            isAbsurd(connection.getExtraBytes()))
        {
            refused.increment();
            exchange.setPersistent(false);
            exchange.setStatusCode(400);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send("invalid chunk size: a hex number of bytes below 2 GiB\n");
            return;
        }
        next.handleRequest(exchange);
    }

    /** Whether the chunk size at the start of {@code readAhead} is no hex number or one past any body. */
    private boolean isAbsurd(final PooledByteBuffer readAhead)
    {
        if (readAhead == null)
        {
            return false;
        }
        final ByteBuffer bytes = readAhead.getBuffer();
        long size = 0;
        int digits = 0;
        for (int i = bytes.position(); i < bytes.limit(); i++)
        {
            final int digit = Character.digit((char)(bytes.get(i) & 0xFF), RADIX);
            if (digit < 0)
            {
                return digits == 0; // the size ends at ';', CR or LF; with no digit before it there is none
            }
            size = size * RADIX + digit;
            digits++;
            if (size > MAX_CHUNK_BYTES)
            {
                return true;
            }
        }
        return false;
    }
}
