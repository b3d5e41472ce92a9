package io.switchboard.edge.admin;

import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeListener;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import io.undertow.Handlers;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;

import java.util.function.BooleanSupplier;

/** The operator's listener: {@code GET /healthz} for load balancers and {@code GET /metrics} for Prometheus. */
public final class AdminServer implements AutoCloseable
{
    private final HttpEdgeListener server;

    /** @param beforeScrape refreshes counters read from outside the process (the kernel's) before each scrape */
    public AdminServer(
        final HttpEdge edge,
        final String bindAddress,
        final int port,
        final Metrics metrics,
        final BooleanSupplier healthy,
        final Runnable beforeScrape)
    {
        final RoutingHandler routes = Handlers.routing()
            .get("/healthz", exchange -> health(exchange, healthy.getAsBoolean()))
            // A worker thread: the scrape reads files under /proc first.
            .get("/metrics", exchange -> exchange.dispatch(() ->
            {
                beforeScrape.run();
                metrics(exchange, metrics);
            }))
            .setFallbackHandler(exchange -> plain(exchange, 404, "not found\n"))
            .setInvalidMethodHandler(exchange -> plain(exchange, 405, "method not allowed\n"));
        server = edge.adminListener(bindAddress, port, routes).ioThreads(1).workerThreads(2).build();
        server.start();
    }

    public int port()
    {
        return server.port();
    }

    private static void health(final HttpServerExchange exchange, final boolean healthy)
    {
        exchange.setStatusCode(healthy ? 200 : 503);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(healthy ? "{\"status\":\"ok\"}" : "{\"status\":\"stopping\"}");
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
