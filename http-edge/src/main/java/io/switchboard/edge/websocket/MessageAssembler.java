package io.switchboard.edge.websocket;

import io.switchboard.protocol.websocket.Masking;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One fragmented message being put together (RFC 6455 §5.4), like Aeron's {@code FragmentAssembler}: the payloads
 * of its frames, unmasked, in arrival order, in an array that grows by doubling but never past the longest message
 * the socket may send. Every byte of the array is taken from the {@link PartialBudget} before it is allocated and
 * given back by {@link #release}, when the message is complete or abandoned. It exists only while a message is
 * unfinished, so an idle socket holds none. Its connection's agent thread only.
 */
final class MessageAssembler
{
    private static final int INITIAL_BYTES = 256;

    private final PartialBudget budget;
    /** The longest message the socket may send: the array never grows past it. */
    private final long maxBytes;
    private final boolean text;
    private byte[] bytes;
    private int length;

    private MessageAssembler(final PartialBudget budget, final long maxBytes, final boolean text, final int capacity)
    {
        this.budget = budget;
        this.maxBytes = maxBytes;
        this.text = text;
        this.bytes = new byte[capacity];
    }

    /**
     * Starts a message whose first frame carries {@code firstLength} bytes.
     *
     * @return null when the budget refuses the first array (the socket is then closed with 1009)
     */
    static MessageAssembler start(
        final boolean text, final int firstLength, final long maxBytes, final PartialBudget budget)
    {
        final int capacity = Math.max(firstLength, INITIAL_BYTES);
        return budget.take(capacity) ? new MessageAssembler(budget, maxBytes, text, capacity) : null;
    }

    /**
     * Appends one frame's payload, {@code buffer[at, at + payloadLength)} masked with {@code mask}.
     *
     * @return false when the budget refuses the room it needs; nothing is appended then
     */
    boolean append(final ByteBuffer buffer, final int at, final int payloadLength, final int mask)
    {
        final long needed = length + (long)payloadLength;
        if (needed > bytes.length)
        {
            final long grown = Math.max(needed, Math.min(2L * bytes.length, maxBytes));
            if (!budget.take(grown - bytes.length))
            {
                return false;
            }
            bytes = Arrays.copyOf(bytes, (int)grown);
        }
        buffer.get(at, bytes, length, payloadLength);
        Masking.unmask(bytes, length, payloadLength, mask);
        length += payloadLength;
        return true;
    }

    /** Bytes assembled so far. */
    int length()
    {
        return length;
    }

    boolean isText()
    {
        return text;
    }

    /** The message so far in {@code bytes()[0, length())}; still valid after {@link #release}. */
    byte[] bytes()
    {
        return bytes;
    }

    /** The message is delivered or abandoned: its array's bytes go back to the budget. */
    void release()
    {
        budget.give(bytes.length);
    }
}
