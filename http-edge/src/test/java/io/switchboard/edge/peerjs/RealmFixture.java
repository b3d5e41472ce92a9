package io.switchboard.edge.peerjs;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@link Realm} for the tests of the protocols that carry PeerJS signaling into it (dop): its deadline wheel's
 * thread is not started, so its own deadlines (offline queue expiry) wait for a {@code poll} that never comes.
 */
public final class RealmFixture
{
    private RealmFixture()
    {
    }

    /** A realm with {@code context}'s rules, counting into {@code metrics}, its unstarted wheel on {@code clock}. */
    public static Realm unstarted(final PeerJsContext context, final Metrics metrics, final EpochClock clock)
    {
        final DeadlineWheel wheel = new DeadlineWheel(
            context.timerTickMs(), clock, new Liveness(metrics).register("realm-fixture-deadlines"));
        return new Realm(context, new PeerJsCounters(metrics), wheel);
    }

    /** A party of the realm that keeps what it is sent (as text), in order; any thread may send to it. */
    public static final class Recorder implements SignalEndpoint
    {
        public final List<String> frames = new ArrayList<>();
        private Client registration;

        @Override
        public synchronized boolean send(final byte[] frame, final int length)
        {
            frames.add(new String(frame, 0, length, StandardCharsets.UTF_8));
            return true;
        }

        @Override
        public void sendAndClose(final byte[] frame)
        {
            send(frame, frame.length);
        }

        @Override
        public void close(final AtomicCounter cause)
        {
        }

        @Override
        public void heartbeat()
        {
        }

        @Override
        public Client registration()
        {
            return registration;
        }

        @Override
        public void registration(final Client client)
        {
            registration = client;
        }
    }
}
