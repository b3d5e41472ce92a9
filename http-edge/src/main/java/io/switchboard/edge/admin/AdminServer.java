package io.switchboard.edge.admin;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;

import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;

/**
 * The operator's listener: {@code GET /healthz} for load balancers, {@code GET /metrics} for Prometheus and
 * {@code POST /backup} for online backups.
 */
public final class AdminServer implements AutoCloseable
{
    private final Undertow server;

    /**
     * @param beforeScrape refreshes counters read from outside the process (the kernel's) before each scrape
     * @param backup       answers {@code POST /backup}
     */
    public AdminServer(
        final String bindAddress,
        final int port,
        final Metrics metrics,
        final BooleanSupplier healthy,
        final Runnable beforeScrape,
        final HttpHandler backup)
    {
        final RoutingHandler routes = Handlers.routing()
            .get("/healthz", exchange -> health(exchange, healthy.getAsBoolean()))
            // A worker thread: the scrape reads files under /proc first.
            .get("/metrics", exchange -> exchange.dispatch(() ->
            {
                beforeScrape.run();
                metrics(exchange, metrics);
            }))
            .post("/backup", backup)
            .setFallbackHandler(exchange -> plain(exchange, 404, "not found\n"))
            .setInvalidMethodHandler(exchange -> plain(exchange, 405, "method not allowed\n"));
        server = Undertow.builder()
            .addHttpListener(port, bindAddress)
            .setIoThreads(1)
            .setWorkerThreads(2)
            .setHandler(routes)
            .build();
        server.start();
    }

    public int port()
    {
        return ((InetSocketAddress)server.getListenerInfo().get(0).getAddress()).getPort();
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
        server.stop();
    }
}
