package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The envelope of every registry command, in the replicated log and in the local path alike: who sent it (origin
 * node, command id, unique and increasing per origin), what it is (type) and its body. Little-endian throughout.
 * <pre>
 *   0  command id   int64
 *   8  origin node  int32
 *  12  type         int32  (the state machine's own command types)
 *  16  body length  int32
 *  20  body         body length bytes
 * </pre>
 */
public final class CommandEnvelope
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int COMMAND_ID_OFFSET = 0;
    public static final int ORIGIN_NODE_OFFSET = 8;
    public static final int TYPE_OFFSET = 12;
    public static final int BODY_LENGTH_OFFSET = 16;
    public static final int HEADER_LENGTH = 20;
    /**
     * Registry commands are small (a whole domain record at most, which its field bounds keep under about 40 KiB);
     * a longer one is refused before it reaches the log. The cluster's client term length must carry it whole.
     */
    public static final int MAX_BODY_LENGTH = 48 * 1024;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    public CommandEnvelope wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Whether the wrapped bytes hold a whole envelope and nothing after it. */
    public boolean isWellFormed()
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        final int bodyLength = bodyLength();
        return bodyLength >= 0 && bodyLength <= MAX_BODY_LENGTH && HEADER_LENGTH + bodyLength == length;
    }

    public long commandId()
    {
        return buffer.getLong(offset + COMMAND_ID_OFFSET, BYTE_ORDER);
    }

    public int originNode()
    {
        return buffer.getInt(offset + ORIGIN_NODE_OFFSET, BYTE_ORDER);
    }

    public int type()
    {
        return buffer.getInt(offset + TYPE_OFFSET, BYTE_ORDER);
    }

    public int bodyLength()
    {
        return buffer.getInt(offset + BODY_LENGTH_OFFSET, BYTE_ORDER);
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int bodyOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /** Writes a whole envelope at {@code offset}; returns its length. */
    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final long commandId,
        final int originNode,
        final int type,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength)
    {
        putHeader(buffer, offset, commandId, originNode, type, bodyLength);
        buffer.putBytes(offset + HEADER_LENGTH, body, bodyOffset, bodyLength);
        return HEADER_LENGTH + bodyLength;
    }

    /** Writes the header in front of a body already at {@code offset + HEADER_LENGTH}. */
    public static void putHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final long commandId,
        final int originNode,
        final int type,
        final int bodyLength)
    {
        buffer.putLong(offset + COMMAND_ID_OFFSET, commandId, BYTE_ORDER);
        buffer.putInt(offset + ORIGIN_NODE_OFFSET, originNode, BYTE_ORDER);
        buffer.putInt(offset + TYPE_OFFSET, type, BYTE_ORDER);
        buffer.putInt(offset + BODY_LENGTH_OFFSET, bodyLength, BYTE_ORDER);
    }
}
