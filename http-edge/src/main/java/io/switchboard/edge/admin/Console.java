package io.switchboard.edge.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.registry.Registry;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The live console on the admin listener: {@code GET /} is one page (HTML, our script, uPlot vendored from its npm
 * package through Maven), which opens {@code GET /console/stream}, a server-sent event stream of one snapshot a second
 * ({@link ConsoleSeries}: per-protocol totals the page turns into rates, levels, drops by series, every thread's
 * liveness and the listeners). The snapshots are made by one feed agent on its own thread, only while someone
 * watches; at most {@code --console-max-viewers} streams are open at once, more get 503, counted.
 */
public final class Console implements Agent, AutoCloseable
{
    public static final int DEFAULT_MAX_VIEWERS = 8;
    static final String THREAD = "switchboard-console";
    private static final long PERIOD_MS = 1_000;
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'";

    private final ConsoleSeries series;
    private final Liveness liveness;
    /** The listeners as the ready line names them, once every one is bound. */
    private volatile Map<String, String> listeners = Map.of();
    private volatile Supplier<Registry.Status> cluster = () -> null;
    private final BooleanSupplier running;
    private final ObjectMapper json;
    private final int maxViewers;
    private final AtomicCounter refused;
    private final ServerSentEventHandler events = Handlers.serverSentEvents();
    private final Map<String, Asset> assets = new LinkedHashMap<>();
    private final AgentRunner runner;
    private long nextMs;

    /** A file the page needs, read once. */
    private record Asset(String contentType, ByteBuffer bytes)
    {
    }

    /** The snapshot a viewer receives each second; {@code cluster} only for a cluster member. */
    record Snapshot(
        long timeMs, String status, Map<String, Long> rates, Map<String, Long> levels, Map<String, Long> drops,
        List<AdminServer.Agent> agents, Map<String, String> listeners,
        @JsonInclude(JsonInclude.Include.NON_NULL) Registry.Status cluster)
    {
    }

    /** @param running false once the appliance is stopping */
    public Console(
        final Metrics metrics, final Liveness liveness, final BooleanSupplier running, final ObjectMapper json,
        final int maxViewers)
    {
        this.series = new ConsoleSeries(metrics);
        this.liveness = liveness;
        this.running = running;
        this.json = json;
        this.maxViewers = maxViewers;
        this.refused = metrics.counter("switchboard_console_viewers_refused_total", "",
            "Console streams refused: --console-max-viewers were open.");
        assets.put("/", asset("console/index.html", "text/html; charset=utf-8"));
        assets.put("/console/console.js", asset("console/console.js", "text/javascript; charset=utf-8"));
        assets.put("/console/console.css", asset("console/console.css", "text/css; charset=utf-8"));
        assets.put("/console/uPlot.iife.min.js", asset(UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"));
        assets.put("/console/uPlot.min.css", asset(UPLOT + "uPlot.min.css", "text/css; charset=utf-8"));
        final Watch watch = liveness.register(THREAD);
        runner = new AgentRunner(new SleepingMillisIdleStrategy(50), watch, null, this);
        AgentRunner.startOnThread(runner, runnable ->
        {
            final Thread thread = new Thread(runnable, THREAD);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Every listener is bound: the snapshots name them (as the ready line does) from now on. */
    public void listeners(final Map<String, String> ready)
    {
        listeners = Map.copyOf(ready);
    }

    /** Where this node stands in its cluster (null for one box): the snapshots show it from now on. */
    public void cluster(final Supplier<Registry.Status> status)
    {
        cluster = status;
    }

    /** The page and its files, by path (404 for a path that is not one). */
    HttpHandler assets()
    {
        return exchange ->
        {
            final Asset asset = assets.get(exchange.getRequestPath());
            if (asset == null)
            {
                exchange.setStatusCode(404);
                exchange.getResponseSender().send("not found\n");
                return;
            }
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, asset.contentType());
            exchange.getResponseHeaders().put(new HttpString("Content-Security-Policy"), CSP);
            exchange.getResponseHeaders().put(new HttpString("X-Content-Type-Options"), "nosniff");
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
            exchange.getResponseSender().send(asset.bytes().duplicate());
        };
    }

    /** The snapshot stream; over {@code --console-max-viewers} open streams, 503. */
    HttpHandler stream()
    {
        return exchange ->
        {
            if (events.getConnections().size() >= maxViewers)
            {
                refused.increment();
                exchange.setStatusCode(503);
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
                exchange.getResponseSender().send("too many console viewers\n");
                return;
            }
            events.handleRequest(exchange);
        };
    }

    @Override
    public String roleName()
    {
        return THREAD;
    }

    /** Once a second while someone watches: a snapshot to every open stream. */
    @Override
    public int doWork() throws JsonProcessingException
    {
        final long now = System.currentTimeMillis();
        if (now < nextMs || events.getConnections().isEmpty())
        {
            return 0;
        }
        nextMs = now + PERIOD_MS;
        final String data = json.writeValueAsString(snapshot(now));
        for (final ServerSentEventConnection viewer : events.getConnections())
        {
            viewer.send(data);
        }
        return 1;
    }

    Snapshot snapshot(final long nowMs)
    {
        final Registry.Status clusterStatus = cluster.get();
        final String status = !liveness.allAlive() ? "failed" : !running.getAsBoolean() ? "stopping" :
            clusterStatus != null && !clusterStatus.working() ? "no-cluster" : "ok";
        return new Snapshot(nowMs, status, series.rates(), series.levels(), series.drops(),
            liveness.watches().stream().map(AdminServer.Agent::of).toList(), listeners, clusterStatus);
    }

    ConsoleSeries series()
    {
        return series;
    }

    @Override
    public void close()
    {
        for (final ServerSentEventConnection viewer : events.getConnections())
        {
            CloseHelper.quietClose(viewer);
        }
        CloseHelper.quietClose(runner);
    }

    private static Asset asset(final String resource, final String contentType)
    {
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("the console's " + resource + " is missing from the jar");
            }
            final byte[] bytes = in.readAllBytes();
            return new Asset(contentType, ByteBuffer.wrap(bytes).asReadOnlyBuffer());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
