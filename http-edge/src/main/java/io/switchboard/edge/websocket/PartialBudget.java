package io.switchboard.edge.websocket;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The heap that WebSocket sockets may hold for what they have not finished sending: the start of an incomplete
 * frame, a frame larger than the read buffer, the fragments of an unfinished message. One socket's unfinished message
 * (or frame) may grow to {@code perSocketBytes} (so no longer message arrives; its buffers then hold at most about
 * twice that, a message and the frame being read); the buffers of all sockets of every listener together hold at most
 * {@code totalBytes}. A socket that would pass either is refused (its owner closes it with 1009) and gives back what
 * it held. Any thread may take and give.
 */
public final class PartialBudget
{
    /** Signaling messages are kilobytes (SDP, candidates); a megabyte leaves room for any the clients send. */
    public static final long DEFAULT_PER_SOCKET_BYTES = 1024 * 1024;
    /** A few GiB of heap keep this far from an OutOfMemoryError; 256 sockets can hold a full megabyte at once. */
    public static final long DEFAULT_TOTAL_BYTES = 256L * 1024 * 1024;
    public static final String PER_SOCKET = "socket_limit";
    public static final String TOTAL = "budget";

    private final long perSocketBytes;
    private final long totalBytes;
    /** The bytes held now by all sockets: the gauge is the budget's own count. */
    private final AtomicCounter held;
    private final AtomicCounter refusedPerSocket;
    private final AtomicCounter refusedTotal;

    public PartialBudget(final long perSocketBytes, final long totalBytes, final Metrics metrics)
    {
        if (perSocketBytes <= 0 || totalBytes <= 0)
        {
            throw new IllegalArgumentException("--ws-max-partial-bytes-per-socket and --ws-partial-budget-bytes " +
                "must be positive (" + perSocketBytes + ", " + totalBytes + ")");
        }
        this.perSocketBytes = perSocketBytes;
        this.totalBytes = totalBytes;
        this.held = metrics.gauge("switchboard_ws_partial_bytes", "",
            "Heap held for unfinished WebSocket frames and messages, all sockets (PeerJS and dop).");
        final String help = "WebSocket sockets closed with 1009 because their unfinished frames and messages would " +
            "pass a limit, by limit.";
        this.refusedPerSocket = metrics.counter(
            "switchboard_ws_partial_refused_total", "reason=\"" + PER_SOCKET + "\"", help);
        this.refusedTotal = metrics.counter("switchboard_ws_partial_refused_total", "reason=\"" + TOTAL + "\"", help);
    }

    /**
     * {@code more} bytes for some socket's unfinished frame or message.
     *
     * @return false (counted) when all sockets together would pass the budget
     */
    public boolean take(final long more)
    {
        long before;
        do
        {
            before = held.get();
            if (before + more > totalBytes)
            {
                refusedTotal.increment();
                return false;
            }
        }
        while (!held.compareAndSet(before, before + more));
        return true;
    }

    /** Whether a socket may go on with an unfinished message of {@code bytes}; counts a refusal. */
    public boolean fitsOneSocket(final long bytes)
    {
        if (bytes > perSocketBytes)
        {
            refusedPerSocket.increment();
            return false;
        }
        return true;
    }

    /** The most one socket may hold. */
    public long perSocketBytes()
    {
        return perSocketBytes;
    }

    /** A socket lets go of {@code bytes} it took. */
    public void give(final long bytes)
    {
        if (bytes != 0)
        {
            held.getAndAdd(-bytes);
        }
    }

    /** Bytes held now by all sockets. */
    public long held()
    {
        return held.get();
    }
}
