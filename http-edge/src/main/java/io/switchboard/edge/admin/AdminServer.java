package io.switchboard.edge.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeListener;
import io.switchboard.edge.http.WatchedHandler;
import io.switchboard.edge.registry.Registry;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.List;
import java.util.function.Supplier;
import java.util.function.BooleanSupplier;

/**
 * The operator's listener: {@code GET /healthz} for load balancers and supervisors (every agent's liveness; 503 when
 * one failed or the appliance is stopping), {@code GET /metrics} for Prometheus, {@code POST /backup} for online
 * backups, and the live {@link Console} at {@code GET /}.
 */
public final class AdminServer implements AutoCloseable
{
    private final HttpEdgeListener server;

    /**
     * The body of {@code /healthz}: {@code status} is {@code ok}, {@code failed}, {@code stopping} or, for a cluster
     * member outside a working cluster, {@code no-cluster}; {@code cluster} only for a cluster member.
     */
    record Health(String status, List<Agent> agents, @JsonInclude(JsonInclude.Include.NON_NULL) Registry.Status cluster)
    {
    }

    /** One agent's liveness: {@code state} is {@code alive} or {@code failed}; {@code lastError} may be null. */
    record Agent(String name, String state, long errors, String lastError)
    {
        static Agent of(final Watch watch)
        {
            final Throwable last = watch.lastError();
            return new Agent(watch.name(), watch.failed() ? "failed" : "alive", watch.errors(),
                last == null ? null : last.toString());
        }
    }

    /**
     * @param running      false once the appliance is stopping
     * @param beforeScrape refreshes counters read from outside the process (the kernel's) before each scrape
     * @param backup       answers {@code POST /backup}
     */
    public AdminServer(
        final HttpEdge edge,
        final String bindAddress,
        final int port,
        final Metrics metrics,
        final Liveness liveness,
        final BooleanSupplier running,
        final ObjectMapper json,
        final Runnable beforeScrape,
        final HttpHandler backup,
        final Console console,
        final Supplier<Registry.Status> cluster)
    {
        final HttpHandler routes = new WatchedHandler(Handlers.routing()
            .get("/healthz", exchange -> health(exchange, liveness, running.getAsBoolean(), cluster.get(), json))
            // A worker thread: the scrape reads files under /proc first.
            .get("/metrics", exchange -> exchange.dispatch(() ->
            {
                beforeScrape.run();
                metrics(exchange, metrics);
            }))
            .post("/backup", backup)
            .get("/", console.assets())
            .get("/console/stream", console.stream())
            .get("/console/{file}", console.assets())
            .setFallbackHandler(exchange -> plain(exchange, 404, "not found\n"))
            .setInvalidMethodHandler(exchange -> plain(exchange, 405, "method not allowed\n")),
            liveness.register("switchboard-admin-http"));
        server = edge.adminListener(bindAddress, port, routes).ioThreads(1).workerThreads(2).build();
        server.start();
    }

    public int port()
    {
        return server.port();
    }

    private static void health(
        final HttpServerExchange exchange, final Liveness liveness, final boolean running,
        final Registry.Status cluster, final ObjectMapper json)
        throws JsonProcessingException
    {
        final boolean alive = liveness.allAlive();
        final boolean clustered = cluster == null || cluster.working();
        final Health health = new Health(
            !alive ? "failed" : !running ? "stopping" : !clustered ? "no-cluster" : "ok",
            liveness.watches().stream().map(Agent::of).toList(), cluster);
        exchange.setStatusCode(alive && running && clustered ? 200 : 503);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(json.writeValueAsString(health));
    }

    private static void metrics(final HttpServerExchange exchange, final Metrics metrics)
    {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, PrometheusText.CONTENT_TYPE);
        exchange.getResponseSender().send(PrometheusText.render(metrics));
    }

    private static void plain(final HttpServerExchange exchange, final int status, final String body)
    {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(body);
    }

    @Override
    public void close()
    {
        server.close();
    }
}
