package io.switchboard.edge.peerjs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.http.WatchedHandler;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeListener;
import io.switchboard.edge.websocket.PartialBudget;
import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.edge.websocket.SignalingAgents;
import io.switchboard.edge.websocket.WebSocketConnection;
import io.switchboard.edge.websocket.WebSocketHandshake;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.xnio.StreamConnection;

import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PeerJS listener, a drop-in for {@code peer@1.0.2}: {@code HTTP -> upgrade on {path}peerjs ? WebSocket ->
 * Realm : PeerJsHttpApi}. All PeerJS state lives in the {@link Realm}; the engine is not involved. HTTP and handshakes
 * run on Undertow's IO threads, each WebSocket after its handshake on one of our {@link SignalingAgents}: nothing here
 * blocks.
 */
public final class PeerJsServer implements AutoCloseable
{
    public static final String LISTENER = "peerjs";
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int ACCEPT_BACKLOG = 4096;
    /** The API reads no bodies; a larger one is refused rather than drained. */
    private static final long MAX_BODY_BYTES = 64 * 1024;

    private final PeerJsContext context;
    private final PeerJsCounters counters;
    private final Realm realm;
    private final HttpHandler api;
    private final String websocketPath;
    private final WebSocketConnection.Settings websocketSettings;
    /** The threads that own PeerJS sockets once their handshake is done. */
    private final SignalingAgents agents;
    /** WebSocket paths of other protocols served on this port, such as dop, to their upgrade handlers. */
    private final Map<String, HttpHandler> mounted = new ConcurrentHashMap<>();
    private final HttpEdgeListener server;

    private PeerJsServer(
        final PeerJsContext context,
        final HttpEdge edge,
        final Metrics metrics,
        final ObjectMapper json,
        final PartialBudget partials,
        final Liveness liveness)
    {
        this.context = context;
        this.counters = new PeerJsCounters(metrics);
        this.agents = new SignalingAgents(context.ioThreads(), "switchboard-peerjs-sockets", liveness);
        final SignalingAgent[] owners = new SignalingAgent[agents.count()];
        Arrays.setAll(owners, agents::at);
        this.realm = new Realm(context, counters, owners);
        this.api = new PeerJsHttpApi(context, realm, counters, json);
        this.websocketPath = context.path() + "peerjs";
        this.websocketSettings = new WebSocketConnection.Settings(
            context.maxFrameBytes(), partials, counters.closedFrameTooLarge, counters.closedProtocolError);
        final HttpHandler root = new WatchedHandler(this::route, liveness.register("switchboard-peerjs-http"));
        this.server = edge.listener(LISTENER, context.bindAddress(), context.port(), root)
            .ioThreads(context.ioThreads())
            .maxHeaderBytes(MAX_HEADER_BYTES)
            .maxEntityBytes(MAX_BODY_BYTES)
            .backlog(ACCEPT_BACKLOG)
            .build();
    }

    /**
     * Listens on {@code --peerjs-port}; its sockets hold unfinished messages within {@code partials}, its threads
     * report to {@code liveness}.
     */
    public static PeerJsServer start(
        final PeerJsContext context,
        final HttpEdge edge,
        final Metrics metrics,
        final ObjectMapper json,
        final PartialBudget partials,
        final Liveness liveness)
    {
        final PeerJsServer peerjs = new PeerJsServer(context, edge, metrics, json, partials, liveness);
        try
        {
            peerjs.server.start();
        }
        catch (final RuntimeException ex)
        {
            peerjs.agents.close();
            throw ex;
        }
        return peerjs;
    }

    public int port()
    {
        return server.port();
    }

    /** The realm, for another protocol that carries PeerJS signaling into the same id space. */
    public Realm realm()
    {
        return realm;
    }

    /** Serves another protocol's WebSocket upgrades at exactly {@code path} on this port. */
    public void mount(final String path, final HttpHandler upgrades)
    {
        if (path.equals(websocketPath) || mounted.putIfAbsent(path, upgrades) != null)
        {
            throw new IllegalArgumentException("WebSocket path " + path + " is already served on the peerjs port");
        }
    }

    /** Upgrades go to a WebSocket path only (elsewhere 400, as {@code ws} answers); the rest is HTTP API. */
    private void route(final HttpServerExchange exchange) throws Exception
    {
        final String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        final HttpHandler other = mounted.get(exchange.getRequestPath());
        if (upgrade == null || !"websocket".equalsIgnoreCase(upgrade))
        {
            api.handleRequest(exchange);
        }
        else if (other != null)
        {
            exchange.addExchangeCompleteListener(PeerJsServer::forgetHeaders);
            other.handleRequest(exchange);
        }
        else if (!exchange.getRequestPath().equals(websocketPath))
        {
            PeerJsHttpApi.send(exchange, 400, "text/plain; charset=utf-8", "Bad Request");
        }
        else if (realm.openSockets() >= context.maxConnections())
        {
            counters.httpTooManyConnections.increment();
            PeerJsHttpApi.send(exchange, 503, "text/plain; charset=utf-8", "Too many connections");
        }
        else if (handshakeAccepted(exchange))
        {
            final WsQuery query = WsQuery.parse(exchange.getQueryString());
            WebSocketHandshake.accept(exchange, (connection, upgraded) -> onConnect(connection, query));
        }
    }

    /**
     * For a protocol mounted on this port: completes the WebSocket handshake as for PeerJS (400 or 426 when it is
     * not one), then the socket is owned by one of this listener's signaling agents with {@code settings}; the
     * endpoint {@code endpoints} makes from the query's {@code id} and {@code key} hears its messages.
     */
    public void upgrade(
        final HttpServerExchange exchange,
        final WebSocketConnection.Settings settings,
        final BiFunction<String, String, WebSocketConnection.Endpoint> endpoints)
    {
        if (handshakeAccepted(exchange))
        {
            final WsQuery query = WsQuery.parse(exchange.getQueryString());
            WebSocketHandshake.accept(exchange, (connection, upgraded) ->
            {
                final WebSocketConnection.Endpoint endpoint = endpoints.apply(query.id(), query.key());
                final WebSocketConnection websocket = new WebSocketConnection(connection,
                    server.countedUntilClosed(connection, endpoint), settings, agents.at(realm.owner(query.id())));
                endpoint.attach(websocket);
                websocket.start();
            });
        }
    }

    /** Whether the request is a valid opening handshake; if not, it is answered 426 or 400 saying why. */
    private static boolean handshakeAccepted(final HttpServerExchange exchange)
    {
        final String problem = WebSocketHandshake.problem(exchange);
        if (problem == null)
        {
            return true;
        }
        if (problem.equals(WebSocketHandshake.VERSION_MISMATCH))
        {
            exchange.getResponseHeaders().put(Headers.SEC_WEB_SOCKET_VERSION, "13");
            PeerJsHttpApi.send(exchange, 426, "text/plain; charset=utf-8", problem);
        }
        else
        {
            PeerJsHttpApi.send(exchange, 400, "text/plain; charset=utf-8", problem);
        }
        return false;
    }

    /**
     * Undertow keeps an upgraded exchange for the socket's life: its headers, parsed query and paths are dead weight
     * by then (the query string itself is read once more when the socket connects).
     */
    private static void forgetHeaders(final HttpServerExchange exchange, final ExchangeCompletionListener.NextListener next)
    {
        exchange.getRequestHeaders().clear();
        exchange.getResponseHeaders().clear();
        exchange.getQueryParameters().clear();
        exchange.getPathParameters().clear();
        exchange.setRequestURI("");
        exchange.setRequestPath("");
        exchange.setRelativePath("");
        exchange.setResolvedPath("");
        next.proceed();
    }

    /**
     * The 101 is out: our own WebSocket framing takes the raw connection (see {@link WebSocketConnection}), on the
     * agent that owns the id the query names; that agent's realm shard admits it as it starts reading.
     */
    private void onConnect(final StreamConnection connection, final WsQuery query)
    {
        final int owner = realm.owner(query.id());
        final PeerSocket socket = new PeerSocket(realm.shard(owner), query.id(), query.token(), query.key());
        final WebSocketConnection websocket = new WebSocketConnection(
            connection, server.countedUntilClosed(connection, socket), websocketSettings, agents.at(owner));
        socket.attach(websocket);
        realm.socketOpened();
        websocket.start();
    }

    @Override
    public void close()
    {
        server.close();
        agents.close();
    }
}
