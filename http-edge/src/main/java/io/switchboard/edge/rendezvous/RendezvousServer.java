package io.switchboard.edge.rendezvous;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeListener;
import io.switchboard.edge.limit.HostsPerMinuteLimiter;
import io.switchboard.edge.registry.Registry;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.switchboard.engine.pipeline.CommandReplies;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;

/**
 * The rendezvous HTTP listener: {@code HTTP -> route -> endpoint on a worker -> command into the engine's ring ->
 * the handler's answer -> JSON}. Every error is {@code {"ok":false,"error":"..."}} with the reference's status
 * (400 auth, 404 unknown, 405 method), or 429 / 503 for the limits it adds; never a 500.
 */
public final class RendezvousServer implements AutoCloseable
{
    public static final String LISTENER = "rendezvous";
    private static final Logger LOG = LoggerFactory.getLogger(RendezvousServer.class);
    private static final long MAX_BODY_BYTES = 16 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final RendezvousApi api;
    private final RendezvousCounters counters;
    private final HttpEdgeListener server;

    private RendezvousServer(
        final RendezvousContext context,
        final CommandPublisher commands,
        final CommandReplies replies,
        final Registry registry,
        final HttpEdge edge,
        final Metrics metrics,
        final ObjectMapper json)
    {
        this.counters = new RendezvousCounters(metrics);
        final long nonce = new SecureRandom().nextLong();
        registry.machine().attach(
            new PulseMachine(commands, nonce, context.registerGraceMs(), context.maxRegistrations()));
        this.api = new RendezvousApi(
            new PulseGateway(commands, replies, registry, nonce, context.engineTimeoutMs()),
            new HostsPerMinuteLimiter(context.rateLimitSlots(), context.registerRatePerMinute(), context.registerBurst()),
            counters,
            json);
        this.server = edge.listener(LISTENER, context.bindAddress(), context.port(), routes())
            .maxEntityBytes(MAX_BODY_BYTES)
            .maxHeaderBytes(MAX_HEADER_BYTES)
            .build();
    }

    /**
     * Attaches the pulse registrations' part to the registry's state machine; {@link #listen()} once the registry has
     * started. The engine with its {@link io.switchboard.engine.pulse.PulseServer} must be running.
     */
    public static RendezvousServer open(
        final RendezvousContext context,
        final CommandPublisher commands,
        final CommandReplies replies,
        final Registry registry,
        final HttpEdge edge,
        final Metrics metrics,
        final ObjectMapper json)
    {
        return new RendezvousServer(context, commands, replies, registry, edge, metrics, json);
    }

    public void listen()
    {
        server.start();
    }

    public int port()
    {
        return server.port();
    }

    private RoutingHandler routes()
    {
        final HttpHandler register = onWorker("register", api::register);
        final HttpHandler address = onWorker("peer_address", api::peerAddress);
        return Handlers.routing()
            .post("/register", register)
            .get("/register", register)
            .post("/verify", onWorker("verify", api::verify))
            .post("/logout", onWorker("logout", api::logout))
            .get("/peer/{id}/udp", address)
            .get("/peer/{id}/udp/address", address)
            .get("/peer/{id}/udp/status", onWorker("peer_status", api::peerStatus))
            .setFallbackHandler(exchange -> api.failure(exchange, 404, "not found"))
            .setInvalidMethodHandler(exchange -> api.failure(exchange, 405, "method not allowed"));
    }

    /** Counts the request and runs the endpoint on a worker thread: it waits for the engine's answer. */
    private HttpHandler onWorker(final String endpoint, final RendezvousApi.Endpoint handler)
    {
        final AtomicCounter requests = counters.requests(endpoint);
        return exchange ->
        {
            requests.increment();
            exchange.dispatch(() -> run(handler, exchange));
        };
    }

    private void run(final RendezvousApi.Endpoint handler, final HttpServerExchange exchange)
    {
        try
        {
            handler.handle(exchange);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            unavailable(exchange);
        }
        catch (final Exception ex)
        {
            LOG.warn("rendezvous request {} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), ex);
            unavailable(exchange);
        }
    }

    private void unavailable(final HttpServerExchange exchange)
    {
        if (!exchange.isResponseStarted())
        {
            api.failure(exchange, 503, "internal error; try again");
        }
    }

    @Override
    public void close()
    {
        server.close();
    }
}
