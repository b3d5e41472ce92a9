package io.switchboard.engine.ice;

import io.switchboard.engine.wire.QtSocketAddress;
import io.switchboard.engine.wire.Uuids;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * ICEServerHeartbeat (38, v18), domain to ICE server: domain UUID, public socket, local socket, then the signature as
 * a QByteArray. The signed plaintext is the payload from the UUID up to the signature's length prefix.
 */
public final class IceServerHeartbeat
{
    public static final int DOMAIN_ID_OFFSET = IceHeader.LENGTH;
    public static final int PUBLIC_SOCKET_OFFSET = DOMAIN_ID_OFFSET + Uuids.LENGTH;
    public static final int NULL_BYTE_ARRAY = 0xFFFF_FFFF;

    private DirectBuffer buffer;
    private int offset;
    private int publicSocketLength;
    private int localSocketOffset;
    private int localSocketLength;
    private int signatureLengthOffset;
    private int signatureLength;

    /**
     * Wraps a received datagram and finds its variable-length fields.
     *
     * @return true when every field is present and within {@code length}; a null signature is well-formed.
     */
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
        localSocketOffset = PUBLIC_SOCKET_OFFSET + publicSocketLength;
        localSocketLength = QtSocketAddress.encodedLength(buffer, offset + localSocketOffset, limit);
        if (localSocketLength < 0)
        {
            return false;
        }
        signatureLengthOffset = localSocketOffset + localSocketLength;
        if (offset + signatureLengthOffset + 4 > limit)
        {
            return false;
        }
        final int declared = buffer.getInt(offset + signatureLengthOffset, ByteOrder.BIG_ENDIAN);
        if (declared == NULL_BYTE_ARRAY)
        {
            signatureLength = 0;
            return offset + signatureLengthOffset + 4 == limit;
        }
        signatureLength = declared;
        return declared >= 0 && offset + signatureLengthOffset + 4 + (long)declared == limit;
    }

    public long domainIdMsb()
    {
        return Uuids.msb(buffer, offset + DOMAIN_ID_OFFSET);
    }

    public long domainIdLsb()
    {
        return Uuids.lsb(buffer, offset + DOMAIN_ID_OFFSET);
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
        return offset + localSocketOffset;
    }

    public int localSocketLength()
    {
        return localSocketLength;
    }

    /** Offset of the signed plaintext: the payload's first byte. */
    public int plaintextOffset()
    {
        return offset + DOMAIN_ID_OFFSET;
    }

    public int plaintextLength()
    {
        return signatureLengthOffset - DOMAIN_ID_OFFSET;
    }

    public int signatureOffset()
    {
        return offset + signatureLengthOffset + 4;
    }

    public int signatureLength()
    {
        return signatureLength;
    }

    /** Writes header and plaintext; returns the plaintext's length so the caller can sign it and append. */
    public static int putPlaintext(
        final MutableDirectBuffer buffer,
        final int offset,
        final int sequenceNumber,
        final long domainIdMsb,
        final long domainIdLsb,
        final DirectBuffer publicSocket,
        final int publicSocketOffset,
        final int publicSocketLength,
        final DirectBuffer localSocket,
        final int localSocketOffset,
        final int localSocketLength)
    {
        IceHeader.put(buffer, offset, sequenceNumber, IcePacketType.SERVER_HEARTBEAT);
        int cursor = offset + DOMAIN_ID_OFFSET;
        cursor += Uuids.put(buffer, cursor, domainIdMsb, domainIdLsb);
        buffer.putBytes(cursor, publicSocket, publicSocketOffset, publicSocketLength);
        cursor += publicSocketLength;
        buffer.putBytes(cursor, localSocket, localSocketOffset, localSocketLength);
        cursor += localSocketLength;
        return cursor - offset - DOMAIN_ID_OFFSET;
    }

    /** Appends the signature QByteArray after a plaintext of {@code plaintextLength}; returns the datagram length. */
    public static int putSignature(
        final MutableDirectBuffer buffer, final int offset, final int plaintextLength, final byte[] signature)
    {
        final int cursor = offset + DOMAIN_ID_OFFSET + plaintextLength;
        if (signature == null)
        {
            buffer.putInt(cursor, NULL_BYTE_ARRAY, ByteOrder.BIG_ENDIAN);
            return cursor + 4 - offset;
        }
        buffer.putInt(cursor, signature.length, ByteOrder.BIG_ENDIAN);
        buffer.putBytes(cursor + 4, signature);
        return cursor + 4 + signature.length - offset;
    }
}
