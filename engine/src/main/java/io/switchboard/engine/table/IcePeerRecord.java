package io.switchboard.engine.table;

import io.switchboard.engine.wire.QtSocketAddress;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * One heartbeating domain as the ICE server keeps it: the public and local sockets it claimed (raw, relayed verbatim
 * in PeerInformation), the socket its last verified heartbeat came from, when that was, and the bytes of that
 * heartbeat after the sequence word so an identical one is ACKed without a second RSA verification.
 * A reusable holder: the handler thread reads a table entry into one instance and writes it back.
 */
public final class IcePeerRecord
{
    public static final int MAX_SOCKETS_LENGTH = 2 * QtSocketAddress.MAX_LENGTH;
    /** Longest heartbeat remembered: IPv6 sockets with scope and a 4096-bit signature fit. */
    public static final int MAX_HEARTBEAT_LENGTH = 1024;
    /** Typical encoded size: IPv4 sockets and a 2048-bit heartbeat. */
    public static final int AVERAGE_SIZE = 8 + 8 + 8 + 1 + 16 + 4 + 2 + 14 + 2 + 292;

    private final UnsafeBuffer sockets = new UnsafeBuffer(new byte[MAX_SOCKETS_LENGTH]);
    private final UnsafeBuffer verifiedHeartbeat = new UnsafeBuffer(new byte[MAX_HEARTBEAT_LENGTH]);
    private final byte[] activeAddress = new byte[16];
    private long lastHeardMs;
    private long activeFingerprint;
    private long expiryTimerId;
    private byte activeFamily;
    private int activePort;
    private int socketsLength;
    private int verifiedHeartbeatLength;

    public long lastHeardMs()
    {
        return lastHeardMs;
    }

    public IcePeerRecord lastHeardMs(final long value)
    {
        lastHeardMs = value;
        return this;
    }

    public long expiryTimerId()
    {
        return expiryTimerId;
    }

    public IcePeerRecord expiryTimerId(final long value)
    {
        expiryTimerId = value;
        return this;
    }

    /** The claimed public and local sockets, serialized back to back as in a NetworkPeer. */
    public DirectBuffer sockets()
    {
        return sockets;
    }

    public int socketsLength()
    {
        return socketsLength;
    }

    public IcePeerRecord sockets(final DirectBuffer source, final int offset, final int length)
    {
        sockets.putBytes(0, source, offset, length);
        socketsLength = length;
        return this;
    }

    public DirectBuffer verifiedHeartbeat()
    {
        return verifiedHeartbeat;
    }

    public int verifiedHeartbeatLength()
    {
        return verifiedHeartbeatLength;
    }

    /** Remembers a verified heartbeat; one too long to keep is simply verified in full next time. */
    public IcePeerRecord verifiedHeartbeat(final DirectBuffer source, final int offset, final int length)
    {
        if (length > MAX_HEARTBEAT_LENGTH)
        {
            verifiedHeartbeatLength = 0;
            return this;
        }
        verifiedHeartbeat.putBytes(0, source, offset, length);
        verifiedHeartbeatLength = length;
        return this;
    }

    public IcePeerRecord forgetVerifiedHeartbeat()
    {
        verifiedHeartbeatLength = 0;
        return this;
    }

    public boolean matchesVerifiedHeartbeat(final DirectBuffer source, final int offset, final int length)
    {
        return length == verifiedHeartbeatLength && length != 0 && equal(verifiedHeartbeat, 0, source, offset, length);
    }

    public long activeFingerprint()
    {
        return activeFingerprint;
    }

    public byte activeFamily()
    {
        return activeFamily;
    }

    public byte[] activeAddress()
    {
        return activeAddress;
    }

    public int activePort()
    {
        return activePort;
    }

    /** @param family 4 or 6; for 4 the address is the first 4 bytes */
    public IcePeerRecord active(final byte family, final byte[] address, final int port, final long fingerprint)
    {
        activeFamily = family;
        System.arraycopy(address, 0, activeAddress, 0, family == 4 ? 4 : 16);
        activePort = port;
        activeFingerprint = fingerprint;
        return this;
    }

    public IcePeerRecord activeIpv4(final int address, final int port, final long fingerprint)
    {
        activeFamily = 4;
        activeAddress[0] = (byte)(address >>> 24);
        activeAddress[1] = (byte)(address >>> 16);
        activeAddress[2] = (byte)(address >>> 8);
        activeAddress[3] = (byte)address;
        activePort = port;
        activeFingerprint = fingerprint;
        return this;
    }

    /** Offsets of the stored form ({@link #write}): fixed up to the address, whose length the family gives. */
    private static final int STORED_LAST_HEARD_OFFSET = 0;
    private static final int STORED_FINGERPRINT_OFFSET = 8;
    private static final int STORED_FAMILY_OFFSET = 24;
    private static final int STORED_ADDRESS_OFFSET = 25;

    /**
     * Whether a stored record (at {@code base}, {@code size} bytes, in the table's memory) was last verified with
     * exactly {@code heartbeat[offset, offset + length)} and is active at {@code fingerprint}; reads in place,
     * through {@code view} (the caller's, re-aimed here) when the table is in native memory.
     */
    static boolean matchesStored(
        final UnsafeBuffer view,
        final RandomDataInput stored,
        final long base,
        final long size,
        final DirectBuffer heartbeat,
        final int offset,
        final int length,
        final long fingerprint)
    {
        if (length == 0 || stored.readLong(base + STORED_FINGERPRINT_OFFSET) != fingerprint)
        {
            return false;
        }
        final int addressLength = stored.readByte(base + STORED_FAMILY_OFFSET) == 4 ? 4 : 16;
        final long socketsLengthAt = base + STORED_ADDRESS_OFFSET + addressLength + 4;
        final long heartbeatLengthAt = socketsLengthAt + 2 + stored.readShort(socketsLengthAt);
        if (heartbeatLengthAt + 2 + length != base + size || stored.readShort(heartbeatLengthAt) != length)
        {
            return false;
        }
        if (!stored.isDirectMemory())
        {
            // Chronicle keeps its tables off-heap; anything else takes the caller's read-compare-write path.
            return false;
        }
        // The table's memory itself: compare a word at a time without Chronicle's per-read checks.
        view.wrap(stored.addressForRead(heartbeatLengthAt + 2), length);
        return equal(view, 0, heartbeat, offset, length);
    }

    private static boolean equal(
        final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset, final int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (a.getLong(aOffset + i, ByteOrder.nativeOrder()) != b.getLong(bOffset + i, ByteOrder.nativeOrder()))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    static void putStoredLastHeardMs(final RandomDataOutput<?> stored, final long base, final long nowMs)
    {
        stored.writeLong(base + STORED_LAST_HEARD_OFFSET, nowMs);
    }

    int encodedLength()
    {
        return 8 + 8 + 8 + 1 + (activeFamily == 4 ? 4 : 16) + 4 + 2 + socketsLength + 2 + verifiedHeartbeatLength;
    }

    /** The stored form; {@link #matchesStored} reads its offsets, so the two change together. */
    void write(final net.openhft.chronicle.bytes.Bytes<?> out)
    {
        out.writeLong(lastHeardMs);
        out.writeLong(activeFingerprint);
        out.writeLong(expiryTimerId);
        out.writeByte(activeFamily);
        out.write(activeAddress, 0, activeFamily == 4 ? 4 : 16);
        out.writeInt(activePort);
        out.writeShort((short)socketsLength);
        out.write(sockets.byteArray(), 0, socketsLength);
        out.writeShort((short)verifiedHeartbeatLength);
        out.write(verifiedHeartbeat.byteArray(), 0, verifiedHeartbeatLength);
    }

    void read(final net.openhft.chronicle.bytes.Bytes<?> in)
    {
        lastHeardMs = in.readLong();
        activeFingerprint = in.readLong();
        expiryTimerId = in.readLong();
        activeFamily = in.readByte();
        in.read(activeAddress, 0, activeFamily == 4 ? 4 : 16);
        activePort = in.readInt();
        socketsLength = in.readShort();
        in.read(sockets.byteArray(), 0, socketsLength);
        verifiedHeartbeatLength = in.readShort();
        in.read(verifiedHeartbeat.byteArray(), 0, verifiedHeartbeatLength);
    }
}
