package io.switchboard.edge.websocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What one thread needs to move WebSocket frames: a read buffer, a write buffer, and the text frames it defers while
 * it handles one read. A read often carries several messages for the same peer (a burst of ICE candidates, a window
 * of offers); deferring what handling them sends, then writing each socket's share with one system call, is the
 * end-of-batch flush of the Disruptor's handlers. Frames to one socket keep their order; nothing waits past the
 * end of the read that produced it.
 */
final class ThreadBuffers
{
    static final int BUFFER_BYTES = 64 * 1024;
    private static final int INITIAL_DEFERRED = 32;
    private static final ThreadLocal<ThreadBuffers> OF_THREAD = ThreadLocal.withInitial(ThreadBuffers::new);

    final ByteBuffer read = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    final ByteBuffer write = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);

    private boolean deferring;
    private WebSocketConnection[] targets = new WebSocketConnection[INITIAL_DEFERRED];
    private byte[][] frames = new byte[INITIAL_DEFERRED][];
    private int size;

    static ThreadBuffers ofThisThread()
    {
        return OF_THREAD.get();
    }

    /** Starts deferring text frames; false when this thread already is (the outer caller flushes then). */
    boolean startDeferring()
    {
        if (deferring)
        {
            return false;
        }
        deferring = true;
        return true;
    }

    boolean deferring()
    {
        return deferring;
    }

    void defer(final WebSocketConnection target, final byte[] frame)
    {
        if (size == targets.length)
        {
            targets = Arrays.copyOf(targets, size * 2);
            frames = Arrays.copyOf(frames, size * 2);
        }
        targets[size] = target;
        frames[size] = frame;
        size++;
    }

    /** Stops deferring and writes everything deferred, one gathered write per socket. */
    void flush()
    {
        deferring = false;
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

    /** Writes now what was deferred for {@code target}: its next frame (a close) must not overtake them. */
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
