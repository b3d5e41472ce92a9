package io.switchboard.engine.health;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a watch makes of what its thread throws: exceptions survived and counted, an Error or a dead thread fatal. */
class LivenessTest
{
    private final Metrics metrics = new Metrics();
    private final Liveness liveness = new Liveness(metrics);
    private final Watch sweeper = liveness.register("sweeper");
    private final Watch other = liveness.register("other");
    private final AtomicInteger failures = new AtomicInteger();

    @Test
    void aGuardedTaskThatThrowsAnExceptionIsCountedAndTheAgentStaysAlive()
    {
        liveness.onFailure(failures::incrementAndGet);
        final Runnable task = sweeper.guard(() ->
        {
            throw new IllegalStateException("one sweep");
        });
        task.run();
        task.run();
        assertEquals(2, sweeper.errors());
        assertEquals("java.lang.IllegalStateException: one sweep", sweeper.lastError().toString());
        assertTrue(liveness.allAlive());
        assertEquals(0, failures.get());
        assertTrue(text().contains("switchboard_agent_errors_total{agent=\"sweeper\"} 2\n"), text());
        assertTrue(text().contains("switchboard_agent_failed{agent=\"sweeper\"} 0\n"), text());
    }

    @Test
    void anErrorFailsTheAgentOnceAndTellsEveryListener()
    {
        liveness.onFailure(failures::incrementAndGet);
        sweeper.guard(() ->
        {
            throw new OutOfMemoryError("injected");
        }).run();
        sweeper.onError(new OutOfMemoryError("again"));
        assertTrue(sweeper.failed());
        assertFalse(other.failed());
        assertNull(other.lastError());
        assertFalse(liveness.allAlive());
        assertEquals(1, failures.get(), "a watch fails once");
        assertEquals(0, sweeper.errors(), "an Error is no survived exception");
        assertTrue(text().contains("switchboard_agent_failed{agent=\"sweeper\"} 1\n"), text());

        final CountDownLatch late = new CountDownLatch(1);
        liveness.onFailure(late::countDown);
        assertEquals(0, late.getCount(), "a listener that comes after a failure hears of it at once");
    }

    @Test
    void aThreadEndedByAnExceptionFailsItsAgent() throws Exception
    {
        final CountDownLatch failed = new CountDownLatch(1);
        liveness.onFailure(failed::countDown);
        final Thread thread = new Thread(() ->
        {
            throw new IllegalStateException("lost its selector");
        }, "other");
        thread.setUncaughtExceptionHandler(other);
        thread.start();
        assertTrue(failed.await(5, TimeUnit.SECONDS));
        assertTrue(other.failed());
        assertEquals("java.lang.IllegalStateException: lost its selector", other.lastError().toString());
    }

    private String text()
    {
        return PrometheusText.render(metrics);
    }
}
