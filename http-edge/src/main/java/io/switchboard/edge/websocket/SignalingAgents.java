package io.switchboard.edge.websocket;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link SignalingAgent}s of one listener, each on its own thread owned by an {@link AgentRunner}; each new
 * connection goes to the next agent, in turn. Each agent reports to a {@link Watch} registered under its name.
 */
public final class SignalingAgents implements AutoCloseable
{
    private final SignalingAgent[] agents;
    private final AgentRunner[] runners;
    private final AtomicInteger next = new AtomicInteger();

    /** Starts {@code count} agents named {@code namePrefix-0}, {@code namePrefix-1}, ... on the system clock. */
    public SignalingAgents(final int count, final String namePrefix, final Liveness liveness)
    {
        this(count, namePrefix, liveness, SystemNanoClock.INSTANCE);
    }

    /** Starts {@code count} agents named {@code namePrefix-0}, {@code namePrefix-1}, ... on {@code clock}. */
    public SignalingAgents(final int count, final String namePrefix, final Liveness liveness, final NanoClock clock)
    {
        agents = new SignalingAgent[count];
        runners = new AgentRunner[count];
        for (int i = 0; i < count; i++)
        {
            final String name = namePrefix + "-" + i;
            final Watch watch = liveness.register(name);
            final SignalingAgent agent = new SignalingAgent(name, watch, clock);
            agents[i] = agent;
            runners[i] = new AgentRunner(agent.idleStrategy(), watch, null, agent);
            AgentRunner.startOnThread(runners[i], runnable -> new AgentThread(runnable, agent, watch));
        }
    }

    /** How many agents there are. */
    public int count()
    {
        return agents.length;
    }

    /** The agent at {@code index}, from 0 to {@link #count()} - 1. */
    public SignalingAgent at(final int index)
    {
        return agents[index];
    }

    public SignalingAgent next()
    {
        return agents[Math.floorMod(next.getAndIncrement(), agents.length)];
    }

    /** Stops every agent; the connections they own are sent a 1001 close and cut. */
    @Override
    public void close()
    {
        for (int i = 0; i < agents.length; i++)
        {
            agents[i].stop(); // one at a time: a stopping agent does not block, so it should not wait for the others
            CloseHelper.quietClose(runners[i]);
        }
    }

    /** An agent's thread, which knows its agent: what a connection sends on it goes to that agent's outbox. */
    static final class AgentThread extends Thread
    {
        private final SignalingAgent agent;

        AgentThread(final Runnable runnable, final SignalingAgent agent, final Watch watch)
        {
            super(runnable, agent.roleName());
            this.agent = agent;
            setDaemon(true);
            setUncaughtExceptionHandler(watch);
        }

        SignalingAgent agent()
        {
            return agent;
        }
    }
}
