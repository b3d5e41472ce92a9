package io.switchboard.edge.peerjs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.websocket.HttpExchange;
import io.switchboard.edge.websocket.HttpService;
import io.switchboard.protocol.http.HttpRequestHead;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/**
 * The PeerJS HTTP API under {@code {path}} (spec 2): {@code GET {path}} with the server's description,
 * {@code GET {path}{key}/id} with a fresh UUID, {@code GET {path}{key}/peers} when discovery is on, CORS on every
 * response, an Express-like 404 for anything else. The key is not checked here, as in the reference. Runs on the
 * signaling agent that owns the connection; answers at once.
 */
final class PeerJsHttpApi implements HttpService
{
    static final String INFO = "{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker " +
        "connections between PeerJS clients.\",\"website\":\"https://peerjs.com/\"}";
    private static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    private static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    private static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    private static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
    private static final String VARY = "Vary";
    static final String TEXT = "text/plain; charset=utf-8";
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
    public void onRequest(final HttpExchange exchange)
    {
        final HttpRequestHead request = exchange.request();
        final String path = path(request);
        final boolean mounted = path.equals(prefix) || path.startsWith(prefix + "/");
        if (mounted)
        {
            cors(exchange);
            if (request.isMethod("OPTIONS"))
            {
                preflight(exchange);
                return;
            }
        }
        final boolean read = request.isMethod("GET") || request.isMethod("HEAD");
        if (!mounted || !read)
        {
            notFound(exchange, path);
            return;
        }
        final String rest = trimSlash(path.substring(prefix.length()));
        if (rest.isEmpty())
        {
            counters.httpInfo.increment();
            exchange.send(200, JSON, INFO);
            return;
        }
        final int slash = rest.indexOf('/');
        final String route = slash <= 0 ? "" : rest.substring(slash + 1);
        if ("id".equals(route))
        {
            counters.httpId.increment();
            exchange.send(200, HTML, freshId());
        }
        else if ("peers".equals(route))
        {
            counters.httpPeers.increment();
            if (context.allowDiscovery())
            {
                final List<String> ids = realm.registeredIds();
                exchange.send(200, JSON, json(ids));
            }
            else
            {
                exchange.send(401, TEXT, "Unauthorized");
            }
        }
        else
        {
            notFound(exchange, path);
        }
    }

    /** The request's path, percent-decoded, as Express routes it. */
    static String path(final HttpRequestHead request)
    {
        final String raw = request.path();
        return raw.indexOf('%') < 0 ? raw : WsQuery.decodePath(raw);
    }

    private String json(final List<String> ids)
    {
        try
        {
            return json.writeValueAsString(ids);
        }
        catch (final JsonProcessingException ex)
        {
            throw new UncheckedIOException(ex);
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
    private void cors(final HttpExchange exchange)
    {
        final String origin = exchange.request().header("Origin");
        if (origin != null && (context.corsOrigins().isEmpty() || context.corsOrigins().contains(origin)))
        {
            exchange.header(ALLOW_ORIGIN, origin);
        }
        exchange.header(VARY, "Origin");
    }

    private void preflight(final HttpExchange exchange)
    {
        counters.httpPreflight.increment();
        exchange.removeHeader(VARY);
        exchange.header(VARY, "Origin, Access-Control-Request-Headers");
        final String requested = exchange.request().header(REQUEST_HEADERS);
        if (requested != null)
        {
            exchange.header(ALLOW_HEADERS, requested);
        }
        exchange.header(ALLOW_METHODS, "GET,HEAD,PUT,PATCH,POST,DELETE");
        exchange.sendEmpty(204);
    }

    private void notFound(final HttpExchange exchange, final String path)
    {
        counters.httpNotFound.increment();
        final String target = exchange.request().method() + " " + path;
        exchange.header("Content-Security-Policy", "default-src 'none'");
        exchange.header("X-Content-Type-Options", "nosniff");
        exchange.send(404, HTML, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
            "<title>Error</title>\n</head>\n<body>\n<pre>Cannot " + escapeHtml(target) + "</pre>\n</body>\n</html>\n");
    }

    private static String escapeHtml(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
            .replace("'", "&#39;");
    }
}
