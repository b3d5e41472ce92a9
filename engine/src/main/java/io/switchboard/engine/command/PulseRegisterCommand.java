package io.switchboard.engine.command;

import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Body of {@link CommandType#PULSE_REGISTER}: who waits for the answer, then the new client's id and private key.
 * Both are drawn by the sender (from SecureRandom), so replaying the command on another node gives the same client.
 */
public final class PulseRegisterCommand
{
    public static final int CORRELATION_ID_OFFSET = CommandHeader.LENGTH;
    public static final int CLIENT_MSB_OFFSET = CORRELATION_ID_OFFSET + 8;
    public static final int CLIENT_LSB_OFFSET = CLIENT_MSB_OFFSET + 8;
    /** The key's 32 bytes as issued (the order its hex text reads). */
    public static final int KEY_OFFSET = CLIENT_LSB_OFFSET + 8;
    public static final int LENGTH = KEY_OFFSET + PulseKey.LENGTH;

    private PulseRegisterCommand()
    {
    }

    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final long clientMsb,
        final long clientLsb,
        final PulseKey key)
    {
        CommandHeader.put(buffer, offset, CommandType.PULSE_REGISTER);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + CLIENT_MSB_OFFSET, clientMsb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + CLIENT_LSB_OFFSET, clientLsb, ByteOrder.LITTLE_ENDIAN);
        key.putRaw(buffer, offset + KEY_OFFSET);
        return LENGTH;
    }

    public static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long clientMsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CLIENT_MSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long clientLsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CLIENT_LSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static PulseKey key(final DirectBuffer buffer, final int offset, final PulseKey into)
    {
        return into.wrapRaw(buffer, offset + KEY_OFFSET);
    }
}
