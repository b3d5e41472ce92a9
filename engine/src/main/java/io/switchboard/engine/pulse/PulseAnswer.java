package io.switchboard.engine.pulse;

import io.switchboard.engine.table.PulseClientRecord;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The handler's answer to a pulse command, read by the HTTP edge that waits for it: an outcome, whether a verify
 * changed anything, the handler's time, a client id and, for a peer query, the peer's state and address. Fixed
 * layout, little-endian like the commands.
 */
public final class PulseAnswer
{
    public static final byte OK = 0;
    /** The private key the command carried is not held by any client. */
    public static final byte UNKNOWN_KEY = 1;
    /** The key is good but the client id asked about is not registered. */
    public static final byte UNKNOWN_PEER = 2;
    /** Registration refused: the table holds the most clients allowed. */
    public static final byte FULL = 3;
    /** Registration refused: the id or key drawn is already in use; draw again. */
    public static final byte DUPLICATE = 4;
    /** Refused, nothing changed: the persisted table lags so far behind that the change could not be on file soon. */
    public static final byte BUSY = 5;

    public static final int OUTCOME_OFFSET = 0;
    public static final int CHANGED_OFFSET = 1;
    public static final int STATE_OFFSET = 2;
    public static final int FAMILY_OFFSET = 3;
    public static final int PORT_OFFSET = 4;
    public static final int NOW_MS_OFFSET = 8;
    public static final int CLIENT_MSB_OFFSET = 16;
    public static final int CLIENT_LSB_OFFSET = 24;
    public static final int LAST_PULSE_MS_OFFSET = 32;
    public static final int ADDRESS_OFFSET = 40;
    public static final int LENGTH = ADDRESS_OFFSET + 16;

    private PulseAnswer()
    {
    }

    /** An answer naming the client the command acted on. */
    public static int put(
        final MutableDirectBuffer buffer,
        final byte outcome,
        final boolean changed,
        final long nowMs,
        final long clientMsb,
        final long clientLsb)
    {
        buffer.setMemory(0, LENGTH, (byte)0);
        buffer.putByte(OUTCOME_OFFSET, outcome);
        buffer.putByte(CHANGED_OFFSET, (byte)(changed ? 1 : 0));
        buffer.putLong(NOW_MS_OFFSET, nowMs, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(CLIENT_MSB_OFFSET, clientMsb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(CLIENT_LSB_OFFSET, clientLsb, ByteOrder.LITTLE_ENDIAN);
        return LENGTH;
    }

    /** The view of a peer: its state, last pulse and learnt address. */
    public static int putPeer(
        final MutableDirectBuffer buffer,
        final long nowMs,
        final long clientMsb,
        final long clientLsb,
        final PulseClientRecord peer)
    {
        put(buffer, OK, false, nowMs, clientMsb, clientLsb);
        buffer.putByte(STATE_OFFSET, peer.state());
        buffer.putByte(FAMILY_OFFSET, peer.family());
        buffer.putInt(PORT_OFFSET, peer.port(), ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(LAST_PULSE_MS_OFFSET, peer.lastPulseMs(), ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(ADDRESS_OFFSET, peer.address(), 0, 16);
        return LENGTH;
    }

    public static byte outcome(final DirectBuffer buffer)
    {
        return buffer.getByte(OUTCOME_OFFSET);
    }

    public static boolean changed(final DirectBuffer buffer)
    {
        return buffer.getByte(CHANGED_OFFSET) != 0;
    }

    /** {@link PulseClientRecord#ONLINE} or {@link PulseClientRecord#PENDING}. */
    public static byte state(final DirectBuffer buffer)
    {
        return buffer.getByte(STATE_OFFSET);
    }

    /** {@link PulseClientRecord#NO_ADDRESS}, {@link PulseClientRecord#IPV4} or {@link PulseClientRecord#IPV6}. */
    public static byte family(final DirectBuffer buffer)
    {
        return buffer.getByte(FAMILY_OFFSET);
    }

    public static int port(final DirectBuffer buffer)
    {
        return buffer.getInt(PORT_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long nowMs(final DirectBuffer buffer)
    {
        return buffer.getLong(NOW_MS_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long clientMsb(final DirectBuffer buffer)
    {
        return buffer.getLong(CLIENT_MSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long clientLsb(final DirectBuffer buffer)
    {
        return buffer.getLong(CLIENT_LSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** Epoch ms of the peer's last accepted pulse; 0 = never. */
    public static long lastPulseMs(final DirectBuffer buffer)
    {
        return buffer.getLong(LAST_PULSE_MS_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** The peer's address bytes: 4 for IPv4, 16 for IPv6. */
    public static byte[] address(final DirectBuffer buffer)
    {
        final byte[] address = new byte[family(buffer) == PulseClientRecord.IPV6 ? 16 : 4];
        buffer.getBytes(ADDRESS_OFFSET, address);
        return address;
    }
}
