package io.switchboard.edge.websocket;

import java.nio.ByteBuffer;

/**
 * A {@link SignalingAgent}'s outbox: copies of the text frames its thread sends while it handles one duty cycle,
 * written at the end of the cycle with one gathered write per destination. A cycle often carries several messages
 * for the same peer (a burst of ICE candidates, a window of offers); deferring what handling them sends is the
 * end-of-batch flush of the Disruptor's handlers. Frames to one socket keep their order; nothing waits past the end
 * of the cycle that produced it. Agent's thread only.
 */
final class Outbox
{
    /** Frames deferred before an early flush: bounds both the wait and the per-socket scan of a flush. */
    static final int MAX_DEFERRED = 256;
    /** Bytes of deferred frames before an early flush; a larger frame is not deferred but written at once. */
    static final int DEFERRED_BYTES = 256 * 1024;

    private final WebSocketConnection[] targets = new WebSocketConnection[MAX_DEFERRED];
    private final int[] offsets = new int[MAX_DEFERRED];
    private final int[] lengths = new int[MAX_DEFERRED];
    /** The deferred frames' payloads, back to back: the caller's array is its own again once a send returns. */
    private final byte[] deferred = new byte[DEFERRED_BYTES];
    /** The agent's buffer frames are gathered in for a write. */
    private final ByteBuffer write;
    private int size;
    private int deferredBytes;

    Outbox(final ByteBuffer write)
    {
        this.write = write;
    }

    ByteBuffer writeBuffer()
    {
        return write;
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
            flush();
        }
        System.arraycopy(frame, 0, deferred, deferredBytes, length);
        targets[size] = target;
        offsets[size] = deferredBytes;
        lengths[size] = length;
        deferredBytes += length;
        size++;
        return true;
    }

    /** Writes everything deferred, one gathered write per socket. */
    void flush()
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
