package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.RoutingHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The metaverse domain API listener: {@code HTTP -> route -> read body on the IO thread -> endpoint on a worker ->
 * registry (and, for keys, a command into the engine's ring)}. On start it hands every stored key to the ICE engine
 * before it listens, so a domain's first ICE heartbeat after a restart is verified; a sweeper removes temporary
 * domains silent past their TTL.
 */
public final class MetaverseServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(MetaverseServer.class);
    private static final long MAX_SWEEP_INTERVAL_MS = 60_000;
    private static final int REQUEST_PARSE_TIMEOUT_MS = 10_000;
    private static final int IDLE_TIMEOUT_MS = 60_000;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final long SHUTDOWN_WAIT_MS = 5_000;
    private static final byte[] NO_BODY = new byte[0];

    private final MetaverseContext context;
    private final DomainRegistry registry;
    private final MetaverseCounters counters;
    private final Replies replies;
    private final DomainApi api;
    private final LongSupplier clock;
    private final ScheduledExecutorService sweeper;
    private final Undertow server;

    private MetaverseServer(
        final MetaverseContext context,
        final Path registryFile,
        final CommandPublisher commands,
        final Metrics metrics,
        final ObjectMapper json)
    {
        this.context = context;
        this.clock = System::currentTimeMillis;
        this.counters = new MetaverseCounters(metrics);
        this.replies = new Replies(json, counters);
        this.registry = new DomainRegistry(registryFile, context.maxDomains());
        this.api = new DomainApi(context, registry, commands, json, replies, counters, clock);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "switchboard-metaverse-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        this.server = Undertow.builder()
            .addHttpListener(context.port(), context.bindAddress())
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long)context.maxBodyBytes())
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, REQUEST_PARSE_TIMEOUT_MS)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, IDLE_TIMEOUT_MS)
            .setHandler(routes())
            .build();
    }

    /**
     * Opens the registry, drops expired temporary domains, publishes every stored key into the engine, then listens.
     *
     * @param registryFile the Chronicle Map file, in the data dir
     */
    public static MetaverseServer start(
        final MetaverseContext context,
        final Path registryFile,
        final CommandPublisher commands,
        final Metrics metrics,
        final ObjectMapper json)
    {
        final MetaverseServer metaverse = new MetaverseServer(context, registryFile, commands, metrics, json);
        try
        {
            metaverse.sweep();
            metaverse.publishStoredKeys(commands);
            metaverse.server.start();
            final long intervalMs = Math.min(MAX_SWEEP_INTERVAL_MS, context.tempDomainTtlSeconds() * 1000);
            metaverse.sweeper.scheduleWithFixedDelay(metaverse::sweep, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
        catch (final RuntimeException ex)
        {
            metaverse.close();
            throw ex;
        }
        return metaverse;
    }

    public int port()
    {
        return ((InetSocketAddress)server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private RoutingHandler routes()
    {
        final HttpHandler metaverseInfo = onWorker("metaverse_info", api::metaverseInfo);
        return Handlers.routing()
            .post("/api/v1/domains/temporary", withBody("temporary_create", api::createTemporary))
            .post("/api/v1/domains", withBody("domain_create", api::createNamed))
            .get("/api/v1/domains", onWorker("domain_list", api::listDomains))
            .get("/api/v1/domains/{id}", onWorker("domain_read", api::readDomain))
            .put("/api/v1/domains/{id}", withBody("heartbeat", api::heartbeat))
            .delete("/api/v1/domains/{id}", onWorker("domain_delete", api::deleteDomain))
            .put("/api/v1/domains/{id}/ice_server_address", withBody("ice_server_address", api::setIceServerAddress))
            .get("/api/v1/domains/{id}/public_key", onWorker("public_key_read", api::readPublicKey))
            .put("/api/v1/domains/{id}/public_key", withBody("public_key_upload", api::uploadPublicKey))
            .get("/api/metaverse_info", metaverseInfo)
            .get("/api/v1/metaverse_info", metaverseInfo)
            .setFallbackHandler(exchange -> replies.failure(exchange, Failure.NO_ROUTE, "Not found"))
            .setInvalidMethodHandler(exchange -> replies.failure(exchange, Failure.BAD_METHOD, "Method not allowed"));
    }

    /** Counts the request and runs the endpoint on a worker thread: registry access may wait for a segment lock. */
    private HttpHandler onWorker(final String endpoint, final DomainApi.Endpoint handler)
    {
        final AtomicCounter requests = counters.requests(endpoint);
        return exchange ->
        {
            requests.increment();
            exchange.dispatch(() -> run(handler, exchange, NO_BODY));
        };
    }

    /**
     * Counts the request, reads its whole body without blocking the IO thread (refusing more than the limit with
     * 413), then runs the endpoint on a worker thread.
     */
    private HttpHandler withBody(final String endpoint, final DomainApi.Endpoint handler)
    {
        final AtomicCounter requests = counters.requests(endpoint);
        final int maxBytes = context.maxBodyBytes();
        return exchange ->
        {
            requests.increment();
            if (exchange.getRequestContentLength() > maxBytes)
            {
                tooLarge(exchange);
                return;
            }
            exchange.setMaxEntitySize(maxBytes);
            exchange.getRequestReceiver().receiveFullBytes(
                (received, body) -> received.dispatch(() -> run(handler, received, body)),
                (failed, error) ->
                {
                    if (error instanceof RequestTooBigException)
                    {
                        tooLarge(failed);
                    }
                    else
                    {
                        failed.setPersistent(false);
                        replies.failure(failed, Failure.BAD_REQUEST, "request body could not be read");
                    }
                });
        };
    }

    private void tooLarge(final HttpServerExchange exchange)
    {
        // The rest of the body is never read, so the connection cannot carry another request.
        exchange.setPersistent(false);
        replies.failure(exchange, Failure.BODY_TOO_LARGE, "request body exceeds " + context.maxBodyBytes() + " bytes");
    }

    private void run(final DomainApi.Endpoint handler, final HttpServerExchange exchange, final byte[] body)
    {
        try
        {
            handler.handle(exchange, body);
        }
        catch (final Exception ex)
        {
            LOG.warn("metaverse request {} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), ex);
            if (!exchange.isResponseStarted())
            {
                replies.failure(exchange, Failure.INTERNAL_ERROR, "internal error");
            }
        }
    }

    private void publishStoredKeys(final CommandPublisher commands)
    {
        for (final DomainRecord record : registry.all())
        {
            if (record.publicKey != null)
            {
                commands.publishDomainKey(record.id.getMostSignificantBits(), record.id.getLeastSignificantBits(),
                    DomainKeyCommand.ORIGIN_LOCAL, record.publicKey);
                counters.keysPublished.increment();
            }
        }
        counters.domains.set(registry.size());
    }

    /** Removes temporary domains silent longer than the TTL; the engine forgets their keys and peers. */
    void sweep()
    {
        try
        {
            final long cutoffMs = clock.getAsLong() - context.tempDomainTtlSeconds() * 1000;
            final int removed = registry.removeTemporarySilentSince(cutoffMs, api::publishRemoved);
            if (removed > 0)
            {
                counters.removedExpired.getAndAdd(removed);
                counters.domains.set(registry.size());
            }
        }
        catch (final RuntimeException ex)
        {
            // A failed sweep must not cancel the next ones.
            LOG.warn("metaverse sweep failed", ex);
        }
    }

    @Override
    public void close()
    {
        sweeper.shutdownNow();
        try
        {
            sweeper.awaitTermination(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            server.stop();
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("metaverse listener did not stop cleanly", ex);
        }
        CloseHelper.quietClose(registry);
    }
}
