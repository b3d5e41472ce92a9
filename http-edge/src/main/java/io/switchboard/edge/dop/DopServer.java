package io.switchboard.edge.dop;

import io.switchboard.edge.peerjs.MessageReader;
import io.switchboard.edge.peerjs.PeerJsServer;
import io.switchboard.edge.peerjs.Realm;
import io.switchboard.edge.peerjs.WsQuery;
import io.switchboard.edge.websocket.PartialBudget;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import io.undertow.util.Headers;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The dop listener: {@code upgrade on {dop-path}?key=K&id=ID -> DopConnection -> DopSessions -> Realm}, served on the
 * PeerJS port, so a session's data frames are PeerJS signaling in the same id space as PeerJS clients. Work stays on
 * Undertow's IO threads; the timers are theirs too, and both report to the dop {@link Watch}. Closing it, before the
 * PeerJS listener stops, sends every open socket a 1001 close.
 */
public final class DopServer implements AutoCloseable
{
    /** How long stopping waits for the 1001 closes to be written. */
    private static final long GOING_AWAY_WAIT_MS = 1_000;

    private final DopSessions sessions;
    private final DopCounters counters;
    private final int maxFrameBytes;
    private final int maxSessions;
    private final PartialBudget partials;
    private final Watch watch;
    private final Set<DopConnection> open = ConcurrentHashMap.newKeySet();

    private DopServer(
        final DopContext context, final Realm realm, final Metrics metrics, final PartialBudget partials,
        final Watch watch)
    {
        this.maxSessions = context.maxSessions();
        this.counters = new DopCounters(metrics);
        this.sessions = new DopSessions(context, counters, realm);
        this.maxFrameBytes = realm.maxFrameBytes();
        this.partials = partials;
        this.watch = watch;
    }

    /**
     * Serves dop at {@code context.path()} on the PeerJS listener's port; unfinished messages are held within
     * {@code partials}.
     */
    public static DopServer mount(
        final DopContext context,
        final PeerJsServer peerjs,
        final Metrics metrics,
        final PartialBudget partials,
        final Liveness liveness)
    {
        final DopServer dop = new DopServer(
            context, peerjs.realm(), metrics, partials, liveness.register("switchboard-dop"));
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
        final DopConnection connection = new DopConnection(channel, sessions, query.id(), query.key(), watch);
        open.add(connection);
        channel.addCloseTask(closed ->
        {
            open.remove(connection);
            sessions.closed(connection);
        });
        new MessageReader(channel, connection, counters.closedFrameTooLarge, maxFrameBytes, partials, watch);
        sessions.opened(connection);
        channel.resumeReceives();
    }

    /** Sends every open socket a 1001 close and waits (a little) for them to be written. */
    @Override
    public void close()
    {
        final CountDownLatch sent = new CountDownLatch(open.size());
        open.forEach(connection -> connection.goAway(sent::countDown));
        try
        {
            sent.await(GOING_AWAY_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
