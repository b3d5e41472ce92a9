package io.switchboard.edge.http;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;

/**
 * Answers 400 at once to a chunked request whose first chunk size is not hex or exceeds the listener's body limit.
 * Left to Undertow, its chunk decoder would cut the connection without a word when the body is read, or never, when
 * the handler reads no body. The size line is read from the bytes that came with the request head, without taking
 * them; a size line still on its way is left to Undertow.
 */
final class ChunkSizeCheck implements HttpHandler
{
    private static final int RADIX = 16;
    private static final String IDENTITY = "identity";

    private final HttpHandler next;
    private final long maxChunkBytes;
    private final AtomicCounter refused;

    ChunkSizeCheck(final HttpHandler next, final long maxChunkBytes, final AtomicCounter refused)
    {
        this.next = next;
        this.maxChunkBytes = maxChunkBytes;
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
            exchange.getResponseSender().send("invalid chunk size: at most " + maxChunkBytes + " bytes, in hex\n");
            return;
        }
        next.handleRequest(exchange);
    }

    /** Whether the chunk size at the start of {@code readAhead} is no hex number or one over the limit. */
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
            if (size > maxChunkBytes)
            {
                return true;
            }
        }
        return false;
    }
}
