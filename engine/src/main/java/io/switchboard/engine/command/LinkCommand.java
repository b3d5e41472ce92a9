package io.switchboard.engine.command;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Bodies of the commands by which the links hand the engine what other cluster nodes sent:
 * {@link CommandType#LINK_MESSAGE} (origin node, link message type, the message's bytes) and
 * {@link CommandType#LINK_PEER} (a peer node up with its incarnation, or down), little-endian.
 */
public final class LinkCommand
{
    public static final int ORIGIN_OFFSET = CommandHeader.LENGTH;
    public static final int MESSAGE_TYPE_OFFSET = ORIGIN_OFFSET + 2;
    public static final int MESSAGE_OFFSET = MESSAGE_TYPE_OFFSET + 2;

    public static final int NODE_OFFSET = CommandHeader.LENGTH;
    public static final int UP_OFFSET = NODE_OFFSET + 4;
    public static final int INCARNATION_OFFSET = UP_OFFSET + 4;
    public static final int PEER_LENGTH = INCARNATION_OFFSET + 8;

    private LinkCommand()
    {
    }

    /** Encoded length of a {@link CommandType#LINK_MESSAGE} carrying {@code messageLength} bytes. */
    public static int messageCommandLength(final int messageLength)
    {
        return MESSAGE_OFFSET + messageLength;
    }

    public static int putMessage(
        final MutableDirectBuffer buffer, final int offset, final int originNode, final int messageType,
        final DirectBuffer message, final int messageOffset, final int messageLength)
    {
        CommandHeader.put(buffer, offset, CommandType.LINK_MESSAGE);
        buffer.putShort(offset + ORIGIN_OFFSET, (short)originNode, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + MESSAGE_TYPE_OFFSET, (short)messageType, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + MESSAGE_OFFSET, message, messageOffset, messageLength);
        return MESSAGE_OFFSET + messageLength;
    }

    public static int originNode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ORIGIN_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static int messageType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + MESSAGE_TYPE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static int putPeer(
        final MutableDirectBuffer buffer, final int offset, final int node, final boolean up, final long incarnation)
    {
        CommandHeader.put(buffer, offset, CommandType.LINK_PEER);
        buffer.putInt(offset + NODE_OFFSET, node, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + UP_OFFSET, up ? 1 : 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + INCARNATION_OFFSET, incarnation, ByteOrder.LITTLE_ENDIAN);
        return PEER_LENGTH;
    }

    public static int node(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + NODE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static boolean up(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + UP_OFFSET, ByteOrder.LITTLE_ENDIAN) != 0;
    }

    public static long incarnation(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + INCARNATION_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
