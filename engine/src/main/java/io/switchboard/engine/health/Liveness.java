package io.switchboard.engine.health;

import io.switchboard.engine.metrics.Metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether every thread the appliance started is still doing its duty: each thread (or agent, or pool) registers one
 * {@link Watch} at start-up and reports what it throws to it. The admin listener's {@code /healthz} lists every watch;
 * the first failed one makes the composition root stop the process, so that its supervisor restarts it.
 */
public final class Liveness
{
    private final Metrics metrics;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final List<Runnable> onFailure = new CopyOnWriteArrayList<>();

    public Liveness(final Metrics metrics)
    {
        this.metrics = metrics;
    }

    /** A watch for the thread or threads called {@code name}; at start-up, before they run. */
    public Watch register(final String name)
    {
        final String label = "agent=\"" + name + "\"";
        final Watch watch = new Watch(
            name,
            metrics.counter("switchboard_agent_errors_total", label,
                "Exceptions an agent's thread survived: logged, and the thread carried on with its next duty."),
            metrics.gauge("switchboard_agent_failed", label,
                "1 once an agent's thread failed (an Error, or it ended): /healthz answers 503 and the process exits."),
            this);
        watches.add(watch);
        return watch;
    }

    /** Every watch, in registration order. */
    public List<Watch> watches()
    {
        return watches;
    }

    public boolean allAlive()
    {
        for (final Watch watch : watches)
        {
            if (watch.failed())
            {
                return false;
            }
        }
        return true;
    }

    /** Runs {@code action} on the thread of each watch that fails (at once, when one failed already). */
    public void onFailure(final Runnable action)
    {
        onFailure.add(action);
        if (!allAlive())
        {
            action.run();
        }
    }

    void failed()
    {
        onFailure.forEach(Runnable::run);
    }
}
