package io.switchboard.edge.http;

import io.switchboard.edge.limit.ConnectionBudget;
import io.switchboard.engine.metrics.Metrics;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.AttachmentKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One Undertow HTTP listener: {@code accept -> per-host cap -> connection budget -> Undertow's HTTP/1.1 -> handler}.
 * Undertow's builder has no hook between accept and HTTP, so this builds the listener from XNIO's public API, as the
 * builder does, with its own accept listener: a connection over a cap ({@link ListenerAdmission}) is counted and
 * closed at once (reset, no TIME_WAIT), never left in the backlog. A connection's place in the counts is given back
 * when it closes.
 * <p>
 * Each connection's {@link RequestTimeouts} cut it when a request head stalls or it stays idle between requests, and
 * {@link BodyDeadline} when a request body stalls.
 */
public final class HttpEdgeListener implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpEdgeListener.class);
    private static final AttachmentKey<RequestTimeouts> TIMEOUTS_KEY = AttachmentKey.create(RequestTimeouts.class);
    /** Undertow's own sizing: a 16 KiB write less room for protocol headers (UNDERTOW-1209). */
    private static final int BUFFER_BYTES = 16 * 1024 - 20;
    private static final int BUFFERS_PER_THREAD = 4;
    /** Accepts per wake-up of the accepting thread, so a flood cannot keep it from its other connections. */
    private static final int ACCEPTS_PER_WAKEUP = 64;
    private static final int NO_CONNECTION_LIMIT = 1_000_000;
    private static final long STOP_WAIT_MS = 5_000;

    private final Builder settings;
    private final ListenerAdmission admission;
    /** Each open connection's place in the counts, until it closes. */
    private final Map<StreamConnection, Lease> leases = new ConcurrentHashMap<>();
    /** What follows the timeouts: the checks every listener makes, then the listener's own handler. */
    private final HttpHandler root;
    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> channel;
    private ByteBufferPool buffers;

    private HttpEdgeListener(final Builder settings)
    {
        this.settings = settings;
        this.admission = new ListenerAdmission(settings.name, settings.context, settings.metrics, settings.budget);
        final HttpHandler bodyDeadline =
            new BodyDeadline(settings.handler, settings.context.requestParseTimeoutMs(), admission.bodyTimeouts());
        this.root = new ChunkSizeCheck(bodyDeadline, admission.refusedChunkSize());
    }

    /** Binds and starts accepting. */
    public void start()
    {
        try
        {
            worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_NAME, "switchboard-" + settings.name)
                .set(Options.WORKER_IO_THREADS, settings.ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, settings.workerThreads)
                .set(Options.WORKER_TASK_MAX_THREADS, settings.workerThreads)
                .set(Options.TCP_NODELAY, true)
                .set(Options.CORK, true)
                .getMap());
            buffers = new DefaultByteBufferPool(true, BUFFER_BYTES, -1, BUFFERS_PER_THREAD);
            final HttpOpenListener http = new HttpOpenListener(buffers, OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.MAX_HEADER_SIZE, settings.maxHeaderBytes)
                .set(UndertowOptions.MAX_ENTITY_SIZE, settings.maxEntityBytes)
                .getMap());
            http.setRootHandler(this::timed);
            channel = worker.createStreamConnectionServer(
                new InetSocketAddress(InetAddress.getByName(settings.bindAddress), settings.port),
                server -> onAcceptable(server, http),
                OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, settings.ioThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .set(Options.BALANCING_TOKENS, 1)
                    .set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, settings.backlog)
                    .set(Options.CONNECTION_HIGH_WATER, NO_CONNECTION_LIMIT)
                    .set(Options.CONNECTION_LOW_WATER, NO_CONNECTION_LIMIT)
                    .getMap());
            channel.resumeAccepts();
        }
        catch (final IOException ex)
        {
            close();
            throw new UncheckedIOException(
                "cannot listen on " + settings.bindAddress + ":" + settings.port + " (" + settings.name + ")", ex);
        }
    }

    public int port()
    {
        return ((InetSocketAddress)channel.getLocalAddress()).getPort();
    }

    private void onAcceptable(final AcceptingChannel<StreamConnection> server, final HttpOpenListener http)
    {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++)
        {
            final StreamConnection connection;
            try
            {
                connection = server.accept();
            }
            catch (final IOException ex)
            {
                LOG.warn("{} listener: accept failed", settings.name, ex);
                return;
            }
            if (connection == null)
            {
                return;
            }
            admit(connection, http);
        }
    }

    private void admit(final StreamConnection connection, final HttpOpenListener http)
    {
        final InetAddress host = ((InetSocketAddress)connection.getPeerAddress()).getAddress();
        final ListenerAdmission.Lease place = admission.admit(host);
        if (place == null)
        {
            refuse(connection);
            return;
        }
        final RequestTimeouts timeouts = new RequestTimeouts(
            connection, settings.context, admission.parseTimeouts(), admission.idleTimeouts());
        final Lease lease = new Lease(place, timeouts);
        leases.put(connection, lease);
        // Undertow adds its own close listener after this one; XNIO runs both.
        connection.setCloseListener(lease);
        connection.getSourceChannel().setConduit(timeouts);
        timeouts.idle();
        http.handleEvent(connection);
    }

    /** Every request's first handler: its connection's timeouts pause until the response is done. */
    private void timed(final HttpServerExchange exchange) throws Exception
    {
        RequestTimeouts timeouts = exchange.getConnection().getAttachment(TIMEOUTS_KEY);
        if (timeouts == null)
        {
            final Lease lease = leases.get(((AbstractServerConnection)exchange.getConnection()).getChannel());
            if (lease == null)
            {
                return; // closed meanwhile: nothing to answer
            }
            timeouts = lease.timeouts;
            exchange.getConnection().putAttachment(TIMEOUTS_KEY, timeouts);
        }
        timeouts.active();
        final RequestTimeouts connectionTimeouts = timeouts;
        exchange.addExchangeCompleteListener((done, next) ->
        {
            if (done.isUpgrade())
            {
                connectionTimeouts.upgraded();
            }
            else
            {
                connectionTimeouts.idle();
            }
            next.proceed();
        });
        root.handleRequest(exchange);
    }

    private static void refuse(final StreamConnection connection)
    {
        try
        {
            connection.setOption(Options.CLOSE_ABORT, Boolean.TRUE);
        }
        catch (final IOException ex)
        {
            // A plain close then.
        }
        IoUtils.safeClose(connection);
    }

    @Override
    public void close()
    {
        IoUtils.safeClose(channel);
        if (worker != null)
        {
            worker.shutdown();
            try
            {
                if (!worker.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS))
                {
                    worker.shutdownNow();
                }
            }
            catch (final InterruptedException ex)
            {
                worker.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (buffers != null)
        {
            buffers.close();
        }
    }

    /** One accepted connection's place in the counts and its timeouts, until it closes. */
    private final class Lease implements ChannelListener<StreamConnection>
    {
        private final ListenerAdmission.Lease place;
        private final RequestTimeouts timeouts;

        Lease(final ListenerAdmission.Lease place, final RequestTimeouts timeouts)
        {
            this.place = place;
            this.timeouts = timeouts;
        }

        /** XNIO's close listener: the connection closed. */
        @Override
        public void handleEvent(final StreamConnection connection)
        {
            timeouts.upgraded();
            leases.remove(connection);
            place.release();
        }
    }

    /** A listener's settings; the shared ones come from {@link HttpEdge}. */
    public static final class Builder
    {
        private final String name;
        private final String bindAddress;
        private final int port;
        private final HttpHandler handler;
        private final HttpEdgeContext context;
        private final Metrics metrics;
        private final ConnectionBudget budget;
        private int ioThreads = Math.max(Runtime.getRuntime().availableProcessors(), 2);
        private int workerThreads = 8 * ioThreads;
        private long maxEntityBytes = 4 * 1024;
        private int maxHeaderBytes = 16 * 1024;
        private int backlog = 1_000;

        Builder(
            final String name,
            final String bindAddress,
            final int port,
            final HttpHandler handler,
            final HttpEdgeContext context,
            final Metrics metrics,
            final ConnectionBudget budget)
        {
            this.name = name;
            this.bindAddress = bindAddress;
            this.port = port;
            this.handler = handler;
            this.context = context;
            this.metrics = metrics;
            this.budget = budget;
        }

        /** XNIO IO threads: HTTP parsing and non-blocking handlers. */
        public Builder ioThreads(final int value) { ioThreads = value; return this; }
        /** Threads for handlers that {@code dispatch()}. */
        public Builder workerThreads(final int value) { workerThreads = value; return this; }
        /** Longer request bodies are refused (the default suits a listener that reads none). */
        public Builder maxEntityBytes(final long value) { maxEntityBytes = value; return this; }
        public Builder maxHeaderBytes(final int value) { maxHeaderBytes = value; return this; }
        /** The kernel's queue of connections not yet accepted. */
        public Builder backlog(final int value) { backlog = value; return this; }

        /** The listener, not yet bound; {@link HttpEdgeListener#start} binds it. */
        public HttpEdgeListener build()
        {
            return new HttpEdgeListener(this);
        }
    }
}
