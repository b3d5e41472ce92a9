package io.switchboard.edge.websocket;

import io.switchboard.engine.health.Liveness;

import java.util.concurrent.atomic.AtomicInteger;

/** The {@link SocketLoop}s of one listener; each new connection goes to the next, in turn. */
public final class SocketLoops implements AutoCloseable
{
    private final SocketLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    /** Starts {@code count} loops named {@code namePrefix-0}, {@code namePrefix-1}, ..., each watched by its name. */
    public SocketLoops(final int count, final String namePrefix, final Liveness liveness)
    {
        loops = new SocketLoop[count];
        for (int i = 0; i < count; i++)
        {
            final String name = namePrefix + "-" + i;
            loops[i] = new SocketLoop(name, liveness.register(name));
        }
    }

    public SocketLoop next()
    {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** Stops every loop; the connections they own are sent a 1001 close and cut. */
    @Override
    public void close()
    {
        for (final SocketLoop loop : loops)
        {
            loop.close();
        }
    }
}
