package io.switchboard.cluster.links;

import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The timing rules of peer liveness on a fake clock: an agent polls every {@link #TICK_MS}. */
class PeerLivenessTest
{
    private static final long TIMEOUT_MS = 1_500;
    private static final long TICK_MS = 10;
    private static final int SELF = 0;

    private final List<String> events = new ArrayList<>();
    private final LinksCounters counters = new LinksCounters(new Metrics(), 3, SELF);
    private long nowMs = 1_000_000;
    private final PeerLiveness liveness = new PeerLiveness(3, SELF, TIMEOUT_MS, new LinkListener()
    {
        @Override
        public void onPeerUp(final int node, final long incarnation)
        {
            events.add("up " + node + " " + incarnation + " @" + nowMs);
        }

        @Override
        public void onPeerDown(final int node)
        {
            events.add("down " + node + " @" + nowMs);
        }
    }, counters);

    @Test
    void aPeerIsDownUntilHeardThenUpAtOnce()
    {
        tickUntil(nowMs + 5_000);
        assertFalse(liveness.isUp(1));
        assertTrue(events.isEmpty());

        assertTrue(liveness.onHeard(1, 77, 5, nowMs));
        assertTrue(liveness.isUp(1));
        assertEquals(List.of("up 1 77 @" + nowMs), events);
        assertEquals(1, counters.up[1].get());
        assertEquals(1, counters.ups[1].get());
        assertFalse(liveness.isUp(2));
    }

    @Test
    void aSilentPeerGoesDownAtTheTimeoutNotEarlierAndAtMostATickLate()
    {
        final long heardAtMs = nowMs + 3;
        nowMs = heardAtMs;
        liveness.onHeard(1, 77, 5, heardAtMs);
        events.clear();

        tickUntil(heardAtMs + TIMEOUT_MS + 5 * TICK_MS);

        assertEquals(1, events.size(), events.toString());
        final long downAtMs = Long.parseLong(events.get(0).substring("down 1 @".length()));
        assertTrue(downAtMs >= heardAtMs + TIMEOUT_MS, "early: " + downAtMs);
        assertTrue(downAtMs < heardAtMs + TIMEOUT_MS + TICK_MS, "more than a tick late: " + downAtMs);
        assertFalse(liveness.isUp(1));
        assertEquals(0, counters.up[1].get());
        assertEquals(1, counters.downs[1].get());
    }

    @Test
    void theDeadlineIsExactOnAPollAtTheVeryMillisecond()
    {
        liveness.onHeard(2, 9, 1, nowMs);
        final long deadlineMs = liveness.downDeadlineMs(2);
        assertEquals(nowMs + TIMEOUT_MS, deadlineMs);
        assertEquals(0, liveness.poll(deadlineMs - 1));
        assertTrue(liveness.isUp(2));
        assertEquals(1, liveness.poll(deadlineMs));
        assertFalse(liveness.isUp(2));
    }

    @Test
    void heartbeatsWithinTheTimeoutKeepAPeerUp()
    {
        final long endMs = nowMs + 20_000;
        long nextHeartbeatMs = nowMs;
        while (nowMs < endMs)
        {
            if (nowMs >= nextHeartbeatMs)
            {
                liveness.onHeard(1, 77, 5, nowMs);
                nextHeartbeatMs = nowMs + TIMEOUT_MS - TICK_MS;
            }
            liveness.poll(nowMs);
            nowMs += TICK_MS;
        }
        assertEquals(1, events.size(), events.toString());
        assertTrue(liveness.isUp(1));
    }

    @Test
    void aNewIncarnationIsDownThenUpAsNewAndTheOldOnesLateFramesAreRefused()
    {
        liveness.onHeard(1, 77, 5, nowMs);
        nowMs += 100;
        assertTrue(liveness.onHeard(1, 88, 6, nowMs));
        assertEquals(List.of("up 1 77 @" + (nowMs - 100), "down 1 @" + nowMs, "up 1 88 @" + nowMs), events);
        assertEquals(88, liveness.incarnation(1));

        assertFalse(liveness.onHeard(1, 77, 5, nowMs), "a straggler from the replaced process");
        liveness.onStreamGone(5);
        assertTrue(liveness.isUp(1), "the replaced process's stream ending does not take the new one down");
        assertEquals(3, events.size());
        assertEquals(2, counters.ups[1].get());
        assertEquals(1, counters.downs[1].get());
    }

    @Test
    void theEndOfAPeersStreamTakesItDownAtOnce()
    {
        liveness.onHeard(1, 77, 5, nowMs);
        liveness.onHeard(2, 99, 7, nowMs);
        liveness.onStreamGone(7);
        assertTrue(liveness.isUp(1));
        assertFalse(liveness.isUp(2));
        assertEquals("down 2 @" + nowMs, events.get(events.size() - 1));
        tickUntil(nowMs + 2 * TIMEOUT_MS);
        assertEquals(1, counters.downs[2].get(), "no second down from the timeout");
    }

    @Test
    void aPeerRestartedWhileDownComesUpAsNewAndItsPreviousIncarnationStaysRefused()
    {
        liveness.onHeard(1, 77, 5, nowMs);
        liveness.onStreamGone(5);
        nowMs += 3_000;
        assertTrue(liveness.onHeard(1, 88, 6, nowMs));
        assertFalse(liveness.onHeard(1, 77, 5, nowMs));
        assertEquals(List.of("up 1 77 @" + (nowMs - 3_000), "down 1 @" + (nowMs - 3_000), "up 1 88 @" + nowMs),
            events);
    }

    @Test
    void aPeerSilentButNotRestartedComesBackWithTheSameIncarnation()
    {
        liveness.onHeard(1, 77, 5, nowMs);
        tickUntil(nowMs + TIMEOUT_MS + TICK_MS);
        assertFalse(liveness.isUp(1));
        assertTrue(liveness.onHeard(1, 77, 5, nowMs));
        assertTrue(liveness.isUp(1));
        assertEquals("up 1 77 @" + nowMs, events.get(events.size() - 1));
    }

    private void tickUntil(final long endMs)
    {
        while (nowMs < endMs)
        {
            nowMs += TICK_MS;
            liveness.poll(nowMs);
        }
    }
}
