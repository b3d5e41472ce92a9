package io.switchboard.edge.websocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What one thread needs to move WebSocket frames: a buffer it reads sockets into and one it frames replies in, so an
 * idle socket holds neither; and, on a {@link SocketLoop}'s thread, the text frames it defers while it handles one
 * batch of ready sockets. A batch often carries several messages for the same peer (a burst of ICE candidates, a
 * window of offers); deferring what handling them sends, then writing each socket's share with one system call, is
 * the end-of-batch flush of the Disruptor's handlers. Frames to one socket keep their order; nothing waits past the
 * end of the batch that produced it.
 */
final class ThreadBuffers
{
    static final int BUFFER_BYTES = 64 * 1024;
    /** Frames deferred before an early flush: bounds both the wait and the per-socket scan of a flush. */
    static final int MAX_DEFERRED = 256;
    private static final ThreadLocal<ThreadBuffers> OF_THREAD = ThreadLocal.withInitial(ThreadBuffers::new);

    final ByteBuffer read = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    final ByteBuffer write = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);

    private boolean deferring;
    private final WebSocketConnection[] targets = new WebSocketConnection[MAX_DEFERRED];
    private final byte[][] frames = new byte[MAX_DEFERRED][];
    private int size;

    static ThreadBuffers ofThisThread()
    {
        return OF_THREAD.get();
    }

    /** From now on this thread's text frames wait for {@link #flush}. */
    void startDeferring()
    {
        deferring = true;
    }

    boolean deferring()
    {
        return deferring;
    }

    void defer(final WebSocketConnection target, final byte[] frame)
    {
        if (size == MAX_DEFERRED)
        {
            writeAll();
        }
        targets[size] = target;
        frames[size] = frame;
        size++;
    }

    /** Stops deferring and writes everything deferred, one gathered write per socket. */
    void flush()
    {
        deferring = false;
        writeAll();
    }

    private void writeAll()
    {
        for (int i = 0; i < size; i++)
        {
            final WebSocketConnection target = targets[i];
            if (target != null)
            {
                target.writeDeferred(this, i);
            }
        }
        size = 0;
    }

    /** Writes now what was deferred for {@code target}: its next frame (a control frame) must not overtake them. */
    void flush(final WebSocketConnection target)
    {
        for (int i = 0; i < size; i++)
        {
            if (targets[i] == target)
            {
                target.writeDeferred(this, i);
                return;
            }
        }
    }

    int size()
    {
        return size;
    }

    WebSocketConnection target(final int index)
    {
        return targets[index];
    }

    /** The deferred frame at {@code index}, which is then forgotten. */
    byte[] take(final int index)
    {
        final byte[] frame = frames[index];
        targets[index] = null;
        frames[index] = null;
        return frame;
    }
}
