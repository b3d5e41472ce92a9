package io.switchboard.edge.dop;

import io.switchboard.edge.peerjs.MessageReader;
import io.switchboard.edge.peerjs.PeerJsServer;
import io.switchboard.edge.peerjs.Realm;
import io.switchboard.edge.peerjs.WsQuery;
import io.switchboard.engine.metrics.Metrics;
import io.undertow.util.Headers;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;

/**
 * The dop listener: {@code upgrade on {dop-path}?key=K&id=ID -> DopConnection -> DopSessions -> Realm}, served on the
 * PeerJS port, so a session's data frames are PeerJS signaling in the same id space as PeerJS clients. Work stays on
 * Undertow's IO threads; the timers are theirs too.
 */
public final class DopServer
{
    private final DopSessions sessions;
    private final DopCounters counters;
    private final int maxFrameBytes;
    private final int maxSessions;

    private DopServer(final DopContext context, final Realm realm, final Metrics metrics)
    {
        this.maxSessions = context.maxSessions();
        this.counters = new DopCounters(metrics);
        this.sessions = new DopSessions(context, counters, realm);
        this.maxFrameBytes = realm.maxFrameBytes();
    }

    /** Serves dop at {@code context.path()} on the PeerJS listener's port. */
    public static DopServer mount(final DopContext context, final PeerJsServer peerjs, final Metrics metrics)
    {
        final DopServer dop = new DopServer(context, peerjs.realm(), metrics);
        final WebSocketProtocolHandshakeHandler upgrade = new WebSocketProtocolHandshakeHandler(dop::onConnect);
        peerjs.mount(context.path(), exchange ->
        {
            // Sockets only: a resume needs a socket but no new session, so retained sessions are capped at handshake.
            if (dop.counters.openConnections.get() >= dop.maxSessions)
            {
                dop.counters.refusedTooMany.increment();
                exchange.setStatusCode(503);
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
                exchange.getResponseSender().send("Too many connections");
                return;
            }
            upgrade.handleRequest(exchange);
        });
        return dop;
    }

    private void onConnect(final WebSocketHttpExchange exchange, final WebSocketChannel channel)
    {
        final WsQuery query = WsQuery.parse(exchange.getQueryString());
        final DopConnection connection = new DopConnection(channel, sessions, query.id(), query.key());
        channel.addCloseTask(closed -> sessions.closed(connection));
        channel.getReceiveSetter().set(new MessageReader(connection, counters.closedFrameTooLarge, maxFrameBytes));
        sessions.opened(connection);
        channel.resumeReceives();
    }
}
