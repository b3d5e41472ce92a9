package io.switchboard.engine.ice;

import io.switchboard.engine.wire.QtSocketAddress;
import io.switchboard.engine.wire.Uuids;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * ICEServerQuery (23, v17), client to ICE server: client ICE id, the client's public and local sockets, and the id
 * of the domain it wants to reach. Unsigned.
 */
public final class IceServerQuery
{
    public static final int CLIENT_ID_OFFSET = IceHeader.LENGTH;
    public static final int PUBLIC_SOCKET_OFFSET = CLIENT_ID_OFFSET + Uuids.LENGTH;

    private DirectBuffer buffer;
    private int offset;
    private int peerLength;

    /** @return true when the client record and the domain id fill the datagram exactly. */
    public boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        final int limit = offset + length;
        if (length < PUBLIC_SOCKET_OFFSET)
        {
            return false;
        }
        final int publicLength = QtSocketAddress.encodedLength(buffer, offset + PUBLIC_SOCKET_OFFSET, limit);
        if (publicLength < 0)
        {
            return false;
        }
        final int localLength = QtSocketAddress.encodedLength(
            buffer, offset + PUBLIC_SOCKET_OFFSET + publicLength, limit);
        if (localLength < 0)
        {
            return false;
        }
        peerLength = Uuids.LENGTH + publicLength + localLength;
        return CLIENT_ID_OFFSET + peerLength + Uuids.LENGTH == length;
    }

    /** The client's NetworkPeer (id, public, local) exactly as sent: relayed verbatim to the domain. */
    public int clientPeerOffset()
    {
        return offset + CLIENT_ID_OFFSET;
    }

    public int clientPeerLength()
    {
        return peerLength;
    }

    public long domainIdMsb()
    {
        return Uuids.msb(buffer, offset + CLIENT_ID_OFFSET + peerLength);
    }

    public long domainIdLsb()
    {
        return Uuids.lsb(buffer, offset + CLIENT_ID_OFFSET + peerLength);
    }

    public long clientIdMsb()
    {
        return Uuids.msb(buffer, offset + CLIENT_ID_OFFSET);
    }

    public long clientIdLsb()
    {
        return Uuids.lsb(buffer, offset + CLIENT_ID_OFFSET);
    }

    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final int sequenceNumber,
        final long clientIdMsb,
        final long clientIdLsb,
        final DirectBuffer sockets,
        final int socketsOffset,
        final int socketsLength,
        final long domainIdMsb,
        final long domainIdLsb)
    {
        IceHeader.put(buffer, offset, sequenceNumber, IcePacketType.SERVER_QUERY);
        int cursor = offset + CLIENT_ID_OFFSET;
        cursor += Uuids.put(buffer, cursor, clientIdMsb, clientIdLsb);
        buffer.putBytes(cursor, sockets, socketsOffset, socketsLength);
        cursor += socketsLength;
        cursor += Uuids.put(buffer, cursor, domainIdMsb, domainIdLsb);
        return cursor - offset;
    }
}
