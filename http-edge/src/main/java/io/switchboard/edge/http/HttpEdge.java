package io.switchboard.edge.http;

import io.switchboard.edge.limit.ConnectionBudget;
import io.switchboard.edge.tls.ServerTls;
import io.switchboard.engine.metrics.Metrics;
import io.undertow.server.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP listener of the appliance shares: the timeouts, the per-host cap, and the connection budget sized
 * from the descriptor limit. The public listeners draw on one budget, the soft limit less the reserve; the admin
 * listener has its own few connections out of the reserve, so a flood of the public ports never locks the operator
 * out, and accepting never runs into the descriptor limit (where XNIO would back off for seconds).
 */
public final class HttpEdge
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);
    private static final String BUDGET = "switchboard_http_connection_budget";
    private static final String BUDGET_OPEN = "switchboard_http_connection_budget_open";
    private static final String DESCRIPTORS = "switchboard_descriptor_limit";

    private final HttpEdgeContext context;
    private final Metrics metrics;
    private final ConnectionBudget publicBudget;
    private final ConnectionBudget adminBudget;
    /** Null without TLS. */
    private final ServerTls tls;

    public HttpEdge(final HttpEdgeContext context, final Metrics metrics)
    {
        this(context, metrics, null);
    }

    /** With {@code tls}, the listeners it applies to speak only TLS. */
    public HttpEdge(final HttpEdgeContext context, final Metrics metrics, final ServerTls tls)
    {
        this.context = context;
        this.metrics = metrics;
        this.tls = tls;
        final DescriptorLimit limit = context.descriptorLimit();
        metrics.gauge(DESCRIPTORS, "kind=\"soft\"", "The process's open file limit (RLIMIT_NOFILE).").set(limit.soft());
        metrics.gauge(DESCRIPTORS, "kind=\"hard\"", "The process's open file limit (RLIMIT_NOFILE).").set(limit.hard());
        this.publicBudget = budget("public", context.connectionBudget());
        this.adminBudget = budget("admin", HttpEdgeContext.ADMIN_MAX_CONNECTIONS);
        if (limit.raised())
        {
            LOG.info("open file limit {}: {} connections for the public listeners, {} descriptors in reserve",
                limit.soft(), context.connectionBudget(), context.fdReserve());
        }
        else
        {
            LOG.warn("open file limit {} is below the hard limit {} and could not be raised (prlimit missing?): " +
                "{} connections for the public listeners", limit.soft(), limit.hard(), context.connectionBudget());
        }
        if (context.maxConnectionsPerHost() >= context.connectionBudget())
        {
            LOG.warn("--max-connections-per-host={} is not below the connection budget {}: one host can take every " +
                "connection (raise the open file limit or lower the cap)", context.maxConnectionsPerHost(),
                context.connectionBudget());
        }
    }

    /** A public listener (metaverse, rendezvous, PeerJS and dop), drawing on the shared budget. */
    public HttpEdgeListener.Builder listener(
        final String name, final String bindAddress, final int port, final HttpHandler handler)
    {
        return new HttpEdgeListener.Builder(name, bindAddress, port, handler, context, metrics, publicBudget)
            .tls(tlsOf(name));
    }

    /**
     * The accept-side checks and counters of a public listener that accepts its own connections (the signaling
     * acceptor of the PeerJS port), drawing on the shared budget.
     */
    public ListenerAdmission admission(final String name)
    {
        return new ListenerAdmission(name, context, metrics, publicBudget);
    }

    /** The operator's listener, with its own connections out of the reserve, and no PROXY header expected. */
    public HttpEdgeListener.Builder adminListener(final String bindAddress, final int port, final HttpHandler handler)
    {
        // Scrapers and health checks connect straight to it, never through the proxy that sends PROXY headers.
        return new HttpEdgeListener.Builder("admin", bindAddress, port, handler, context, metrics, adminBudget)
            .tls(tlsOf("admin"))
            .withoutProxyProtocol();
    }

    /** True when the listener called {@code name} speaks TLS. */
    public boolean isTls(final String name)
    {
        return tlsOf(name) != null;
    }

    /** The server certificate when the listener called {@code name} speaks TLS, else null. */
    public ServerTls tlsOf(final String name)
    {
        return tls != null && tls.appliesTo(name) ? tls : null;
    }

    private ConnectionBudget budget(final String pool, final int limit)
    {
        final String labels = "pool=\"" + pool + "\"";
        return new ConnectionBudget(limit,
            metrics.gauge(BUDGET, labels, "Open TCP connections the pool's listeners may hold together."),
            metrics.gauge(BUDGET_OPEN, labels, "Open TCP connections the pool's listeners hold now."));
    }
}
