package io.switchboard.edge.http;

import io.switchboard.engine.health.Watch;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * The root handler of a listener, reporting what its handlers throw on Undertow's threads to the listener's
 * {@link Watch} before Undertow answers 500 as it always does: counted, and an Error fails the listener.
 */
public final class WatchedHandler implements HttpHandler
{
    private final HttpHandler next;
    private final Watch watch;

    public WatchedHandler(final HttpHandler next, final Watch watch)
    {
        this.next = next;
        this.watch = watch;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        try
        {
            next.handleRequest(exchange);
        }
        catch (final Exception | Error ex)
        {
            watch.onError(ex);
            throw ex;
        }
    }
}
