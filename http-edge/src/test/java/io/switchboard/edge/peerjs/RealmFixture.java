package io.switchboard.edge.peerjs;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.EpochClock;

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
}
