package io.switchboard.edge.websocket;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What an agent's thread sends while it handles a duty cycle waits in the agent's outbox and goes out at the end of
 * the cycle, in order; a control frame to the same socket does not overtake it. The cycles run on an agent thread
 * driven by the test.
 */
class OutboxTest
{
    private final Watch watch = new Liveness(new Metrics()).register("test-agent");
    private final SignalingAgent agent = new SignalingAgent("test-agent", watch, SystemNanoClock.INSTANCE);

    @Test
    void framesSentDuringACycleAreWrittenAtItsEndInOrderAndACloseFollowsThem() throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final SignalingAgents.AgentThread thread = new SignalingAgents.AgentThread(() ->
        {
            try
            {
                relayCycle();
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, agent, watch);
        thread.start();
        thread.join(20_000);
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
    }

    private void relayCycle() throws Exception
    {
        agent.onStart();
        try (AgentSockets sockets = new AgentSockets())
        {
            final List<Integer> availableInCycle = new ArrayList<>();
            final AgentSockets.Pair[] target = new AgentSockets.Pair[1];
            final AgentSockets.Pair sender = sockets.open(agent, new WebSocketConnection.Handler()
            {
                @Override
                public void onMessage(final byte[] bytes, final int length)
                {
                    try
                    {
                        for (final String text : new String[]{"one", "two", "three"})
                        {
                            final byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
                            target[0].server().sendText(payload, payload.length);
                            availableInCycle.add(target[0].client().getInputStream().available());
                        }
                        target[0].server().close(WebSocketConnection.NORMAL_CLOSURE);
                    }
                    catch (final java.io.IOException ex)
                    {
                        throw new java.io.UncheckedIOException(ex);
                    }
                }

                @Override
                public void onClosed()
                {
                }
            });
            target[0] = sockets.open(agent, new WebSocketConnection.Handler()
            {
                @Override
                public void onMessage(final byte[] bytes, final int length)
                {
                }

                @Override
                public void onClosed()
                {
                }
            });
            sender.server().start();
            target[0].server().start();
            agent.doWork();
            sender.sendText("go");
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (availableInCycle.size() < 3 && System.nanoTime() < deadline)
            {
                agent.doWork();
            }
            assertEquals(List.of(0, 0, 0), availableInCycle, "nothing written before the cycle ends");
            assertArrayEquals(new byte[]{(byte)0x81, 3, 'o', 'n', 'e', (byte)0x81, 3, 't', 'w', 'o',
                (byte)0x81, 5, 't', 'h', 'r', 'e', 'e', (byte)0x88, 2, 0x03, (byte)0xE8}, target[0].read(21),
                "the three texts in order, then the close");
            assertNull(watch.lastError());
        }
        finally
        {
            agent.onClose();
        }
    }
}
