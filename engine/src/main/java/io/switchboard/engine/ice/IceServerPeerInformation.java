package io.switchboard.engine.ice;

import io.switchboard.engine.wire.QtSocketAddress;
import io.switchboard.engine.wire.Uuids;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * ICEServerPeerInformation (22, v17), ICE server to client or domain: one NetworkPeer, i.e. UUID, public socket,
 * local socket. The active socket is not serialized.
 */
public final class IceServerPeerInformation
{
    public static final int PEER_ID_OFFSET = IceHeader.LENGTH;
    public static final int PUBLIC_SOCKET_OFFSET = PEER_ID_OFFSET + Uuids.LENGTH;

    private DirectBuffer buffer;
    private int offset;
    private int publicSocketLength;
    private int localSocketLength;

    public boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        final int limit = offset + length;
        if (length < PUBLIC_SOCKET_OFFSET)
        {
            return false;
        }
        publicSocketLength = QtSocketAddress.encodedLength(buffer, offset + PUBLIC_SOCKET_OFFSET, limit);
        if (publicSocketLength < 0)
        {
            return false;
        }
        localSocketLength = QtSocketAddress.encodedLength(
            buffer, offset + PUBLIC_SOCKET_OFFSET + publicSocketLength, limit);
        return localSocketLength >= 0 && PUBLIC_SOCKET_OFFSET + publicSocketLength + localSocketLength == length;
    }

    public long peerIdMsb()
    {
        return Uuids.msb(buffer, offset + PEER_ID_OFFSET);
    }

    public long peerIdLsb()
    {
        return Uuids.lsb(buffer, offset + PEER_ID_OFFSET);
    }

    public int publicSocketOffset()
    {
        return offset + PUBLIC_SOCKET_OFFSET;
    }

    public int publicSocketLength()
    {
        return publicSocketLength;
    }

    public int localSocketOffset()
    {
        return offset + PUBLIC_SOCKET_OFFSET + publicSocketLength;
    }

    public int localSocketLength()
    {
        return localSocketLength;
    }

    /** Writes the packet around an already serialized NetworkPeer (UUID + public + local); returns its length. */
    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final int sequenceNumber,
        final DirectBuffer peer,
        final int peerOffset,
        final int peerLength)
    {
        IceHeader.put(buffer, offset, sequenceNumber, IcePacketType.PEER_INFORMATION);
        buffer.putBytes(offset + PEER_ID_OFFSET, peer, peerOffset, peerLength);
        return PEER_ID_OFFSET + peerLength;
    }

    /** Writes the packet from its fields: peer id, then the two sockets already serialized back to back. */
    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final int sequenceNumber,
        final long peerIdMsb,
        final long peerIdLsb,
        final DirectBuffer sockets,
        final int socketsOffset,
        final int socketsLength)
    {
        IceHeader.put(buffer, offset, sequenceNumber, IcePacketType.PEER_INFORMATION);
        Uuids.put(buffer, offset + PEER_ID_OFFSET, peerIdMsb, peerIdLsb);
        buffer.putBytes(offset + PUBLIC_SOCKET_OFFSET, sockets, socketsOffset, socketsLength);
        return PUBLIC_SOCKET_OFFSET + socketsLength;
    }
}
