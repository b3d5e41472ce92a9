package io.switchboard.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.agrona.concurrent.status.AtomicCounter;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

import java.util.concurrent.TimeUnit;

/**
 * Cuts the connection of a request whose body has not all arrived within the request-parse timeout of its head.
 * Undertow's own timeouts stop once the head is parsed, so a body that stalls would hold its connection, and a
 * worker thread blocked reading it, for ever.
 */
final class BodyDeadline implements HttpHandler
{
    private final HttpHandler next;
    private final long timeoutMs;
    private final AtomicCounter cut;

    BodyDeadline(final HttpHandler next, final long timeoutMs, final AtomicCounter cut)
    {
        this.next = next;
        this.timeoutMs = timeoutMs;
        this.cut = cut;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        if (!exchange.isRequestComplete() && hasBody(exchange))
        {
            // XNIO's timers count whole milliseconds and may fire up to one early: one more keeps the cut on time.
            final XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(
                () -> expire(exchange), timeoutMs + 1, TimeUnit.MILLISECONDS);
            exchange.addExchangeCompleteListener((done, proceed) ->
            {
                deadline.remove();
                proceed.proceed();
            });
        }
        next.handleRequest(exchange);
    }

    private void expire(final HttpServerExchange exchange)
    {
        if (!exchange.isRequestComplete() && !exchange.isComplete())
        {
            cut.increment();
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    private static boolean hasBody(final HttpServerExchange exchange)
    {
        return exchange.getRequestContentLength() > 0 ||
            exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
    }
}
