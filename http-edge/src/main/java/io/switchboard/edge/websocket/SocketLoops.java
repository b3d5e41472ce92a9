package io.switchboard.edge.websocket;

import java.util.concurrent.atomic.AtomicInteger;

/** The {@link SocketLoop}s of one listener; each new connection goes to the next, in turn. */
public final class SocketLoops implements AutoCloseable
{
    private final SocketLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    /** Starts {@code count} loops named {@code namePrefix-0}, {@code namePrefix-1}, ... */
    public SocketLoops(final int count, final String namePrefix)
    {
        loops = new SocketLoop[count];
        for (int i = 0; i < count; i++)
        {
            loops[i] = new SocketLoop(namePrefix + "-" + i);
        }
    }

    public SocketLoop next()
    {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** Stops every loop; the connections they own are cut. */
    @Override
    public void close()
    {
        for (final SocketLoop loop : loops)
        {
            loop.close();
        }
    }
}
