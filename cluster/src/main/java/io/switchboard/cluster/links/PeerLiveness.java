package io.switchboard.cluster.links;

import java.util.Arrays;

/**
 * Which peer nodes are up, by the timing rules alone (no Aeron here, so a fake clock drives it in tests): a peer is
 * up from the first frame heard, down once {@code timeoutMs} passed since the last one ({@link #poll}), when the
 * stream it was heard on ends ({@link #onStreamGone}), or when a frame carries a new incarnation (it restarted: down,
 * then up as new). Frames still arriving from the incarnation it replaced are refused, so a restart never flaps.
 * <p>
 * Owned by the links' owner thread; the listener is called on it, in the order the transitions happen.
 */
final class PeerLiveness
{
    private static final int NO_SESSION = Integer.MIN_VALUE;

    private final int self;
    private final long timeoutMs;
    private final LinkListener listener;
    private final LinksCounters counters;
    private final boolean[] up;
    private final long[] lastHeardMs;
    private final long[] incarnation;
    private final long[] retiredIncarnation;
    private final int[] sessionId;

    PeerLiveness(
        final int memberCount,
        final int self,
        final long timeoutMs,
        final LinkListener listener,
        final LinksCounters counters)
    {
        this.self = self;
        this.timeoutMs = timeoutMs;
        this.listener = listener;
        this.counters = counters;
        up = new boolean[memberCount];
        lastHeardMs = new long[memberCount];
        incarnation = new long[memberCount];
        retiredIncarnation = new long[memberCount];
        sessionId = new int[memberCount];
        Arrays.fill(sessionId, NO_SESSION);
    }

    /**
     * A well-formed frame from {@code node}, sent by its process {@code frameIncarnation} on the stream
     * {@code frameSessionId}, heard at {@code nowMs}. False when that incarnation was replaced: drop the frame.
     */
    boolean onHeard(final int node, final long frameIncarnation, final int frameSessionId, final long nowMs)
    {
        if (frameIncarnation == retiredIncarnation[node])
        {
            return false;
        }
        if (incarnation[node] != 0 && frameIncarnation != incarnation[node])
        {
            retiredIncarnation[node] = incarnation[node];
            if (up[node])
            {
                down(node);
            }
        }
        lastHeardMs[node] = nowMs;
        sessionId[node] = frameSessionId;
        if (!up[node])
        {
            up[node] = true;
            incarnation[node] = frameIncarnation;
            counters.up[node].setRelease(1);
            counters.ups[node].increment();
            listener.onPeerUp(node, frameIncarnation);
        }
        return true;
    }

    /** The stream {@code endedSessionId} is gone (closed by its sender, or timed out by the driver). */
    void onStreamGone(final int endedSessionId)
    {
        for (int node = 0; node < up.length; node++)
        {
            if (sessionId[node] == endedSessionId)
            {
                sessionId[node] = NO_SESSION;
                if (up[node])
                {
                    down(node);
                }
            }
        }
    }

    /** Takes down every peer silent for the timeout at {@code nowMs}; returns how many. */
    int poll(final long nowMs)
    {
        int downs = 0;
        for (int node = 0; node < up.length; node++)
        {
            if (up[node] && nowMs - lastHeardMs[node] >= timeoutMs)
            {
                down(node);
                downs++;
            }
        }
        return downs;
    }

    boolean isUp(final int node)
    {
        return node != self && up[node];
    }

    /** The incarnation {@code node} was last up with, 0 before it was ever heard. */
    long incarnation(final int node)
    {
        return incarnation[node];
    }

    /** When {@code node} goes down unless heard before; meaningful while it is up. */
    long downDeadlineMs(final int node)
    {
        return lastHeardMs[node] + timeoutMs;
    }

    private void down(final int node)
    {
        up[node] = false;
        counters.up[node].setRelease(0);
        counters.downs[node].increment();
        listener.onPeerDown(node);
    }
}
