package io.switchboard.edge.websocket;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Work given to an agent asleep in its selector (no timers: it would sleep for ever) is done at once, however many
 * threads give it at once: the first waker's wake-up serves the whole burst, and none is lost between the agent
 * waking and sleeping again.
 */
class SignalingAgentWakeTest
{
    private static final int ROUNDS = 300;
    private static final int GIVERS = 3;
    private static final int BURST = 20;

    private final SignalingAgents agents =
        new SignalingAgents(1, "switchboard-test-wake", new Liveness(new Metrics()));

    @AfterEach
    void stop()
    {
        agents.close();
    }

    @Test
    void burstsFromSeveralThreadsToASleepingAgentAreAllDoneAtOnce() throws Exception
    {
        final SignalingAgent agent = agents.next();
        final AtomicLong given = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        agent.addDuty(new SignalingAgent.Duty()
        {
            @Override
            public int doWork()
            {
                final long waiting = given.get() - done.get();
                done.addAndGet(waiting);
                return (int)waiting;
            }

            @Override
            public boolean hasWork()
            {
                return given.get() != done.get();
            }
        });
        for (int round = 0; round < ROUNDS; round++)
        {
            Thread.sleep(1); // the agent goes back to sleep: nothing else wakes it
            final CountDownLatch go = new CountDownLatch(1);
            final Thread[] givers = new Thread[GIVERS];
            for (int g = 0; g < GIVERS; g++)
            {
                givers[g] = new Thread(() ->
                {
                    try
                    {
                        go.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    for (int i = 0; i < BURST; i++)
                    {
                        given.incrementAndGet();
                        agent.wake();
                    }
                });
                givers[g].start();
            }
            go.countDown();
            for (final Thread giver : givers)
            {
                giver.join();
            }
            final long expected = (long)(round + 1) * GIVERS * BURST;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (done.get() != expected && System.nanoTime() < deadlineNs)
            {
                Thread.onSpinWait();
            }
            assertEquals(expected, done.get(), "round " + round + ": every unit given was done within 1 s");
        }
        assertTrue(done.get() > 0);
    }
}
