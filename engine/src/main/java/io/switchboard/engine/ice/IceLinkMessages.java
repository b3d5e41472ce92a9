package io.switchboard.engine.ice;

import io.switchboard.engine.links.LinkTypes;
import io.switchboard.engine.table.IcePeerRecord;
import io.switchboard.engine.wire.QtSocketAddress;
import io.switchboard.engine.wire.Uuids;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * What ICE servers of one cluster tell each other over the node links (types in the ICE block), little-endian:
 * <ul>
 * <li>{@link #LOCATION}: domain id, since (ms, the holder's clock), then the public and local sockets the domain
 *     claimed, serialized as in a NetworkPeer: "I hold this domain" (new, moved here, sockets changed, or a full
 *     announcement).</li>
 * <li>{@link #GONE}: domain id: "I no longer hold it" (expired or removed).</li>
 * <li>{@link #INTRODUCE}: domain id, then the querier's NetworkPeer (id, public, local) exactly as its query carried
 *     it: "send the domain this PeerInformation from your socket".</li>
 * <li>{@link #SYNC_START} / {@link #SYNC_END}: a round number; between them the sender names every domain it holds,
 *     so the receiver forgets the sender's domains not named.</li>
 * </ul>
 * Decoding checks lengths and socket encodings; a message that fails is counted and ignored.
 */
final class IceLinkMessages
{
    static final int LOCATION = LinkTypes.ICE_FIRST;
    static final int GONE = LinkTypes.ICE_FIRST + 1;
    static final int INTRODUCE = LinkTypes.ICE_FIRST + 2;
    static final int SYNC_START = LinkTypes.ICE_FIRST + 3;
    static final int SYNC_END = LinkTypes.ICE_FIRST + 4;

    static final int MSB_OFFSET = 0;
    static final int LSB_OFFSET = 8;
    static final int SINCE_OFFSET = 16;
    static final int LOCATION_SOCKETS_OFFSET = 24;
    static final int INTRODUCE_PEER_OFFSET = 16;
    static final int GONE_LENGTH = 16;
    static final int ROUND_LENGTH = 4;
    /** Longest message: an introduction with the longest NetworkPeer. */
    static final int MAX_LENGTH = INTRODUCE_PEER_OFFSET + Uuids.LENGTH + IcePeerRecord.MAX_SOCKETS_LENGTH;

    private IceLinkMessages()
    {
    }

    static long msb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + MSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static long lsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + LSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static long since(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SINCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static int round(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
    }

    static int putLocation(
        final MutableDirectBuffer buffer,
        final long msb,
        final long lsb,
        final long since,
        final DirectBuffer sockets,
        final int socketsOffset,
        final int socketsLength)
    {
        buffer.putLong(MSB_OFFSET, msb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(LSB_OFFSET, lsb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(SINCE_OFFSET, since, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(LOCATION_SOCKETS_OFFSET, sockets, socketsOffset, socketsLength);
        return LOCATION_SOCKETS_OFFSET + socketsLength;
    }

    static int putGone(final MutableDirectBuffer buffer, final long msb, final long lsb)
    {
        buffer.putLong(MSB_OFFSET, msb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(LSB_OFFSET, lsb, ByteOrder.LITTLE_ENDIAN);
        return GONE_LENGTH;
    }

    static int putIntroduce(
        final MutableDirectBuffer buffer,
        final long msb,
        final long lsb,
        final DirectBuffer peer,
        final int peerOffset,
        final int peerLength)
    {
        buffer.putLong(MSB_OFFSET, msb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(LSB_OFFSET, lsb, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(INTRODUCE_PEER_OFFSET, peer, peerOffset, peerLength);
        return INTRODUCE_PEER_OFFSET + peerLength;
    }

    static int putRound(final MutableDirectBuffer buffer, final int round)
    {
        buffer.putInt(0, round, ByteOrder.LITTLE_ENDIAN);
        return ROUND_LENGTH;
    }

    /** Whether {@code [offset, offset + length)} is exactly a public then a local socket, as a heartbeat has them. */
    static boolean isSockets(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > IcePeerRecord.MAX_SOCKETS_LENGTH)
        {
            return false;
        }
        final int limit = offset + length;
        final int publicLength = QtSocketAddress.encodedLength(buffer, offset, limit);
        if (publicLength < 0)
        {
            return false;
        }
        final int localLength = QtSocketAddress.encodedLength(buffer, offset + publicLength, limit);
        return localLength >= 0 && publicLength + localLength == length;
    }

    static boolean isLocation(final DirectBuffer buffer, final int offset, final int length)
    {
        return length > LOCATION_SOCKETS_OFFSET &&
            isSockets(buffer, offset + LOCATION_SOCKETS_OFFSET, length - LOCATION_SOCKETS_OFFSET);
    }

    static boolean isIntroduce(final DirectBuffer buffer, final int offset, final int length)
    {
        final int socketsOffset = INTRODUCE_PEER_OFFSET + Uuids.LENGTH;
        return length > socketsOffset && isSockets(buffer, offset + socketsOffset, length - socketsOffset);
    }
}
