package io.switchboard.engine.ice;

import io.switchboard.engine.wire.Uuids;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * ICEPing (39, v18) and ICEPingReply (40, v17), peer to peer: the sender's UUID and one ping-type byte. The ICE
 * server never acts on them; peers and our tools do.
 */
public final class IcePing
{
    public static final byte PING_TYPE_AGNOSTIC = 0;
    public static final byte PING_TYPE_LOCAL = 1;
    public static final byte PING_TYPE_PUBLIC = 2;
    public static final byte PING_TYPE_SYMMETRIC = 3;

    public static final int SENDER_ID_OFFSET = IceHeader.LENGTH;
    public static final int PING_TYPE_OFFSET = SENDER_ID_OFFSET + Uuids.LENGTH;
    public static final int LENGTH = PING_TYPE_OFFSET + 1;

    private DirectBuffer buffer;
    private int offset;

    public boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        return length == LENGTH && (pingType() & 0xFF) <= PING_TYPE_SYMMETRIC;
    }

    public long senderIdMsb()
    {
        return Uuids.msb(buffer, offset + SENDER_ID_OFFSET);
    }

    public long senderIdLsb()
    {
        return Uuids.lsb(buffer, offset + SENDER_ID_OFFSET);
    }

    public byte pingType()
    {
        return buffer.getByte(offset + PING_TYPE_OFFSET);
    }

    /** @param type {@link IcePacketType#PING} or {@link IcePacketType#PING_REPLY} */
    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final int sequenceNumber,
        final byte type,
        final long senderIdMsb,
        final long senderIdLsb,
        final byte pingType)
    {
        if (type != IcePacketType.PING && type != IcePacketType.PING_REPLY)
        {
            throw new IllegalArgumentException("not a ping type: " + type);
        }
        IceHeader.put(buffer, offset, sequenceNumber, type);
        Uuids.put(buffer, offset + SENDER_ID_OFFSET, senderIdMsb, senderIdLsb);
        buffer.putByte(offset + PING_TYPE_OFFSET, pingType);
        return LENGTH;
    }
}
