package io.switchboard.edge.peerjs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.util.List;
import java.util.UUID;

/**
 * The PeerJS HTTP API under {@code {path}} (spec 2): {@code GET {path}} with the server's description,
 * {@code GET {path}{key}/id} with a fresh UUID, {@code GET {path}{key}/peers} when discovery is on, CORS on every
 * response, an Express-like 404 for anything else. The key is not checked here, as in the reference.
 */
final class PeerJsHttpApi implements HttpHandler
{
    static final String INFO = "{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker " +
        "connections between PeerJS clients.\",\"website\":\"https://peerjs.com/\"}";
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString REQUEST_HEADERS = new HttpString("Access-Control-Request-Headers");
    private static final String JSON = "application/json; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";

    private final PeerJsContext context;
    private final Realm realm;
    private final PeerJsCounters counters;
    private final ObjectMapper json;
    /** The mount path without its trailing slash: "" for "/". */
    private final String prefix;

    PeerJsHttpApi(final PeerJsContext context, final Realm realm, final PeerJsCounters counters, final ObjectMapper json)
    {
        this.context = context;
        this.realm = realm;
        this.counters = counters;
        this.json = json;
        this.prefix = context.path().substring(0, context.path().length() - 1);
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws JsonProcessingException
    {
        final String path = exchange.getRequestPath();
        final boolean mounted = path.equals(prefix) || path.startsWith(prefix + "/");
        if (mounted)
        {
            cors(exchange);
            if (Methods.OPTIONS.equals(exchange.getRequestMethod()))
            {
                preflight(exchange);
                return;
            }
        }
        final boolean read = Methods.GET.equals(exchange.getRequestMethod()) ||
            Methods.HEAD.equals(exchange.getRequestMethod());
        if (!mounted || !read)
        {
            notFound(exchange);
            return;
        }
        final String rest = trimSlash(path.substring(prefix.length()));
        if (rest.isEmpty())
        {
            counters.httpInfo.increment();
            send(exchange, 200, JSON, INFO);
            return;
        }
        final int slash = rest.indexOf('/');
        final String route = slash <= 0 ? "" : rest.substring(slash + 1);
        if ("id".equals(route))
        {
            counters.httpId.increment();
            send(exchange, 200, HTML, freshId());
        }
        else if ("peers".equals(route))
        {
            counters.httpPeers.increment();
            if (context.allowDiscovery())
            {
                final List<String> ids = realm.registeredIds();
                send(exchange, 200, JSON, json.writeValueAsString(ids));
            }
            else
            {
                send(exchange, 401, "text/plain; charset=utf-8", "Unauthorized");
            }
        }
        else
        {
            notFound(exchange);
        }
    }

    /** {@code /x/} and {@code /x} are one route, as in Express. */
    private static String trimSlash(final String rest)
    {
        final String inner = rest.startsWith("/") ? rest.substring(1) : rest;
        return inner.endsWith("/") ? inner.substring(0, inner.length() - 1) : inner;
    }

    private String freshId()
    {
        String id = UUID.randomUUID().toString();
        while (realm.isRegistered(id))
        {
            id = UUID.randomUUID().toString();
        }
        return id;
    }

    /** The {@code cors} middleware's defaults: reflect the Origin, or only the configured ones. */
    private void cors(final HttpServerExchange exchange)
    {
        final HeaderMap response = exchange.getResponseHeaders();
        response.add(Headers.VARY, "Origin");
        final String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin != null && (context.corsOrigins().isEmpty() || context.corsOrigins().contains(origin)))
        {
            response.put(ALLOW_ORIGIN, origin);
        }
    }

    private void preflight(final HttpServerExchange exchange)
    {
        counters.httpPreflight.increment();
        final HeaderMap response = exchange.getResponseHeaders();
        response.put(ALLOW_METHODS, "GET,HEAD,PUT,PATCH,POST,DELETE");
        final String requested = exchange.getRequestHeaders().getFirst(REQUEST_HEADERS);
        if (requested != null)
        {
            response.put(ALLOW_HEADERS, requested);
        }
        response.remove(Headers.VARY);
        response.put(Headers.VARY, "Origin, Access-Control-Request-Headers");
        response.put(Headers.CONTENT_LENGTH, "0");
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    private void notFound(final HttpServerExchange exchange)
    {
        counters.httpNotFound.increment();
        final String target = exchange.getRequestMethod() + " " + exchange.getRequestPath();
        final HeaderMap response = exchange.getResponseHeaders();
        response.put(new HttpString("Content-Security-Policy"), "default-src 'none'");
        response.put(new HttpString("X-Content-Type-Options"), "nosniff");
        send(exchange, 404, HTML, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
            "<title>Error</title>\n</head>\n<body>\n<pre>Cannot " + escapeHtml(target) + "</pre>\n</body>\n</html>\n");
    }

    static void send(final HttpServerExchange exchange, final int status, final String contentType, final String body)
    {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseSender().send(body);
    }

    private static String escapeHtml(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
            .replace("'", "&#39;");
    }
}
