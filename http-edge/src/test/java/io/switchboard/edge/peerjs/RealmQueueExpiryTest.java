package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When messages queued for an offline id expire, on a fake clock: the queue's deadline is on the wheel of the agent
 * that owns the id, whose duty cycles the test runs 1 ms apart; the sender gets EXPIRE at the first cycle at or after
 * the expire timeout from the first queued message, never before.
 */
class RealmQueueExpiryTest
{
    private static final long START_MS = 9_000_000;
    private static final long EXPIRE_MS = 5_000;

    private volatile long nowMs = START_MS;
    private final NanoClock clock = () -> TimeUnit.MILLISECONDS.toNanos(nowMs);

    @Test
    void theSenderGetsExpireAtTheFirstCycleAtOrAfterTheTimeoutFromTheFirstQueuedMessage() throws Exception
    {
        final SignalingAgent agent =
            new SignalingAgent("realm-agent", new Liveness(new Metrics()).register("realm-agent"), clock);
        agent.onStart();
        final Realm realm = RealmFixture.on(new PeerJsContext().expireTimeoutMs(EXPIRE_MS).conclude(), new Metrics(),
            agent);
        final RealmShard shard = realm.shard(0);
        final RealmFixture.Recorder sender = new RealmFixture.Recorder();
        shard.admit(sender, "A", "t", "peerjs", null);
        assertEquals(List.of("{\"type\":\"OPEN\"}"), sender.frames);

        final long firstQueuedMs = START_MS + 1_234;
        nowMs = firstQueuedMs;
        agent.doWork();
        relay(shard, sender, "{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":1}");
        nowMs = firstQueuedMs + 2_000;
        agent.doWork();
        relay(shard, sender, "{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":2}");

        final String expire = "{\"type\":\"EXPIRE\",\"src\":\"C\",\"dst\":\"A\"}";
        long expiredAtMs = -1;
        while (nowMs <= firstQueuedMs + 3 * EXPIRE_MS && expiredAtMs < 0)
        {
            nowMs++;
            agent.doWork();
            if (sender.frames.contains(expire))
            {
                expiredAtMs = nowMs;
            }
        }
        assertEquals(firstQueuedMs + EXPIRE_MS, expiredAtMs, "the first 1 ms cycle at or after the deadline");
        assertEquals(1, sender.frames.stream().filter(expire::equals).count(), "one EXPIRE per sender");
        assertEquals(0, realm.counters().queuedMessages.get());
        agent.onClose();
    }

    private static void relay(final RealmShard shard, final SignalEndpoint from, final String frame)
    {
        final byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        shard.onMessage(from, bytes, bytes.length);
    }
}
