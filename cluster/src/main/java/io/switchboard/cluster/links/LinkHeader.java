package io.switchboard.cluster.links;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The 16-byte header in front of every message between two nodes' links, little-endian:
 * <pre>
 *   0  int16  message type   (0 is the links' own heartbeat; 1..32767 belong to the caller)
 *   2  int16  origin node    (the sender's index in the cluster members)
 *   4  int32  length         (payload bytes after this header)
 *   8  int64  incarnation    (the sending process's start id; a new one means the peer restarted)
 * </pre>
 * A flyweight: {@link #wrap(DirectBuffer, int)} to read, {@link #wrap(MutableDirectBuffer, int)} to write; no object
 * per message.
 */
public final class LinkHeader
{
    public static final int TYPE_OFFSET = 0;
    public static final int ORIGIN_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int INCARNATION_OFFSET = 8;
    public static final int LENGTH = 16;

    public static final int TYPE_HEARTBEAT = 0;
    public static final int MIN_MESSAGE_TYPE = 1;
    public static final int MAX_MESSAGE_TYPE = Short.MAX_VALUE;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;

    public LinkHeader wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutableBuffer = null;
        this.offset = offset;
        return this;
    }

    public LinkHeader wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        return this;
    }

    public int messageType()
    {
        return buffer.getShort(offset + TYPE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public LinkHeader messageType(final int value)
    {
        mutableBuffer.putShort(offset + TYPE_OFFSET, (short)value, ByteOrder.LITTLE_ENDIAN);
        return this;
    }

    public int originNode()
    {
        return buffer.getShort(offset + ORIGIN_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public LinkHeader originNode(final int value)
    {
        mutableBuffer.putShort(offset + ORIGIN_OFFSET, (short)value, ByteOrder.LITTLE_ENDIAN);
        return this;
    }

    public int length()
    {
        return buffer.getInt(offset + LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public LinkHeader length(final int value)
    {
        mutableBuffer.putInt(offset + LENGTH_OFFSET, value, ByteOrder.LITTLE_ENDIAN);
        return this;
    }

    public long incarnation()
    {
        return buffer.getLong(offset + INCARNATION_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public LinkHeader incarnation(final long value)
    {
        mutableBuffer.putLong(offset + INCARNATION_OFFSET, value, ByteOrder.LITTLE_ENDIAN);
        return this;
    }
}
