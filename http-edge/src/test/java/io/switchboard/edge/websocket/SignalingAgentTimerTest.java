package io.switchboard.edge.websocket;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's one timer wheel on a fake clock, its duty cycles run by the test: each deadline fires at the first cycle
 * at or after it (never before, at most a tick later when cycles are a tick apart), and a sent close cuts the socket
 * exactly when its grace has passed unless the peer answers first.
 */
class SignalingAgentTimerTest
{
    /** Where the fake clock starts: nowhere near zero, so nothing depends on it. */
    private static final long START_MS = 1_234_567;

    private long nowMs = START_MS;
    private final NanoClock clock = () -> TimeUnit.MILLISECONDS.toNanos(nowMs);
    private final SignalingAgent agent =
        new SignalingAgent("test-agent", new Liveness(new Metrics()).register("test-agent"), clock);

    @AfterEach
    void close()
    {
        agent.onClose();
    }

    @Test
    void eachDeadlineFiresAtTheFirstCycleAtOrAfterIt() throws Exception
    {
        agent.onStart();
        agent.doWork();
        final long[] deadlines = {1, 7, 8, 9, 100, 2_000, 4_100, 9_999};
        final List<long[]> fired = new ArrayList<>();
        for (final long deadline : deadlines)
        {
            agent.schedule(START_MS + deadline, now -> fired.add(new long[]{deadline, now - START_MS}));
        }
        for (long t = 0; t <= 10_000; t++)
        {
            nowMs = START_MS + t;
            agent.doWork();
        }
        assertEquals(deadlines.length, fired.size());
        for (int i = 0; i < deadlines.length; i++)
        {
            assertArrayEquals(new long[]{deadlines[i], deadlines[i]}, fired.get(i), "fired exactly at its deadline");
        }
        assertEquals(0, agent.scheduledTimers());
    }

    @Test
    void cyclesATickApartFireNeverEarlyAndAtMostATickLate() throws Exception
    {
        agent.onStart();
        agent.doWork();
        final long[] deadlines = {3, 8, 13, 500, 4_097};
        final long[] firedAt = new long[deadlines.length];
        for (int i = 0; i < deadlines.length; i++)
        {
            final int index = i;
            agent.schedule(START_MS + deadlines[i], now -> firedAt[index] = now - START_MS);
        }
        for (long t = 0; t <= 5_000; t += SignalingAgent.TICK_MS)
        {
            nowMs = START_MS + t;
            agent.doWork();
        }
        for (int i = 0; i < deadlines.length; i++)
        {
            assertTrue(firedAt[i] >= deadlines[i], "not early: " + deadlines[i] + " fired at " + firedAt[i]);
            assertTrue(firedAt[i] <= deadlines[i] + SignalingAgent.TICK_MS,
                "at most a tick late: " + deadlines[i] + " fired at " + firedAt[i]);
        }
    }

    @Test
    void aCancelledTimerNeverFires() throws Exception
    {
        agent.onStart();
        agent.doWork();
        final boolean[] fired = new boolean[1];
        final long id = agent.schedule(START_MS + 50, now -> fired[0] = true);
        agent.cancel(id);
        nowMs += 1_000;
        agent.doWork();
        assertFalse(fired[0]);
        assertEquals(0, agent.scheduledTimers());
    }

    @Test
    void theSelectorBlocksUntilTheEarliestDeadlineAndForeverWithNone() throws Exception
    {
        agent.onStart();
        agent.doWork();
        assertEquals(0, agent.idleTimeoutMs(), "no deadline: block until woken");
        agent.schedule(START_MS + 3, now -> { });
        assertEquals(3, agent.idleTimeoutMs());
        agent.schedule(START_MS + 2_000, now -> { });
        nowMs += 3;
        agent.doWork();
        final long timeout = agent.idleTimeoutMs();
        assertTrue(timeout >= 1 && timeout <= SignalingAgent.TICK_MS, "wakes within a tick: " + timeout);
    }

    @Test
    void aSentCloseCutsTheSocketWhenItsGraceHasPassedNotBefore() throws Exception
    {
        agent.onStart();
        try (AgentSockets sockets = new AgentSockets())
        {
            final boolean[] closed = new boolean[1];
            final AgentSockets.Pair pair = sockets.open(agent, handler(closed));
            pair.server().start();
            agent.doWork();
            pair.server().close(WebSocketConnection.NORMAL_CLOSURE);
            assertArrayEquals(new byte[]{(byte)0x88, 2, 0x03, (byte)0xE8}, pair.read(4), "close 1000 sent at once");

            final long sentMs = nowMs;
            nowMs = sentMs + WebSocketConnection.CLOSE_GRACE_MS - 1;
            agent.doWork();
            assertTrue(pair.server().isOpen(), "cut a millisecond early");
            assertFalse(closed[0]);

            nowMs = sentMs + WebSocketConnection.CLOSE_GRACE_MS;
            agent.doWork();
            assertFalse(pair.server().isOpen(), "not cut when the grace has passed");
            assertTrue(closed[0], "the handler hears of it");
            assertTrue(pair.cutByServer());
            assertEquals(0, agent.scheduledTimers());
        }
    }

    @Test
    void aPeerThatAnswersTheCloseIsCutAtOnceAndItsGraceTimerGoes() throws Exception
    {
        agent.onStart();
        try (AgentSockets sockets = new AgentSockets())
        {
            final boolean[] closed = new boolean[1];
            final AgentSockets.Pair pair = sockets.open(agent, handler(closed));
            pair.server().start();
            agent.doWork();
            pair.server().close(WebSocketConnection.NORMAL_CLOSURE);
            pair.read(4);
            assertEquals(1, agent.scheduledTimers());

            pair.sendClose(WebSocketConnection.NORMAL_CLOSURE);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pair.server().isOpen() && System.nanoTime() < deadline)
            {
                agent.doWork(); // the fake clock stands still: only the answer can cut it
            }
            assertFalse(pair.server().isOpen());
            assertTrue(closed[0]);
            assertEquals(0, agent.scheduledTimers());
        }
    }

    @Test
    void aCloseFromAnotherThreadStartsItsGraceOnTheAgentsWheel() throws Exception
    {
        agent.onStart();
        try (AgentSockets sockets = new AgentSockets())
        {
            final AgentSockets.Pair pair = sockets.open(agent, handler(new boolean[1]));
            pair.server().start();
            agent.doWork();
            final Thread other = new Thread(() -> pair.server().close(WebSocketConnection.GOING_AWAY));
            other.start();
            other.join();
            assertEquals(0, agent.scheduledTimers(), "only the agent touches its wheel");
            agent.doWork();
            assertEquals(1, agent.scheduledTimers(), "the inbox command scheduled it");
            nowMs += WebSocketConnection.CLOSE_GRACE_MS;
            agent.doWork();
            assertFalse(pair.server().isOpen());
        }
    }

    private static WebSocketConnection.Handler handler(final boolean[] closed)
    {
        return new WebSocketConnection.Handler()
        {
            @Override
            public void onMessage(final byte[] bytes, final int length)
            {
            }

            @Override
            public void onClosed()
            {
                closed[0] = true;
            }
        };
    }
}
