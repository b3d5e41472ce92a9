package io.switchboard.edge.peerjs;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When messages queued for an offline id expire, on a fake clock: the sender gets EXPIRE at the first wheel tick
 * at or after the expire timeout from the first queued message, never before.
 */
class RealmQueueExpiryTest
{
    private static final long START_MS = 9_000_000;
    private static final long TICK_MS = PeerJsContext.DEFAULT_TIMER_TICK_MS;
    private static final long EXPIRE_MS = 5_000;

    @Test
    void theSenderGetsExpireAtTheFirstTickAtOrAfterTheTimeoutFromTheFirstQueuedMessage()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(START_MS);
        final DeadlineWheel wheel = new DeadlineWheel(TICK_MS, clock, new Liveness(new Metrics()).register("deadlines"));
        final Realm realm = new Realm(new PeerJsContext().expireTimeoutMs(EXPIRE_MS).conclude(),
            new PeerJsCounters(new Metrics()), wheel);
        final RealmFixture.Recorder sender = new RealmFixture.Recorder();
        realm.admit(sender, "A", "t", "peerjs");
        assertEquals(List.of("{\"type\":\"OPEN\"}"), sender.frames);

        final long firstQueuedMs = START_MS + 1_234;
        clock.update(firstQueuedMs);
        relay(realm, sender, "{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":1}");
        clock.update(firstQueuedMs + 2_000);
        relay(realm, sender, "{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":2}");

        final String expire = "{\"type\":\"EXPIRE\",\"src\":\"C\",\"dst\":\"A\"}";
        long expiredAtMs = -1;
        for (long now = START_MS; now <= firstQueuedMs + 3 * EXPIRE_MS && expiredAtMs < 0; now++)
        {
            clock.update(now);
            wheel.poll(now);
            if (sender.frames.contains(expire))
            {
                expiredAtMs = now;
            }
        }
        assertTrue(expiredAtMs >= firstQueuedMs + EXPIRE_MS, "expired " + (firstQueuedMs + EXPIRE_MS - expiredAtMs)
            + " ms early");
        assertTrue(expiredAtMs < firstQueuedMs + EXPIRE_MS + TICK_MS, "expired " +
            (expiredAtMs - firstQueuedMs - EXPIRE_MS) + " ms late");
        assertEquals(1, sender.frames.stream().filter(expire::equals).count(), "one EXPIRE per sender");
    }

    private static void relay(final Realm realm, final SignalEndpoint from, final String frame)
    {
        final byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        realm.onMessage(from, bytes, bytes.length);
    }
}
