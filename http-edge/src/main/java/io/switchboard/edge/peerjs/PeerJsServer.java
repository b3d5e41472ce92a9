package io.switchboard.edge.peerjs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.ListenerAdmission;
import io.switchboard.edge.websocket.HttpExchange;
import io.switchboard.edge.websocket.PartialBudget;
import io.switchboard.edge.websocket.SignalingAcceptor;
import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.edge.websocket.SignalingAgents;
import io.switchboard.edge.websocket.WebSocketConnection;
import io.switchboard.edge.websocket.WebSocketHandshake;
import io.switchboard.edge.websocket.WebSocketUpgrade;
import io.switchboard.engine.config.BindAddresses;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Histogram;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.protocol.http.HttpRequestHead;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PeerJS listener, a drop-in for {@code peer@1.0.2}: {@code accept (SignalingAcceptor) -> HTTP/1.1 on a signaling
 * agent -> upgrade on {path}peerjs ? WebSocket -> Realm : PeerJsHttpApi}. All PeerJS state lives in the
 * {@link Realm}; the engine is not involved. The port's sockets belong to our own {@link SignalingAgents} from accept
 * on: HTTP requests, handshakes and WebSockets run on their threads, and nothing here blocks. Other WebSocket
 * protocols (dop) are {@link #mount}ed on the same port.
 */
public final class PeerJsServer implements AutoCloseable
{
    public static final String LISTENER = "peerjs";
    private static final int ACCEPT_BACKLOG = 4096;

    /** A WebSocket protocol served at one path of this port beside PeerJS (dop): its cap, settings and endpoints. */
    public interface Mount
    {
        /** Whether the protocol holds all the sockets it may (counted by the mount): the upgrade then gets 503. */
        boolean full();

        /** What the protocol's sockets share: frame limit, partial budget, close counters. */
        WebSocketConnection.Settings settings();

        /** The endpoint a new socket with the query's {@code id} and {@code key} delivers its messages to. */
        WebSocketConnection.Endpoint endpoint(String id, String key);
    }

    private final PeerJsContext context;
    private final PeerJsCounters counters;
    private final Realm realm;
    private final PeerJsHttpApi api;
    private final String websocketPath;
    private final WebSocketConnection.Settings websocketSettings;
    /** The threads that own the port's sockets, HTTP and WebSocket. */
    private final SignalingAgents agents;
    /** WebSocket paths of other protocols served on this port, such as dop. */
    private final Map<String, Mount> mounted = new ConcurrentHashMap<>();
    /** One per bind address ({@code --bind-address} may name an IPv4 and an IPv6 one), all on one port. */
    private final List<SignalingAcceptor> acceptors = new ArrayList<>();

    private PeerJsServer(
        final PeerJsContext context,
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
        final Histogram relayTime = metrics.histogram("switchboard_peerjs_relay_seconds", "",
            "Server time of each relayed PeerJS or dop frame: its signaling agent's duty cycle, from reading the " +
            "frame's bytes to writing it to the destination socket.", Histogram.LATENCY_SECONDS);
        for (final SignalingAgent owner : owners)
        {
            owner.measureRelays(relayTime);
        }
        this.realm = new Realm(context, counters, owners);
        this.api = new PeerJsHttpApi(context, realm, counters, json);
        this.websocketPath = context.path() + "peerjs";
        this.websocketSettings = new WebSocketConnection.Settings(
            context.maxFrameBytes(), partials, counters.closedFrameTooLarge, counters.closedProtocolError);
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
        final PeerJsServer peerjs = new PeerJsServer(context, metrics, json, partials, liveness);
        try
        {
            final ListenerAdmission admission = edge.admission(LISTENER);
            int port = context.port();
            for (final InetAddress address : BindAddresses.resolve(context.bindAddress()))
            {
                final SignalingAcceptor acceptor = SignalingAcceptor.start(
                    LISTENER, address, port, ACCEPT_BACKLOG, admission, peerjs.agents, peerjs::route,
                    edge.tlsOf(LISTENER));
                peerjs.acceptors.add(acceptor);
                port = acceptor.port();
            }
        }
        catch (final RuntimeException ex)
        {
            peerjs.close();
            throw ex;
        }
        return peerjs;
    }

    public int port()
    {
        return acceptors.get(0).port();
    }

    /** The realm, for another protocol that carries PeerJS signaling into the same id space. */
    public Realm realm()
    {
        return realm;
    }

    /** Serves another protocol's WebSocket upgrades at exactly {@code path} on this port. */
    public void mount(final String path, final Mount mount)
    {
        if (path.equals(websocketPath) || mounted.putIfAbsent(path, mount) != null)
        {
            throw new IllegalArgumentException("WebSocket path " + path + " is already served on the peerjs port");
        }
    }

    /** Upgrades go to a WebSocket path only (elsewhere 400, as {@code ws} answers); the rest is HTTP API. */
    private void route(final HttpExchange exchange)
    {
        final HttpRequestHead request = exchange.request();
        final String upgrade = request.header("Upgrade");
        if (upgrade == null || !"websocket".equalsIgnoreCase(upgrade))
        {
            api.onRequest(exchange);
            return;
        }
        final String path = PeerJsHttpApi.path(request);
        final Mount other = mounted.get(path);
        if (other != null)
        {
            upgradeMounted(exchange, other);
        }
        else if (!path.equals(websocketPath))
        {
            exchange.send(400, PeerJsHttpApi.TEXT, "Bad Request");
        }
        else if (realm.openSockets() >= context.maxConnections())
        {
            counters.httpTooManyConnections.increment();
            exchange.send(503, PeerJsHttpApi.TEXT, "Too many connections");
        }
        else if (handshakeAccepted(exchange))
        {
            final WsQuery query = WsQuery.parse(request.query());
            final WebSocketUpgrade upgraded = WebSocketHandshake.accept(exchange);
            if (upgraded != null)
            {
                onConnect(upgraded, query);
            }
        }
    }

    /**
     * For a protocol mounted on this port: 503 when it is full, else the WebSocket handshake as for PeerJS (400 or
     * 426 when it is not one); then the socket is a WebSocket with the mount's settings, owned by the agent that owns
     * the query's {@code id}; the endpoint the mount makes from the query's {@code id} and {@code key} hears it.
     */
    private void upgradeMounted(final HttpExchange exchange, final Mount mount)
    {
        if (mount.full())
        {
            exchange.send(503, PeerJsHttpApi.TEXT, "Too many connections");
            return;
        }
        if (handshakeAccepted(exchange))
        {
            final WsQuery query = WsQuery.parse(exchange.request().query());
            final WebSocketUpgrade upgraded = WebSocketHandshake.accept(exchange);
            if (upgraded != null)
            {
                final WebSocketConnection.Endpoint endpoint = mount.endpoint(query.id(), query.key());
                final WebSocketConnection websocket =
                    upgraded.connect(endpoint, mount.settings(), agents.at(realm.owner(query.id())));
                endpoint.attach(websocket);
                websocket.start();
            }
        }
    }

    /** Whether the request is a valid opening handshake; if not, it is answered 426 or 400 saying why. */
    private static boolean handshakeAccepted(final HttpExchange exchange)
    {
        final String problem = WebSocketHandshake.problem(exchange.request());
        if (problem == null)
        {
            return true;
        }
        if (problem.equals(WebSocketHandshake.VERSION_MISMATCH))
        {
            exchange.header("Sec-WebSocket-Version", "13");
            exchange.send(426, PeerJsHttpApi.TEXT, problem);
        }
        else
        {
            exchange.send(400, PeerJsHttpApi.TEXT, problem);
        }
        return false;
    }

    /**
     * Every new PeerJS socket comes here once its 101 is out: it becomes a WebSocket of the agent that owns the id its
     * query names (handed over when another agent completed its handshake), whose realm shard admits it as that agent
     * starts reading it.
     */
    private void onConnect(final WebSocketUpgrade upgraded, final WsQuery query)
    {
        final int owner = realm.owner(query.id());
        final PeerSocket socket = new PeerSocket(realm.shard(owner), query);
        final WebSocketConnection websocket = upgraded.connect(socket, websocketSettings, agents.at(owner));
        socket.attach(websocket);
        realm.socketOpened();
        websocket.start();
    }

    @Override
    public void close()
    {
        acceptors.forEach(SignalingAcceptor::close);
        agents.close();
    }
}
