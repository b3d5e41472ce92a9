package io.switchboard.edge.metaverse;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.util.Set;

/**
 * CORS on every metaverse API response, as Iamus answers (the Express {@code cors} middleware in front of its routes,
 * allowed headers {@code authorization, content-type, x-vircadia-error-handle}, credentials on): any {@code OPTIONS}
 * request, whatever its path, is a preflight answered 204 with the allowed methods and headers; every other request
 * goes on with the origin headers set. Without {@code --metaverse-cors} any origin is allowed ({@code *}, Iamus's
 * default); with it, only those exact origins are named back ({@code Vary: Origin}), others get no allow header.
 */
final class MetaverseCors implements HttpHandler
{
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_CREDENTIALS = new HttpString("Access-Control-Allow-Credentials");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    static final String METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE";
    static final String HEADERS = "authorization,content-type,x-vircadia-error-handle";
    private static final int PREFLIGHT_STATUS = 204;

    private final HttpHandler next;
    private final Set<String> origins;

    MetaverseCors(final HttpHandler next, final Set<String> origins)
    {
        this.next = next;
        this.origins = Set.copyOf(origins);
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        final HeaderMap response = exchange.getResponseHeaders();
        if (origins.isEmpty())
        {
            response.put(ALLOW_ORIGIN, "*");
        }
        else
        {
            final String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
            if (origin != null && origins.contains(origin))
            {
                response.put(ALLOW_ORIGIN, origin);
            }
            response.add(Headers.VARY, "Origin");
        }
        response.put(ALLOW_CREDENTIALS, "true");
        if (!Methods.OPTIONS.equals(exchange.getRequestMethod()))
        {
            next.handleRequest(exchange);
            return;
        }
        response.put(ALLOW_METHODS, METHODS);
        response.put(ALLOW_HEADERS, HEADERS);
        response.put(Headers.CONTENT_LENGTH, 0);
        exchange.setStatusCode(PREFLIGHT_STATUS);
        exchange.endExchange();
    }
}
