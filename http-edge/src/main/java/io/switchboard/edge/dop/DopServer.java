package io.switchboard.edge.dop;

import io.switchboard.edge.peerjs.PeerJsServer;
import io.switchboard.edge.peerjs.Realm;
import io.switchboard.edge.websocket.PartialBudget;
import io.switchboard.edge.websocket.WebSocketConnection;
import io.switchboard.engine.metrics.Metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dop listener: {@code upgrade on {dop-path}?key=K&id=ID -> DopConnection -> DopSessions -> Realm}, served on the
 * PeerJS port, so a session's data frames are PeerJS signaling in the same id space as PeerJS clients. Its sockets
 * are handshaken and owned like PeerJS ones (the PeerJS listener's signaling agents and WebSocket layer), with dop's
 * own frame limit, close codes and slow-consumer rule; its timers are on the owning agent's wheel. As the PeerJS
 * listener stops, its agents send every socket they own, dop ones included, a 1001 close.
 */
public final class DopServer
{
    /** Each signaling agent's sessions, by agent index: a socket's are those of the agent owning its id. */
    private final DopSessions[] sessions;
    private final Realm realm;
    private final DopCounters counters;
    private final int maxSessions;
    private final WebSocketConnection.Settings settings;

    private DopServer(final DopContext context, final Realm realm, final Metrics metrics, final PartialBudget partials)
    {
        this.maxSessions = context.maxSessions();
        this.counters = new DopCounters(metrics);
        this.realm = realm;
        final AtomicInteger kept = new AtomicInteger();
        this.sessions = new DopSessions[realm.shards()];
        Arrays.setAll(sessions, agent -> new DopSessions(context, counters, realm.shard(agent), kept));
        this.settings = new WebSocketConnection.Settings(
            realm.maxFrameBytes(), partials, counters.closedFrameTooLarge, counters.closedProtocolError);
    }

    /**
     * Serves dop at {@code context.path()} on the PeerJS listener's port; unfinished messages are held within
     * {@code partials}. Its sockets' faults are reported to the watches of the agents that own them.
     */
    public static DopServer mount(
        final DopContext context, final PeerJsServer peerjs, final Metrics metrics, final PartialBudget partials)
    {
        final DopServer dop = new DopServer(context, peerjs.realm(), metrics, partials);
        peerjs.mount(context.path(), new PeerJsServer.Mount()
        {
            @Override
            public boolean full()
            {
                // Sockets only: a resume needs a socket but no new session, so retained sessions are capped at
                // handshake.
                if (dop.counters.openConnections.get() >= dop.maxSessions)
                {
                    dop.counters.refusedTooMany.increment();
                    return true;
                }
                return false;
            }

            @Override
            public WebSocketConnection.Settings settings()
            {
                return dop.settings;
            }

            @Override
            public WebSocketConnection.Endpoint endpoint(final String id, final String key)
            {
                return new DopConnection(dop.sessions[dop.realm.owner(id)], id, key);
            }
        });
        return dop;
    }
}
