package io.switchboard.edge.dop;

import io.switchboard.edge.peerjs.PeerJsContext;
import io.switchboard.edge.peerjs.Realm;
import io.switchboard.edge.peerjs.RealmFixture;
import io.switchboard.edge.websocket.AgentSockets;
import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.protocol.dop.DopToken;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dop session deadlines on a fake clock (spec 2.5 with the §2.12 recommendations): the real {@link DopSessions},
 * {@link Realm} and the {@link SignalingAgent} that owns the session's id, whose duty cycles the test runs on a thread
 * of its own, over loopback sockets (a resume re-opens the same URL, so it reaches the same agent). Each test says at
 * which fake-clock value a deadline fired: the handshake timeout at {@code --dop-handshake-timeout-ms} after the
 * socket started unless the handshake completed, the retention at {@code --dop-retention-ms} after the socket was
 * lost unless the session resumed, counted from the last loss.
 */
class DopSessionsClockTest
{
    /** Where the fake clock starts: nowhere near zero, so nothing depends on it. */
    private static final long START_MS = 7_654_321;
    private static final long HANDSHAKE_TIMEOUT_MS = 300;
    private static final long RETENTION_MS = 700;
    private static final long NEVER = -1;
    private static final String ID = "a";
    private static final String CLIENT_TOKEN = "Bf8TqW1eR5uIo0Lp";
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final String OFFER = "{\"type\":\"OFFER\",\"dst\":\"a\",\"payload\":{\"sdp\":\"x\"}}";
    private static final String OFFER_FROM_PEER =
        "{\"type\":\"OFFER\",\"src\":\"b\",\"dst\":\"a\",\"payload\":{\"sdp\":\"x\"}}";

    private volatile long nowMs = START_MS;
    private final NanoClock clock = () -> TimeUnit.MILLISECONDS.toNanos(nowMs);
    private final DopCounters counters = new DopCounters(new Metrics());
    private final List<Node> nodes = new ArrayList<>();
    private AgentSockets sockets;
    private DrivenAgent first;
    private Realm realm;
    private DopSessions sessions;

    @BeforeEach
    void start() throws Exception
    {
        sockets = new AgentSockets();
        first = new DrivenAgent("dop-agent-0");
        realm = RealmFixture.on(new PeerJsContext().conclude(), new Metrics(), first.agent);
        sessions = new DopSessions(
            new DopContext().handshakeTimeoutMs(HANDSHAKE_TIMEOUT_MS).retentionMs(RETENTION_MS).conclude(), counters,
            realm.shard(0), new AtomicInteger());
    }

    @AfterEach
    void stop() throws Exception
    {
        first.close();
        for (final Node node : nodes)
        {
            node.pair.client().close();
        }
        sockets.close();
    }

    @ParameterizedTest(name = "duty cycles {0} ms apart")
    @ValueSource(longs = {1, SignalingAgent.TICK_MS})
    void aSocketThatDoesNotCompleteTheHandshakeIsClosedAtTheTimeoutNotBefore(final long cycleMs) throws Exception
    {
        nowMs = START_MS + 3; // off the wheel's tick grid
        final Node silent = connect(first);
        final long startedMs = nowMs;
        silent.read(); // its temporary node's local token
        silent.send(CLIENT_TOKEN);
        assertEquals(1, counters.framesControl.get(), "half a handshake: preconnected");

        final long firedMs = firstCycleWhen(cycleMs, startedMs + 2 * HANDSHAKE_TIMEOUT_MS,
            () -> counters.closedHandshakeTimeout.get() == 1);
        assertAtFirstCycleFrom(startedMs + HANDSHAKE_TIMEOUT_MS, firedMs, cycleMs);
        silent.read(); // the local token again
        assertEquals(1008, silent.closeCode());
        assertEquals(0, counters.connected.get());
    }

    @Test
    void aCompletedHandshakeIsNeverTimedOut() throws Exception
    {
        final Node node = connect(first);
        final long startedMs = nowMs;
        nowMs += HANDSHAKE_TIMEOUT_MS - 1;
        node.handshake();

        assertEquals(NEVER, firstCycleWhen(1, startedMs + 3 * HANDSHAKE_TIMEOUT_MS,
            () -> counters.closedHandshakeTimeout.get() != 0 || node.pair.server().isClosing()));
        assertEquals(1, counters.connectedSessions.get());
        relayFromPeer();
        assertEquals(OFFER_FROM_PEER, node.read(), "still connected, still relaying");
    }

    @ParameterizedTest(name = "duty cycles {0} ms apart")
    @ValueSource(longs = {1, SignalingAgent.TICK_MS})
    void aSessionWhoseSocketIsLostIsForgottenAtTheRetentionNotBefore(final long cycleMs) throws Exception
    {
        final Node node = connect(first);
        final String finalToken = node.handshake();
        nowMs += 5; // off the wheel's tick grid
        final long lostMs = node.cut();
        relayFromPeer();
        assertEquals(1, counters.queuedMessages.get(), "kept for a resume");

        final long firedMs = firstCycleWhen(cycleMs, lostMs + 2 * RETENTION_MS,
            () -> counters.retentionExpired.get() == 1);
        assertAtFirstCycleFrom(lostMs + RETENTION_MS, firedMs, cycleMs);
        assertEquals(0, counters.reconnectingSessions.get());
        assertEquals(1, counters.queueDiscarded.get(), "nobody will take the queue");

        final Node late = connect(first);
        final String local = late.read();
        late.send(finalToken);
        assertEquals(local, late.read(), "the final token names no session: an ordinary remote token");
        assertEquals(0, counters.resumed.get());
        final RealmFixture.Recorder newcomer = new RealmFixture.Recorder();
        first.call(() ->
        {
            realm.shard(0).admit(newcomer, ID, "another-token", PeerJsContext.DEFAULT_KEY, null);
            return 0;
        });
        assertEquals(List.of(OPEN), newcomer.frames, "the realm forgot the id");
    }

    @Test
    void aResumeBeforeTheRetentionCancelsItAndKeepsTheQueue() throws Exception
    {
        final Node node = connect(first);
        final String finalToken = node.handshake();
        final long lostMs = node.cut();
        assertEquals(NEVER, firstCycleWhen(1, lostMs + RETENTION_MS - 1, () -> counters.retentionExpired.get() != 0));
        relayFromPeer();

        final Node resumed = connect(first);
        resumed.read(); // its temporary node's local token
        resumed.send(finalToken);
        assertEquals(finalToken, resumed.read(), "resumed");
        assertEquals(OFFER_FROM_PEER, resumed.read(), "what waited follows");
        assertEquals(1, counters.resumed.get());
        assertEquals(0, counters.queuedMessages.get());

        assertEquals(NEVER, firstCycleWhen(1, lostMs + 3 * RETENTION_MS,
            () -> counters.retentionExpired.get() != 0 || resumed.pair.server().isClosing()));
        assertEquals(1, counters.connectedSessions.get());
        assertEquals(0, counters.reconnectingSessions.get());
        relayFromPeer();
        assertEquals(OFFER_FROM_PEER, resumed.read(), "the session goes on");
    }

    @Test
    void aSecondLossRestartsTheRetention() throws Exception
    {
        final Node node = connect(first);
        final String finalToken = node.handshake();
        final long firstLossMs = node.cut();
        firstCycleWhen(1, firstLossMs + RETENTION_MS / 2, () -> false);
        final Node resumed = connect(first);
        resumed.read();
        resumed.send(finalToken);
        assertEquals(finalToken, resumed.read());
        firstCycleWhen(1, firstLossMs + RETENTION_MS - 100, () -> false);
        final long secondLossMs = resumed.cut();
        assertEquals(2, counters.socketLost.get());

        final long firedMs = firstCycleWhen(1, secondLossMs + 2 * RETENTION_MS,
            () -> counters.retentionExpired.get() != 0);
        assertEquals(RETENTION_MS, firedMs - secondLossMs, "ms from the second loss (the first was " +
            (secondLossMs - firstLossMs) + " ms before it)");
        assertEquals(0, counters.reconnectingSessions.get());
    }

    // ---------------------------------------------------------------- the fake clock and the agents

    /**
     * Moves the fake clock {@code cycleMs} at a time until {@code untilMs}, a duty cycle of each agent at every
     * step.
     *
     * @return the clock at the first cycle after which {@code fired} holds, or {@link #NEVER}
     */
    private long firstCycleWhen(final long cycleMs, final long untilMs, final BooleanSupplier fired) throws Exception
    {
        while (nowMs < untilMs)
        {
            nowMs += cycleMs;
            first.cycle();
            if (fired.getAsBoolean())
            {
                return nowMs;
            }
        }
        return NEVER;
    }

    private static void assertAtFirstCycleFrom(final long deadlineMs, final long firedMs, final long cycleMs)
    {
        assertTrue(firedMs != NEVER, "never fired");
        assertTrue(firedMs >= deadlineMs, "fired " + (deadlineMs - firedMs) + " ms early");
        assertTrue(firedMs < deadlineMs + cycleMs, "fired " + (firedMs - deadlineMs) + " ms late, cycles " +
            cycleMs + " ms apart");
        assertTrue(firedMs <= deadlineMs + SignalingAgent.TICK_MS, "more than a tick late");
    }

    /**
     * A signaling agent whose duty cycles the test runs on the agent's own thread, one at a time. The thread is not a
     * runner's agent thread, so what the agent sends is written at once rather than gathered until the cycle's end.
     */
    private final class DrivenAgent implements AutoCloseable
    {
        final SignalingAgent agent;
        private final ExecutorService thread;

        DrivenAgent(final String name) throws Exception
        {
            agent = new SignalingAgent(name, new Liveness(new Metrics()).register(name), clock);
            thread = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, name));
            call(() ->
            {
                agent.onStart();
                return 0;
            });
        }

        int cycle() throws Exception
        {
            return call(agent::doWork);
        }

        /** Cycles without moving the clock until {@code done} holds (a socket's bytes take a moment to arrive). */
        void cycleUntil(final BooleanSupplier done) throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!done.getAsBoolean())
            {
                assertTrue(System.nanoTime() < deadline, "the agent never got there");
                cycle();
            }
        }

        private <T> T call(final Callable<T> work) throws Exception
        {
            return thread.submit(work).get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception
        {
            call(() ->
            {
                agent.onClose();
                return 0;
            });
            thread.shutdown();
        }
    }

    // ---------------------------------------------------------------- the client side

    private RealmFixture.Recorder peer;

    /**
     * A PeerJS party "b", admitted on first use, sends {@link #OFFER} to the dop session's id, on the agent's thread
     * (the shard's).
     */
    private void relayFromPeer() throws Exception
    {
        if (peer == null)
        {
            peer = new RealmFixture.Recorder();
            first.call(() ->
            {
                realm.shard(0).admit(peer, "b", "peer-token", PeerJsContext.DEFAULT_KEY, null);
                return 0;
            });
            assertEquals(List.of(OPEN), peer.frames);
        }
        final byte[] offer = OFFER.getBytes(StandardCharsets.UTF_8);
        first.call(() ->
        {
            realm.shard(0).onMessage(peer, offer, offer.length);
            return 0;
        });
    }

    /** A dop socket of {@code owner}, started (its handshake clock runs from the current fake time). */
    private Node connect(final DrivenAgent owner) throws Exception
    {
        final DopConnection connection = new DopConnection(sessions, ID, PeerJsContext.DEFAULT_KEY);
        final AgentSockets.Pair pair = sockets.open(owner.agent, connection);
        connection.attach(pair.server());
        pair.server().start();
        final long opened = counters.connectionsOpened.get();
        owner.cycleUntil(() -> counters.connectionsOpened.get() > opened);
        final Node client = new Node(owner, pair);
        nodes.add(client);
        return client;
    }

    /** The client end of one dop socket. */
    private final class Node
    {
        final DrivenAgent owner;
        final AgentSockets.Pair pair;

        Node(final DrivenAgent owner, final AgentSockets.Pair pair)
        {
            this.owner = owner;
            this.pair = pair;
        }

        /** Sends one text frame; returns once the owner has handled it. */
        void send(final String text) throws Exception
        {
            final long before = framesHandled();
            pair.sendText(text);
            owner.cycleUntil(() -> framesHandled() > before);
        }

        /** The token handshake of a new session (spec 2.5), which the realm admits: the session's final token. */
        String handshake() throws Exception
        {
            final String serverToken = read();
            send(CLIENT_TOKEN);
            assertEquals(serverToken, read());
            send(CLIENT_TOKEN);
            assertEquals(OPEN, read());
            return DopToken.unique(serverToken, CLIENT_TOKEN);
        }

        /** The client's socket goes away at once; returns the fake time at which its agent saw it go. */
        long cut() throws Exception
        {
            pair.client().setSoLinger(true, 0);
            pair.client().close();
            owner.cycleUntil(() -> !pair.server().isOpen());
            return nowMs;
        }

        /** The next text frame the server sent. */
        String read() throws IOException
        {
            return pair.readText();
        }

        /** The code of the close frame the server sent next. */
        int closeCode() throws IOException
        {
            return pair.readCloseCode();
        }
    }

    private long framesHandled()
    {
        return counters.framesControl.get() + counters.framesData.get() + counters.framesIgnored.get();
    }
}
