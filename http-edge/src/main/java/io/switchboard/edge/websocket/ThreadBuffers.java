package io.switchboard.edge.websocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What one thread needs to move WebSocket frames: a buffer it reads sockets into, one it frames replies in and one a
 * whole message is unmasked into for its handler, so an idle socket holds none of them; and, on a
 * {@link SocketLoop}'s thread, copies of the text frames it defers while it handles one batch of ready sockets. A
 * batch often carries several messages for the same peer (a burst of ICE candidates, a window of offers); deferring
 * what handling them sends, then writing each socket's share with one system call, is the end-of-batch flush of the
 * Disruptor's handlers. Frames to one socket keep their order; nothing waits past the
 * end of the batch that produced it.
 */
final class ThreadBuffers
{
    static final int BUFFER_BYTES = 64 * 1024;
    /** Frames deferred before an early flush: bounds both the wait and the per-socket scan of a flush. */
    static final int MAX_DEFERRED = 256;
    /** Bytes of deferred frames before an early flush; a larger frame is not deferred but written at once. */
    static final int DEFERRED_BYTES = 256 * 1024;
    private static final ThreadLocal<ThreadBuffers> OF_THREAD = ThreadLocal.withInitial(ThreadBuffers::new);

    final ByteBuffer read = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    final ByteBuffer write = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    /** A whole unfragmented message of up to {@link #BUFFER_BYTES}, valid while its handler runs; made on first read. */
    private byte[] message;

    private boolean deferring;
    private final WebSocketConnection[] targets = new WebSocketConnection[MAX_DEFERRED];
    private final int[] offsets = new int[MAX_DEFERRED];
    private final int[] lengths = new int[MAX_DEFERRED];
    /**
     * The deferred frames' payloads, back to back: the caller's array is its own again once a send returns. Made when
     * the thread first defers, so threads that only send (Undertow's, the deadline wheel's) never hold it.
     */
    private byte[] deferred;
    private int size;
    private int deferredBytes;

    static ThreadBuffers ofThisThread()
    {
        return OF_THREAD.get();
    }

    /** From now on this thread's text frames wait for {@link #flush}. */
    void startDeferring()
    {
        if (deferred == null)
        {
            deferred = new byte[DEFERRED_BYTES];
        }
        deferring = true;
    }

    byte[] message()
    {
        if (message == null)
        {
            message = new byte[BUFFER_BYTES];
        }
        return message;
    }

    boolean deferring()
    {
        return deferring;
    }

    /**
     * Copies {@code frame[0, length)} to be written for {@code target} at the end of the batch.
     *
     * @return false when the frame is too large to defer: the caller writes it now, after {@code target}'s deferred
     * frames.
     */
    boolean defer(final WebSocketConnection target, final byte[] frame, final int length)
    {
        if (length > DEFERRED_BYTES)
        {
            return false;
        }
        if (size == MAX_DEFERRED || deferredBytes + length > DEFERRED_BYTES)
        {
            writeAll();
        }
        System.arraycopy(frame, 0, deferred, deferredBytes, length);
        targets[size] = target;
        offsets[size] = deferredBytes;
        lengths[size] = length;
        deferredBytes += length;
        size++;
        return true;
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
        deferredBytes = 0;
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

    /** The deferred payloads; the frame at {@code index} is {@link #length(int)} bytes from {@link #offset(int)}. */
    byte[] deferred()
    {
        return deferred;
    }

    int offset(final int index)
    {
        return offsets[index];
    }

    int length(final int index)
    {
        return lengths[index];
    }

    /** The deferred frame at {@code index} is written (or dropped): a later flush skips it. */
    void forget(final int index)
    {
        targets[index] = null;
    }
}
