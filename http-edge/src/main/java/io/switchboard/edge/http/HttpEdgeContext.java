package io.switchboard.edge.http;

import io.switchboard.engine.config.Require;
import io.switchboard.protocol.proxy.TrustedProxies;

/**
 * Configuration shared by every HTTP listener (metaverse, rendezvous, PeerJS and dop, admin): request timeouts,
 * connection budgets, and the proxies whose word on a client's address is taken. Defaults are named constants; {@link #conclude} validates and sizes the budget from the
 * descriptor limit.
 */
public final class HttpEdgeContext
{
    public static final int DEFAULT_REQUEST_PARSE_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 1_024;
    public static final int DEFAULT_FD_RESERVE = 256;
    /** Connections the admin listener takes, from the reserve: scrapes and health checks, a few at a time. */
    public static final int ADMIN_MAX_CONNECTIONS = 32;
    private static final int MIN_BUDGET = 16;

    private int requestParseTimeoutMs = DEFAULT_REQUEST_PARSE_TIMEOUT_MS;
    private int idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    private int maxConnectionsPerHost = DEFAULT_MAX_CONNECTIONS_PER_HOST;
    private int fdReserve = DEFAULT_FD_RESERVE;
    private DescriptorLimit descriptorLimit;
    private int connectionBudget;
    private TrustedProxies trustedProxies = TrustedProxies.NONE;
    private boolean proxyProtocol;

    /** Validates, reads the descriptor limit unless given, and sizes the connection budget from it. */
    public HttpEdgeContext conclude()
    {
        Require.range("http request parse timeout ms", requestParseTimeoutMs, 100, 3_600_000);
        Require.range("http idle timeout ms", idleTimeoutMs, 100, 86_400_000);
        Require.range("max connections per host", maxConnectionsPerHost, 1, 10_000_000);
        Require.range("fd reserve", fdReserve, 2L * ADMIN_MAX_CONNECTIONS, 1_000_000);
        if (proxyProtocol && trustedProxies.isEmpty())
        {
            throw new IllegalArgumentException(
                "--proxy-protocol=true needs --trusted-proxies: PROXY headers are taken from trusted proxies only");
        }
        if (descriptorLimit == null)
        {
            descriptorLimit = DescriptorLimit.raiseSoftToHard();
        }
        final long budget = Math.min(Integer.MAX_VALUE, descriptorLimit.soft() - fdReserve);
        if (budget < MIN_BUDGET)
        {
            throw new IllegalArgumentException("the open file limit " + descriptorLimit.soft() + " leaves " +
                "fewer than " + MIN_BUDGET + " connections beside --fd-reserve=" + fdReserve +
                " (raise it with ulimit -n, or lower --fd-reserve)");
        }
        connectionBudget = (int)budget;
        return this;
    }

    /** A request whose head has started must be complete within this, or its connection is cut. */
    public int requestParseTimeoutMs() { return requestParseTimeoutMs; }
    public HttpEdgeContext requestParseTimeoutMs(final int value) { requestParseTimeoutMs = value; return this; }
    /** A connection with no request in progress is cut after this long (never an upgraded WebSocket). */
    public int idleTimeoutMs() { return idleTimeoutMs; }
    public HttpEdgeContext idleTimeoutMs(final int value) { idleTimeoutMs = value; return this; }
    /** Open connections one source host may hold on one listener; the next is closed on accept. */
    public int maxConnectionsPerHost() { return maxConnectionsPerHost; }
    public HttpEdgeContext maxConnectionsPerHost(final int value) { maxConnectionsPerHost = value; return this; }
    /** Descriptors kept back from the connection budget: admin connections, files, UDP sockets, the JVM's own. */
    public int fdReserve() { return fdReserve; }
    public HttpEdgeContext fdReserve(final int value) { fdReserve = value; return this; }
    public DescriptorLimit descriptorLimit() { return descriptorLimit; }
    public HttpEdgeContext descriptorLimit(final DescriptorLimit value) { descriptorLimit = value; return this; }
    /** Peers whose PROXY header, Forwarded or X-Forwarded-For names the client; none by default. */
    public TrustedProxies trustedProxies() { return trustedProxies; }
    public HttpEdgeContext trustedProxies(final TrustedProxies value) { trustedProxies = value; return this; }
    /** Whether every connection starts with a PROXY header (v1 or v2); a connection from an untrusted peer is refused. */
    public boolean proxyProtocol() { return proxyProtocol; }
    public HttpEdgeContext proxyProtocol(final boolean value) { proxyProtocol = value; return this; }
    /** Open connections of the public listeners together: the soft descriptor limit less the reserve. */
    public int connectionBudget() { return connectionBudget; }
}
