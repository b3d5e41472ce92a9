package io.switchboard.edge.websocket;

import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signaling agent's clock in a test's hands, and the check of when the agent cuts a connection: open a millisecond
 * before its deadline and at it, cut by the duty cycle a tick after it.
 */
final class AgentDeadlines
{
    private long nowMs;
    private final NanoClock clock = () -> TimeUnit.MILLISECONDS.toNanos(nowMs);

    AgentDeadlines(final long startMs)
    {
        nowMs = startMs;
    }

    /** The clock to give the agent. */
    NanoClock clock()
    {
        return clock;
    }

    long nowMs()
    {
        return nowMs;
    }

    void advance(final long ms)
    {
        nowMs += ms;
    }

    /** Open at {@code deadlineMs} less a millisecond and at it; cut by the cycle a tick after it. */
    void assertCutAt(final SignalingAgent agent, final Socket client, final long deadlineMs) throws Exception
    {
        cycleAt(agent, deadlineMs - 1);
        assertFalse(isCut(client), "cut a millisecond early");
        cycleAt(agent, deadlineMs);
        assertFalse(isCut(client),
            "cut at the deadline's own millisecond (a cycle read the clock before the bytes came)");
        cycleAt(agent, deadlineMs + SignalingAgent.TICK_MS);
        assertTrue(isCut(client), "not cut a tick after the deadline");
    }

    /**
     * A duty cycle at {@code atMs}, and the next one at once, as the agent runs it after work: its select lets go of
     * a socket closed in the first, which the kernel only then resets.
     */
    void cycleAt(final SignalingAgent agent, final long atMs) throws Exception
    {
        nowMs = atMs;
        agent.doWork();
        agent.doWork();
    }

    /**
     * Whether the server cut the connection: reset, or the end of the stream, read on the TCP socket under any TLS
     * (records the server sent are read past); waits briefly for either.
     */
    static boolean isCut(final Socket client) throws IOException
    {
        client.setSoTimeout(100);
        final InputStream in = client.getInputStream();
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final SocketException reset)
        {
            return true;
        }
    }
}
