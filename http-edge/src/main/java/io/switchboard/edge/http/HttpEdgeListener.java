package io.switchboard.edge.http;

import io.switchboard.edge.limit.ConnectionBudget;
import io.switchboard.edge.tls.ServerTls;
import io.switchboard.edge.tls.TlsListener;
import io.switchboard.engine.config.BindAddresses;
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
import org.agrona.concurrent.status.AtomicCounter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP listener: {@code accept -> per-host cap -> connection budget -> Undertow's HTTP/1.1 -> handler}. Undertow's
 * builder has no hook between accept and HTTP, so this builds the listener from XNIO's public API, as the builder
 * does, with its own accept listener: a connection over a cap is counted and closed at once (reset, no TIME_WAIT),
 * never left in the backlog. A connection's place in the counts is given back when it closes.
 * <p>
 * Each connection's {@link RequestTimeouts} cut it when a request head stalls or it stays idle between requests, and
 * {@link BodyDeadline} when a request body stalls. The accept-side checks and counters are a {@link ListenerAdmission},
 * as the PeerJS port's own acceptor's are.
 * <p>
 * With TLS ({@link Builder#tls}) each admitted connection is wrapped in a TLS connection ({@link TlsListener}) between
 * the timeouts and HTTP, so the caps, budgets and timeouts are the same and a stalled handshake is a stalled head; a
 * connection the handshake budget refuses is closed at once, before any TLS byte.
 * <p>
 * Client addresses: under {@code --proxy-protocol} a connection must come from a trusted proxy and start with a PROXY
 * header ({@link ProxyHeaderReader}), read before any TLS; every request's source address is then set by
 * {@link ClientAddressHandler}. A trusted proxy's connections are not held to the per-host cap (they carry many
 * clients); the client its PROXY header names is.
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
    /** The per-host cap, the budget and the counters every HTTP listener shares with the PeerJS acceptor. */
    private final ListenerAdmission admission;
    /** Each open connection's place in the counts, until it closes. */
    private final Map<StreamConnection, Lease> leases = new ConcurrentHashMap<>();
    /** What follows the timeouts: the checks every listener makes, then the listener's own handler. */
    private final HttpHandler root;
    private XnioWorker worker;
    /** One per bind address ({@link BindAddresses}), all on the first one's port. */
    private final List<AcceptingChannel<StreamConnection>> channels = new ArrayList<>();
    private ByteBufferPool buffers;
    private TlsListener tls;

    private HttpEdgeListener(final Builder settings)
    {
        this.settings = settings;
        this.admission = new ListenerAdmission(settings.name, settings.context, settings.metrics, settings.budget);
        final HttpHandler bodyDeadline =
            new BodyDeadline(settings.handler, settings.context.requestParseTimeoutMs(), admission.bodyTimeouts());
        final HttpHandler checked = new ChunkSizeCheck(bodyDeadline, admission.refusedChunkSize());
        this.root = new ClientAddressHandler("admin".equals(settings.name) ? checked : new AccessLogged(checked),
            settings.context.trustedProxies(), admission.forwardedMalformed());
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
            if (settings.tls != null)
            {
                tls = settings.tls.listener(settings.name, worker.getXnio());
            }
            int port = settings.port;
            for (final InetAddress address : BindAddresses.resolve(settings.bindAddress))
            {
                final AcceptingChannel<StreamConnection> channel = worker.createStreamConnectionServer(
                    new InetSocketAddress(address, port), server -> onAcceptable(server, http), serverOptions());
                channels.add(channel);
                port = ((InetSocketAddress)channel.getLocalAddress()).getPort();
                channel.resumeAccepts();
            }
        }
        catch (final IOException ex)
        {
            close();
            throw new UncheckedIOException(
                "cannot listen on " + settings.bindAddress + ":" + settings.port + " (" + settings.name + ")", ex);
        }
    }

    private OptionMap serverOptions()
    {
        return OptionMap.builder()
            .set(Options.WORKER_IO_THREADS, settings.ioThreads)
            .set(Options.TCP_NODELAY, true)
            .set(Options.REUSE_ADDRESSES, true)
            .set(Options.BALANCING_TOKENS, 1)
            .set(Options.BALANCING_CONNECTIONS, 2)
            .set(Options.BACKLOG, settings.backlog)
            .set(Options.CONNECTION_HIGH_WATER, NO_CONNECTION_LIMIT)
            .set(Options.CONNECTION_LOW_WATER, NO_CONNECTION_LIMIT)
            .getMap();
    }

    public int port()
    {
        return ((InetSocketAddress)channels.get(0).getLocalAddress()).getPort();
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
        final InetAddress peer = ((InetSocketAddress)connection.getPeerAddress()).getAddress();
        final boolean trusted = settings.context.trustedProxies().contains(peer);
        if (settings.proxyProtocol && !trusted)
        {
            refuse(connection, admission.refusedProxyUntrusted());
            return;
        }
        // A trusted proxy's own connections carry many clients: not held to the per-host cap.
        final ListenerAdmission.Lease place = admission.admit(trusted ? null : peer);
        if (place == null)
        {
            refuse(connection, null); // counted by the admission
            return;
        }
        final RequestTimeouts timeouts = new RequestTimeouts(
            connection, settings.context, admission.parseTimeouts(), admission.idleTimeouts());
        connection.getSourceChannel().setConduit(timeouts);
        final Lease lease = new Lease(place, timeouts);
        // Undertow adds its own close listener after this one; XNIO runs both.
        connection.setCloseListener(lease);
        timeouts.idle();
        if (!settings.proxyProtocol)
        {
            serve(connection, lease, timeouts, http);
            return;
        }
        ProxyHeaderReader.read(connection, new ProxyHeaderReader.Next()
        {
            @Override
            public void proceed(final StreamConnection proxied, final InetSocketAddress client)
            {
                if (client != null && !lease.countAs(client))
                {
                    refuse(proxied, admission.refusedPerHost());
                    return;
                }
                timeouts.idle();
                serve(proxied, lease, timeouts, http);
            }

            @Override
            public void refused(final StreamConnection proxied)
            {
                admission.refusedProxyHeader().increment();
            }
        });
    }

    /** HTTP on {@code connection}, in TLS when the listener speaks it: the connection it is served on is leased. */
    private void serve(
        final StreamConnection connection, final Lease lease, final RequestTimeouts timeouts,
        final HttpOpenListener http)
    {
        final TlsListener.Handshake handshake = tls == null ? null : tls.secure(connection, lease.place.host());
        if (tls != null && handshake == null)
        {
            refuse(connection, null); // counted by the handshake budget
            return;
        }
        final StreamConnection served = handshake == null ? connection : handshake.connection();
        timeouts.cuts(served);
        lease.serve(served, handshake);
        leases.put(served, lease);
        http.handleEvent(served);
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
            if (timeouts == null)
            {
                return; // closed meanwhile
            }
            exchange.getConnection().putAttachment(TIMEOUTS_KEY, timeouts);
            if (lease.client != null)
            {
                exchange.getConnection().putAttachment(ClientAddressHandler.PROXIED, lease.client);
            }
        }
        timeouts.active();
        final RequestTimeouts connectionTimeouts = timeouts;
        final long startNs = System.nanoTime();
        exchange.addExchangeCompleteListener((done, next) ->
        {
            admission.requestTime().recordMicros((System.nanoTime() - startNs) / 1_000);
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

    /** Resets {@code connection} (no TIME_WAIT); {@code reason}, when not null, is counted. */
    private static void refuse(final StreamConnection connection, final AtomicCounter reason)
    {
        if (reason != null)
        {
            reason.increment();
        }
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
        channels.forEach(IoUtils::safeClose);
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
        if (tls != null)
        {
            tls.close();
        }
    }

    /** One accepted connection's place in the counts, its timeouts and what it is served on, until it closes. */
    private final class Lease implements ChannelListener<StreamConnection>
    {
        private final ListenerAdmission.Lease place;
        /** The client a PROXY header named, or null. */
        private volatile InetSocketAddress client;
        /**
         * The connection HTTP is served on, the accepted one or its TLS connection, and the TLS handshake (null without
         * TLS): dropped, as the timeouts, when the connection closes.
         */
        private volatile StreamConnection served;
        private volatile TlsListener.Handshake handshake;
        private volatile RequestTimeouts timeouts;

        Lease(final ListenerAdmission.Lease place, final RequestTimeouts timeouts)
        {
            this.place = place;
            this.timeouts = timeouts;
        }

        /** HTTP is served on {@code connection} (with {@code tls}'s handshake, or null) from now on. */
        void serve(final StreamConnection connection, final TlsListener.Handshake tls)
        {
            served = connection;
            handshake = tls;
        }

        /** The connection is {@code proxied}'s: it counts against that host from now, if the host has room. */
        boolean countAs(final InetSocketAddress proxied)
        {
            if (!place.countAs(proxied.getAddress()))
            {
                return false;
            }
            client = proxied;
            return true;
        }

        /** XNIO's close listener: the connection closed. */
        @Override
        public void handleEvent(final StreamConnection connection)
        {
            final RequestTimeouts ended = timeouts;
            if (ended != null)
            {
                ended.upgraded();
                timeouts = null;
            }
            final StreamConnection key = served;
            if (key != null)
            {
                leases.remove(key);
                served = null;
            }
            final TlsListener.Handshake shaking = handshake;
            if (shaking != null)
            {
                shaking.closed();
                handshake = null;
            }
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
        private ServerTls tls;
        private int ioThreads = Math.max(Runtime.getRuntime().availableProcessors(), 2);
        private int workerThreads = 8 * ioThreads;
        private long maxEntityBytes = 4 * 1024;
        private int maxHeaderBytes = 16 * 1024;
        private int backlog = 1_000;
        private boolean proxyProtocol;

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
            this.proxyProtocol = context.proxyProtocol();
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
        /** Speak only TLS, with this certificate; null: plain HTTP. */
        public Builder tls(final ServerTls value) { tls = value; return this; }

        /** Connections start without a PROXY header whatever {@code --proxy-protocol} says (the admin listener). */
        Builder withoutProxyProtocol() { proxyProtocol = false; return this; }

        /** The listener, not yet bound; {@link HttpEdgeListener#start} binds it. */
        public HttpEdgeListener build()
        {
            return new HttpEdgeListener(this);
        }
    }
}
