package io.switchboard.engine.command;

import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Body of {@link CommandType#PULSE_PEER_QUERY}: who waits for the answer, the asking client's private key, and the
 * client id asked about. The id {@link #NO_PEER} (never issued) stands for an id that is not 32 hex digits, so the
 * asker's key is still checked first.
 */
public final class PulsePeerQueryCommand
{
    public static final long NO_PEER = 0;

    public static final int CORRELATION_ID_OFFSET = CommandHeader.LENGTH;
    public static final int KEY_OFFSET = CORRELATION_ID_OFFSET + 8;
    public static final int PEER_MSB_OFFSET = KEY_OFFSET + PulseKey.LENGTH;
    public static final int PEER_LSB_OFFSET = PEER_MSB_OFFSET + 8;
    public static final int LENGTH = PEER_LSB_OFFSET + 8;

    private PulsePeerQueryCommand()
    {
    }

    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final PulseKey key,
        final long peerMsb,
        final long peerLsb)
    {
        CommandHeader.put(buffer, offset, CommandType.PULSE_PEER_QUERY);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        key.putRaw(buffer, offset + KEY_OFFSET);
        buffer.putLong(offset + PEER_MSB_OFFSET, peerMsb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + PEER_LSB_OFFSET, peerLsb, ByteOrder.LITTLE_ENDIAN);
        return LENGTH;
    }

    public static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static PulseKey key(final DirectBuffer buffer, final int offset, final PulseKey into)
    {
        return into.wrapRaw(buffer, offset + KEY_OFFSET);
    }

    public static long peerMsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + PEER_MSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long peerLsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + PEER_LSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
