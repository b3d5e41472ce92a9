package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.AgentSockets;
import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PeerJS socket's liveness deadline on its owning signaling agent's wheel, on a fake clock: the real {@link Realm},
 * {@link PeerSocket} and a {@link SignalingAgent} whose duty cycles the test runs on a thread of its own, over a
 * loopback socket. The socket is closed (1000, counted as an alive timeout) at the first duty cycle at or after its
 * last HEARTBEAT (else its start on the agent) plus {@code --peerjs-alive-timeout-ms}: never before, exactly then
 * with 1 ms cycles, at most one wheel tick late with tick-spaced cycles.
 */
class PeerSocketLivenessClockTest
{
    /** Where the fake clock starts: nowhere near zero, so nothing depends on it. */
    private static final long START_MS = 5_432_109;
    private static final long ALIVE_TIMEOUT_MS = 1_000;
    private static final long NEVER = -1;
    private static final String HEARTBEAT = "{\"type\":\"HEARTBEAT\"}";

    private volatile long nowMs = START_MS;
    private final NanoClock clock = () -> TimeUnit.MILLISECONDS.toNanos(nowMs);
    private final SignalingAgent agent =
        new SignalingAgent("peerjs-agent-0", new Liveness(new Metrics()).register("peerjs-agent-0"), clock);
    private final Realm realm = RealmFixture.on(
        new PeerJsContext().aliveTimeoutMs(ALIVE_TIMEOUT_MS).conclude(), new Metrics(), agent);
    private final PeerJsCounters counters = realm.counters();
    private AgentSockets sockets;
    private ExecutorService agentThread;
    private AgentSockets.Pair pair;

    @BeforeEach
    void start() throws Exception
    {
        sockets = new AgentSockets();
        agentThread = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "peerjs-agent-0"));
        onAgent(() ->
        {
            agent.onStart();
            return 0;
        });
    }

    @AfterEach
    void stop() throws Exception
    {
        onAgent(() ->
        {
            agent.onClose();
            return 0;
        });
        agentThread.shutdown();
        if (pair != null)
        {
            pair.client().close();
        }
        sockets.close();
    }

    @ParameterizedTest(name = "duty cycles {0} ms apart")
    @ValueSource(longs = {1, SignalingAgent.TICK_MS})
    void aSilentSocketIsClosedAtTheAliveTimeoutAfterItStartedNotBefore(final long cycleMs) throws Exception
    {
        nowMs = START_MS + 3; // off the wheel's tick grid
        final long startedMs = connect();

        final long firedMs = firstCycleWhen(cycleMs, startedMs + 2 * ALIVE_TIMEOUT_MS, this::closedAsDead);
        assertAtFirstCycleFrom(startedMs + ALIVE_TIMEOUT_MS, firedMs, cycleMs);
        assertEquals(1000, closeCode());
        assertEquals(1, counters.closedAliveTimeout.get());
    }

    @ParameterizedTest(name = "duty cycles {0} ms apart")
    @ValueSource(longs = {1, SignalingAgent.TICK_MS})
    void aHeartbeatBeforeTheDeadlineMovesItToTheHeartbeatPlusTheTimeout(final long cycleMs) throws Exception
    {
        final long startedMs = connect();
        assertEquals(NEVER, firstCycleWhen(cycleMs, startedMs + ALIVE_TIMEOUT_MS - 250, this::closedAsDead));
        final long heartbeatMs = heartbeat();
        nowMs += 5; // off the wheel's tick grid

        assertEquals(NEVER, firstCycleWhen(cycleMs, startedMs + ALIVE_TIMEOUT_MS + 2 * SignalingAgent.TICK_MS,
            this::closedAsDead), "the first deadline passed while the heartbeat held it off");
        final long firedMs = firstCycleWhen(cycleMs, heartbeatMs + 2 * ALIVE_TIMEOUT_MS, this::closedAsDead);
        assertAtFirstCycleFrom(heartbeatMs + ALIVE_TIMEOUT_MS, firedMs, cycleMs);
        assertEquals(1000, closeCode());
    }

    @Test
    void heartbeatsKeepASocketOpenIndefinitely() throws Exception
    {
        final long startedMs = connect();
        long lastMs = startedMs;
        for (int i = 0; i < 5; i++)
        {
            assertEquals(NEVER, firstCycleWhen(1, lastMs + ALIVE_TIMEOUT_MS - 1, this::closedAsDead));
            lastMs = heartbeat();
        }
        assertTrue(pair.server().isOpen() && !pair.server().isClosing());
        final long firedMs = firstCycleWhen(1, lastMs + 2 * ALIVE_TIMEOUT_MS, this::closedAsDead);
        assertEquals(ALIVE_TIMEOUT_MS, firedMs - lastMs, "ms from the last heartbeat");
    }

    @Test
    void aSocketClosedBeforeItsDeadlineIsNeverCountedAsTimedOut() throws Exception
    {
        final long startedMs = connect();
        firstCycleWhen(1, startedMs + ALIVE_TIMEOUT_MS / 2, () -> false);
        pair.client().setSoLinger(true, 0);
        pair.client().close();
        cycleUntil(() -> !pair.server().isOpen());
        assertEquals(1, counters.connectionsClosed.get());

        assertEquals(NEVER, firstCycleWhen(1, startedMs + 3 * ALIVE_TIMEOUT_MS,
            () -> counters.closedAliveTimeout.get() != 0));
        assertEquals(0, realm.openSockets());
    }

    // ---------------------------------------------------------------- the fake clock and the agent

    /** Whether the socket has been closed for want of a heartbeat. */
    private boolean closedAsDead()
    {
        return counters.closedAliveTimeout.get() != 0 || pair.server().isClosing();
    }

    /**
     * Moves the fake clock {@code cycleMs} at a time until {@code untilMs}, a duty cycle of the agent at every step.
     *
     * @return the clock at the first cycle after which {@code fired} holds, or {@link #NEVER}
     */
    private long firstCycleWhen(final long cycleMs, final long untilMs, final BooleanSupplier fired) throws Exception
    {
        while (nowMs < untilMs)
        {
            nowMs += cycleMs;
            onAgent(agent::doWork);
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

    /** Cycles without moving the clock until {@code done} holds (a socket's bytes take a moment to arrive). */
    private void cycleUntil(final BooleanSupplier done) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "the agent never got there");
            onAgent(agent::doWork);
        }
    }

    private <T> T onAgent(final Callable<T> work) throws Exception
    {
        return agentThread.submit(work).get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- the client side

    /** A PeerJS socket admitted as "a", started on the agent: the fake time its liveness runs from. */
    private long connect() throws Exception
    {
        final PeerSocket socket = new PeerSocket(realm.shard(0), new WsQuery(PeerJsContext.DEFAULT_KEY, "a", "t"));
        pair = sockets.open(agent, socket);
        socket.attach(pair.server());
        realm.socketOpened();
        pair.server().start();
        onAgent(agent::doWork); // takes the REGISTER command: the agent reads the socket and admits it
        assertEquals("{\"type\":\"OPEN\"}", text());
        assertFalse(pair.server().isClosing());
        return nowMs;
    }

    /** The client sends a HEARTBEAT; returns the fake time at which the agent handled it. */
    private long heartbeat() throws Exception
    {
        final long before = counters.frames(MessageType.HEARTBEAT).get();
        pair.sendText(HEARTBEAT);
        cycleUntil(() -> counters.frames(MessageType.HEARTBEAT).get() > before);
        return nowMs;
    }

    private String text() throws IOException
    {
        return pair.readText();
    }

    private int closeCode() throws IOException
    {
        return pair.readCloseCode();
    }
}
