package io.switchboard.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Writes each request's {@link AccessLog} line once its response is complete, with the client address resolved
 * before it (behind a trusted proxy, the client's); passes straight through when there is no access log.
 */
final class AccessLogged implements HttpHandler
{
    private final HttpHandler next;

    AccessLogged(final HttpHandler next)
    {
        this.next = next;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        if (AccessLog.enabled())
        {
            exchange.addExchangeCompleteListener((done, proceed) ->
            {
                final String query = done.getQueryString();
                AccessLog.log(done.getSourceAddress() == null ? null : done.getSourceAddress().getAddress(),
                    done.getRequestMethod() + " " + done.getRequestURI() + (query.isEmpty() ? "" : "?" + query) + " " +
                        done.getProtocol(), done.getStatusCode(), done.getResponseBytesSent());
                proceed.proceed();
            });
        }
        next.handleRequest(exchange);
    }
}
