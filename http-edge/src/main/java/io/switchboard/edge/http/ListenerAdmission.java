package io.switchboard.edge.http;

import io.switchboard.edge.limit.ConnectionBudget;
import io.switchboard.edge.limit.HostConnections;
import io.switchboard.engine.metrics.Histogram;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The accept-side checks of one HTTP listener and the counters every listener has: {@code accepted connection ->
 * per-host cap -> connection budget -> a Lease}, or a counted refusal. Both kinds of listener use it: Undertow's
 * ({@link HttpEdgeListener}) and the signaling acceptor of the PeerJS port. Thread-safe.
 */
public final class ListenerAdmission
{
    private static final String ACCEPTED = "switchboard_http_connections_accepted_total";
    private static final String REFUSED = "switchboard_http_connections_refused_total";
    private static final String OPEN = "switchboard_http_connections_open";
    private static final String REQUESTS_REFUSED = "switchboard_http_requests_refused_total";
    private static final String TIMEOUTS = "switchboard_http_timeouts_total";

    private static final String REQUESTS_REFUSED_HELP = "HTTP requests an HTTP listener refused before its handler: " +
        "chunk_size, a first chunk size that is not hex or past 2 GiB (400); on the PeerJS port also malformed, a " +
        "request head that is not HTTP/1.1 (400 or 505), head_too_large (431) and body_too_large (413).";

    private final Metrics metrics;
    private final String listener;
    private final HttpEdgeContext context;
    private final ConnectionBudget budget;
    private final HostConnections hosts;
    private final AtomicCounter accepted;
    private final AtomicCounter refusedPerHost;
    private final AtomicCounter refusedBudget;
    private final AtomicCounter refusedProxyUntrusted;
    private final AtomicCounter refusedProxyHeader;
    private final AtomicCounter forwardedMalformed;
    private final Histogram requestTime;
    private final AtomicCounter open;
    private final AtomicCounter refusedChunkSize;
    private final AtomicCounter parseTimeouts;
    private final AtomicCounter idleTimeouts;
    private final AtomicCounter bodyTimeouts;

    ListenerAdmission(
        final String name, final HttpEdgeContext context, final Metrics metrics, final ConnectionBudget budget)
    {
        this.metrics = metrics;
        this.context = context;
        this.budget = budget;
        this.hosts = new HostConnections(context.maxConnectionsPerHost());
        this.listener = "listener=\"" + name + "\"";
        this.accepted = metrics.counter(ACCEPTED, listener, "TCP connections accepted by an HTTP listener.");
        final String refusedHelp = "TCP connections an HTTP listener closed on accept: per_host, the source host " +
            "held --max-connections-per-host; budget, the listeners held every descriptor they may use; " +
            "proxy_untrusted, --proxy-protocol and the peer is not a trusted proxy; proxy_header, no valid PROXY header.";
        this.refusedPerHost = metrics.counter(REFUSED, listener + ",reason=\"per_host\"", refusedHelp);
        this.refusedBudget = metrics.counter(REFUSED, listener + ",reason=\"budget\"", refusedHelp);
        this.refusedProxyUntrusted = metrics.counter(REFUSED, listener + ",reason=\"proxy_untrusted\"", refusedHelp);
        this.refusedProxyHeader = metrics.counter(REFUSED, listener + ",reason=\"proxy_header\"", refusedHelp);
        this.requestTime = metrics.histogram("switchboard_http_request_seconds", listener,
            "Time from a request's complete head to its complete response, per HTTP listener.",
            Histogram.LATENCY_SECONDS);
        this.forwardedMalformed = metrics.counter("switchboard_http_forwarded_malformed_total", listener,
            "Forwarded or X-Forwarded-For headers from a trusted proxy that did not parse (the peer was used).");
        this.open = metrics.gauge(OPEN, listener, "Open TCP connections of an HTTP listener, WebSockets included.");
        this.refusedChunkSize = refusedRequests("chunk_size");
        final String timeoutHelp = "HTTP connections an HTTP listener cut for a timeout: parse, a request head not " +
            "complete within the request-parse timeout of its first byte; idle, no request for the idle timeout; " +
            "body, a request body not all there within the request-parse timeout of its head.";
        this.parseTimeouts = metrics.counter(TIMEOUTS, listener + ",kind=\"parse\"", timeoutHelp);
        this.idleTimeouts = metrics.counter(TIMEOUTS, listener + ",kind=\"idle\"", timeoutHelp);
        this.bodyTimeouts = metrics.counter(TIMEOUTS, listener + ",kind=\"body\"", timeoutHelp);
    }

    /**
     * A place in the counts for a connection just accepted from {@code host} (null: a trusted proxy, whose own
     * connections are not held to the per-host cap); null when the host holds its cap or the budget is spent (counted
     * by reason): the caller then resets the connection.
     */
    public Lease admit(final InetAddress host)
    {
        if (host != null && !hosts.tryAcquire(host))
        {
            refusedPerHost.increment();
            return null;
        }
        if (!budget.tryAcquire())
        {
            if (host != null)
            {
                hosts.release(host);
            }
            refusedBudget.increment();
            return null;
        }
        accepted.increment();
        open.increment();
        return new Lease(host);
    }

    /** The timeouts and limits shared by every listener. */
    public HttpEdgeContext context()
    {
        return context;
    }

    /** A counter of requests refused before the handler for {@code reason} (registered on first call). */
    public AtomicCounter refusedRequests(final String reason)
    {
        return metrics.counter(REQUESTS_REFUSED, listener + ",reason=\"" + reason + "\"", REQUESTS_REFUSED_HELP);
    }

    /** Connections over the per-host cap (counted here when the host became known after accept: PROXY header). */
    public AtomicCounter refusedPerHost()
    {
        return refusedPerHost;
    }

    /** Connections refused because {@code --proxy-protocol} is on and the peer is no trusted proxy. */
    public AtomicCounter refusedProxyUntrusted()
    {
        return refusedProxyUntrusted;
    }

    /** Connections closed because their PROXY header was not one. */
    public AtomicCounter refusedProxyHeader()
    {
        return refusedProxyHeader;
    }

    /** Time from a request's head to its response. */
    public Histogram requestTime()
    {
        return requestTime;
    }

    /** Forwarded or X-Forwarded-For headers from a trusted proxy that did not parse. */
    public AtomicCounter forwardedMalformed()
    {
        return forwardedMalformed;
    }

    /** Requests answered 400 for an absurd chunk size. */
    public AtomicCounter refusedChunkSize()
    {
        return refusedChunkSize;
    }

    /** Connections cut because a request head did not complete within the parse timeout. */
    public AtomicCounter parseTimeouts()
    {
        return parseTimeouts;
    }

    /** Connections cut for having no request for the idle timeout. */
    public AtomicCounter idleTimeouts()
    {
        return idleTimeouts;
    }

    /** Connections cut because a request body did not complete within the parse timeout of its head. */
    public AtomicCounter bodyTimeouts()
    {
        return bodyTimeouts;
    }

    /** One accepted connection's place in the per-host and budget counts and the open gauge, given back once. */
    public final class Lease
    {
        /** The host the connection counts against; null for a trusted proxy's own. */
        private volatile InetAddress host;
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Lease(final InetAddress host)
        {
            this.host = host;
        }

        /**
         * The connection turned out to be {@code client}'s (a trusted proxy's PROXY header said so): it counts against
         * that host from now on, if the host has room (false: the caller refuses it, counting
         * {@link #refusedPerHost()}).
         */
        public boolean countAs(final InetAddress client)
        {
            if (!hosts.tryAcquire(client))
            {
                return false;
            }
            host = client;
            return true;
        }

        /**
         * The host the connection counts against: its peer, or the client a PROXY header named; null for a trusted
         * proxy's own connection.
         */
        public InetAddress host()
        {
            return host;
        }

        /** The connection closed: its place is free (again and again is once). */
        public void release()
        {
            if (held.compareAndSet(true, false))
            {
                final InetAddress counted = host;
                if (counted != null)
                {
                    hosts.release(counted);
                }
                budget.release();
                open.decrement();
            }
        }
    }
}
