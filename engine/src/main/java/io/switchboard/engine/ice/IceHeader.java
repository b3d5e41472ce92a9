package io.switchboard.engine.ice;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The 6-byte header of every ICE datagram: the UDT sequence/flags word (little-endian uint32), the packet type and
 * the packet version. ICE packets are non-sourced, so no local node id and no hash follow.
 */
public final class IceHeader
{
    public static final int WORD_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int VERSION_OFFSET = 5;
    public static final int LENGTH = 6;

    public static final int CONTROL_BIT = 0x8000_0000;
    public static final int RELIABLE_BIT = 0x4000_0000;
    public static final int MESSAGE_BIT = 0x2000_0000;
    public static final int OBFUSCATION_MASK = 0x1800_0000;
    public static final int SEQUENCE_MASK = 0x07FF_FFFF;
    /** Any of these set means the datagram is not a plain unreliable data packet, which is all ICE ever sends. */
    public static final int NON_PLAIN_MASK = CONTROL_BIT | RELIABLE_BIT | MESSAGE_BIT | OBFUSCATION_MASK;

    private DirectBuffer buffer;
    private int offset;

    public IceHeader wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int word()
    {
        return buffer.getInt(offset + WORD_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public int sequenceNumber()
    {
        return word() & SEQUENCE_MASK;
    }

    public boolean isPlainDataPacket()
    {
        return (word() & NON_PLAIN_MASK) == 0;
    }

    public byte type()
    {
        return buffer.getByte(offset + TYPE_OFFSET);
    }

    public byte version()
    {
        return buffer.getByte(offset + VERSION_OFFSET);
    }

    /** Writes a plain unreliable header with the version this type must carry. */
    public static int put(final MutableDirectBuffer buffer, final int offset, final int sequenceNumber, final byte type)
    {
        buffer.putInt(offset + WORD_OFFSET, sequenceNumber & SEQUENCE_MASK, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(offset + TYPE_OFFSET, type);
        buffer.putByte(offset + VERSION_OFFSET, IcePacketType.versionOf(type));
        return LENGTH;
    }
}
