package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeListener;
import io.switchboard.edge.registry.Registry;
import io.switchboard.cluster.ClusterUnavailableException;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.switchboard.engine.table.TableFiles;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.RoutingHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.channels.StreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The metaverse domain API listener: {@code HTTP -> route -> read body -> endpoint -> registry}, and for key
 * changes {@code -> command into the engine's ring}. Endpoints that only touch the registry (heartbeats, reads) run
 * on the IO thread; those that may wait (a full ring, entropy, a scan of every domain) are dispatched to a worker.
 * On start it hands every stored key to the ICE engine before it listens, so a domain's first ICE heartbeat after
 * a restart is verified; a sweeper removes temporary domains silent past their TTL.
 */
public final class MetaverseServer implements AutoCloseable
{
    public static final String LISTENER = "metaverse";
    private static final Logger LOG = LoggerFactory.getLogger(MetaverseServer.class);
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Worker endpoints wait on the ring or a stripe lock now and then, never on the network. */
    private static final int WORKER_THREADS = 2 * Runtime.getRuntime().availableProcessors();
    private static final int CLUSTER_WORKER_THREADS = 8 * WORKER_THREADS;
    private static final byte[] NO_BODY = new byte[0];
    private static final int READ_BUFFER_BYTES = 16 * 1024;
    private static final long AWAIT_SLICE_MS = 100;

    /** Where an endpoint runs. */
    private enum Runs
    {
        ON_IO_THREAD,
        ON_WORKER
    }

    private final MetaverseContext context;
    private final DomainRegistry registry;
    private final Registry log;
    private final DomainWrites writes;
    private final EngineKeys engineKeys;
    private final MetaverseCounters counters;
    private final Replies replies;
    private final DomainApi api;
    private final LongSupplier clock;
    private final TemporaryDomainSweeper sweeper;
    private final HttpEdgeListener server;

    private MetaverseServer(
        final MetaverseContext context,
        final TableFiles tableFiles,
        final CommandPublisher commands,
        final Registry log,
        final HttpEdge edge,
        final Metrics metrics,
        final ObjectMapper json,
        final Watch sweeperWatch)
    {
        this.context = context;
        this.log = log;
        this.clock = System::currentTimeMillis;
        this.counters = new MetaverseCounters(metrics);
        this.replies = new Replies(json, counters);
        this.engineKeys = new EngineKeys(commands, counters);
        this.registry = new DomainRegistry(tableFiles, MetaverseContext.REGISTRY_FILE, context.maxDomains());
        this.writes = new DomainWrites(
            registry, log, log.appliesOnCaller() ? DomainWrites.NO_SOFT_SYNC : context.softSyncMs());
        log.machine().attach(new DomainMachine(registry, engineKeys, counters));
        this.api = new DomainApi(context, registry, writes, engineKeys, json, replies, counters, clock);
        this.sweeper = new TemporaryDomainSweeper(registry, this::removeSilent,
            counters, context.tempDomainTtlSeconds() * 1000, clock, sweeperWatch);
        this.server = edge.listener(
                LISTENER, context.bindAddress(), context.port(), new MetaverseCors(routes(), context.corsOrigins()))
            // A cluster member's workers mostly wait for commits.
            .workerThreads(log.appliesOnCaller() ? WORKER_THREADS : CLUSTER_WORKER_THREADS)
            .maxEntityBytes(context.maxBodyBytes())
            .maxHeaderBytes(MAX_HEADER_BYTES)
            .build();
    }

    /**
     * Opens this node's domain replica and attaches its part to the registry's state machine; {@link #listen()}
     * once the registry has started.
     *
     * @param tableFiles   opens the registry's Chronicle Map file in the data dir
     * @param log          the registry, not started yet
     * @param sweeperWatch where the sweeper's failures go
     */
    public static MetaverseServer open(
        final MetaverseContext context,
        final TableFiles tableFiles,
        final CommandPublisher commands,
        final Registry log,
        final HttpEdge edge,
        final Metrics metrics,
        final ObjectMapper json,
        final Watch sweeperWatch)
    {
        return new MetaverseServer(context, tableFiles, commands, log, edge, metrics, json, sweeperWatch);
    }

    /**
     * Drops expired temporary domains and, with the local registry, hands every stored key to the engine (a cluster
     * replica hands each key over as it applies it), then listens.
     */
    public void listen()
    {
        // A cluster member sweeps once it runs (its removals wait for a quorum, which may not be up yet).
        final long nextSweepMs = log.appliesOnCaller() ? sweeper.sweep(clock.getAsLong()) : clock.getAsLong();
        if (log.appliesOnCaller())
        {
            publishStoredKeys();
        }
        counters.domains.set(registry.size());
        server.start();
        sweeper.startAt(nextSweepMs);
    }

    /**
     * Copies the registry into {@code directory} (see the registry's backup), on the caller's thread.
     *
     * @return the domains copied
     */
    public long backupTo(final Path directory) throws IOException
    {
        return registry.backupTo(directory);
    }

    public int port()
    {
        return server.port();
    }

    private RoutingHandler routes()
    {
        // A write waits for the cluster's commit: never on an IO thread. The local registry never waits. A heartbeat
        // starts on the IO thread either way: most are written in place; a durable one moves to a worker.
        final Runs writes = log.appliesOnCaller() ? Runs.ON_IO_THREAD : Runs.ON_WORKER;
        final HttpHandler metaverseInfo = withoutBody("metaverse_info", Runs.ON_IO_THREAD, api::metaverseInfo);
        return Handlers.routing()
            .post("/api/v1/domains/temporary", withBody("temporary_create", Runs.ON_WORKER, api::createTemporary))
            .post("/api/v1/domains", withBody("domain_create", Runs.ON_WORKER, api::createNamed))
            .get("/api/v1/domains", withoutBody("domain_list", Runs.ON_WORKER, api::listDomains))
            .get("/api/v1/domains/{id}", withoutBody("domain_read", Runs.ON_IO_THREAD, api::readDomain))
            .put("/api/v1/domains/{id}", withBody("heartbeat", Runs.ON_IO_THREAD, api::heartbeat))
            .delete("/api/v1/domains/{id}", withoutBody("domain_delete", Runs.ON_WORKER, api::deleteDomain))
            .put("/api/v1/domains/{id}/ice_server_address",
                withBody("ice_server_address", writes, api::setIceServerAddress))
            .get("/api/v1/domains/{id}/public_key",
                withoutBody("public_key_read", Runs.ON_IO_THREAD, api::readPublicKey))
            .put("/api/v1/domains/{id}/public_key",
                withBody("public_key_upload", Runs.ON_WORKER, api::uploadPublicKey))
            .get("/api/metaverse_info", metaverseInfo)
            .get("/api/v1/metaverse_info", metaverseInfo)
            .setFallbackHandler(exchange -> replies.failure(exchange, Failure.NO_ROUTE, "Not found"))
            .setInvalidMethodHandler(exchange -> replies.failure(exchange, Failure.BAD_METHOD, "Method not allowed"));
    }

    /** Counts the request and runs the endpoint where it belongs. */
    private HttpHandler withoutBody(final String endpoint, final Runs runs, final DomainApi.Endpoint handler)
    {
        final AtomicCounter requests = counters.requests(endpoint);
        return exchange ->
        {
            requests.increment();
            run(runs, handler, exchange, NO_BODY);
        };
    }

    /**
     * Counts the request, reads its whole body without blocking the IO thread (refusing more than the limit with
     * 413), then runs the endpoint where it belongs.
     */
    private HttpHandler withBody(final String endpoint, final Runs runs, final DomainApi.Endpoint handler)
    {
        final AtomicCounter requests = counters.requests(endpoint);
        final int maxBytes = context.maxBodyBytes();
        return exchange ->
        {
            requests.increment();
            final long declared = exchange.getRequestContentLength();
            if (declared > maxBytes)
            {
                tooLarge(exchange);
                return;
            }
            if (runs == Runs.ON_WORKER)
            {
                // Read where it runs: an asynchronous receive that dispatches from its callback can leave Undertow
                // not reading the connection's next request (its own ReceiverTestCase shows the same hang).
                exchange.dispatch(() -> readOnWorker(handler, exchange, maxBytes));
                return;
            }
            exchange.setMaxEntitySize(maxBytes);
            final RequestBody body = new RequestBody(declared);
            // Chunks, not receiveFullBytes: that one copies byte by byte through a synchronized stream.
            exchange.getRequestReceiver().receivePartialBytes(
                (received, chunk, last) ->
                {
                    body.append(chunk);
                    if (last)
                    {
                        run(runs, handler, received, body.bytes());
                    }
                },
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

    /** On a worker thread: reads the whole body, blocking (refused past {@code maxBytes}), then runs the endpoint. */
    private void readOnWorker(final DomainApi.Endpoint handler, final HttpServerExchange exchange, final int maxBytes)
    {
        final byte[] body;
        exchange.setMaxEntitySize(maxBytes);
        try
        {
            body = readBlocking(exchange);
        }
        catch (final RequestTooBigException ex)
        {
            tooLarge(exchange);
            return;
        }
        catch (final IOException ex)
        {
            exchange.setPersistent(false);
            replies.failure(exchange, Failure.BAD_REQUEST, "request body could not be read");
            return;
        }
        run(Runs.ON_WORKER, handler, exchange, body);
    }

    /**
     * The whole body, waiting in slices: a wait on a socket is not woken when another thread closes it, so a body that
     * stalls past the listener's deadline (which cuts the connection) frees this worker within a slice.
     */
    private static byte[] readBlocking(final HttpServerExchange exchange) throws IOException
    {
        final StreamSourceChannel channel = exchange.getRequestChannel();
        final RequestBody body = new RequestBody(exchange.getRequestContentLength());
        final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
        while (true)
        {
            final int read = channel.read(buffer);
            if (read < 0)
            {
                return body.bytes();
            }
            if (read == 0)
            {
                if (!exchange.getConnection().isOpen())
                {
                    throw new ClosedChannelException();
                }
                channel.awaitReadable(AWAIT_SLICE_MS, TimeUnit.MILLISECONDS);
                continue;
            }
            body.append(Arrays.copyOf(buffer.array(), read));
            buffer.clear();
        }
    }

    private void tooLarge(final HttpServerExchange exchange)
    {
        if (exchange.isResponseStarted())
        {
            // Undertow found a chunk past the limit and has cut the connection already: nothing to answer.
            counters.failure(Failure.BODY_TOO_LARGE).increment();
            return;
        }
        // The rest of the body is never read, so the connection cannot carry another request.
        exchange.setPersistent(false);
        replies.failure(exchange, Failure.BODY_TOO_LARGE, "request body exceeds " + context.maxBodyBytes() + " bytes");
    }

    private void run(
        final Runs runs, final DomainApi.Endpoint handler, final HttpServerExchange exchange, final byte[] body)
    {
        if (runs == Runs.ON_WORKER && exchange.isInIoThread())
        {
            exchange.dispatch(() -> run(runs, handler, exchange, body));
            return;
        }
        try
        {
            handler.handle(exchange, body);
        }
        catch (final DomainApi.MustWait ex)
        {
            exchange.dispatch(() -> run(Runs.ON_WORKER, handler, exchange, body));
        }
        catch (final ClusterUnavailableException ex)
        {
            if (!exchange.isResponseStarted())
            {
                replies.failure(exchange, Failure.CLUSTER_UNAVAILABLE, "not committed: " + ex.getMessage());
            }
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

    private void publishStoredKeys()
    {
        for (final DomainRecord record : registry.all())
        {
            if (record.publicKey != null)
            {
                engineKeys.publishKey(record.id, record.publicKey);
            }
        }
        counters.domains.set(registry.size());
    }

    /**
     * Removes a temporary domain still silent since before {@code cutoffMs} as this node's replica sees it now, unless
     * a durable change came first; the engine forgets its key and peer as the registry applies the removal.
     */
    private boolean removeSilent(final DomainRecord listed, final long cutoffMs)
    {
        final DomainRecord record = registry.get(listed.id);
        if (record == null || !record.isSilentTemporary(cutoffMs))
        {
            return false;
        }
        try
        {
            return writes.remove(record.id, record.revision);
        }
        catch (final ClusterUnavailableException ex)
        {
            // No quorum now: the next sweep tries again.
            return false;
        }
    }

    @Override
    public void close()
    {
        sweeper.close();
        try
        {
            server.close();
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("metaverse listener did not stop cleanly", ex);
        }
        CloseHelper.quietClose(registry);
    }

    /** A request body arriving in chunks; sized up front when the request declares its length. */
    private static final class RequestBody
    {
        private final long declaredLength;
        private byte[] bytes = NO_BODY;
        private int length;

        RequestBody(final long declaredLength)
        {
            this.declaredLength = declaredLength;
        }

        void append(final byte[] chunk)
        {
            if (length == 0 && chunk.length == declaredLength)
            {
                // The usual small body: one chunk holds all of it, so it is the body.
                bytes = chunk;
                length = chunk.length;
                return;
            }
            if (length + chunk.length > bytes.length)
            {
                final int wanted = length == 0 && declaredLength > chunk.length ? (int)declaredLength :
                    Math.max(length + chunk.length, 2 * bytes.length);
                bytes = Arrays.copyOf(bytes, wanted);
            }
            System.arraycopy(chunk, 0, bytes, length, chunk.length);
            length += chunk.length;
        }

        byte[] bytes()
        {
            return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        }
    }
}
