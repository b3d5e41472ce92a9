package io.switchboard.engine.command;

import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Body of {@link CommandType#PULSE_REGISTER}: who waits for the answer (0: nobody), the new client's id and private
 * key, and when it registered. The id and key are drawn by the sender (from SecureRandom), so replaying the command
 * on another node gives the same client; the registration time (the registry log's, 0 for the engine's now) makes
 * its register grace end at the same moment on every node, however late a node applies it.
 */
public final class PulseRegisterCommand
{
    public static final int CORRELATION_ID_OFFSET = CommandHeader.LENGTH;
    public static final int CLIENT_MSB_OFFSET = CORRELATION_ID_OFFSET + 8;
    public static final int CLIENT_LSB_OFFSET = CLIENT_MSB_OFFSET + 8;
    /** The key's 32 bytes as issued (the order its hex text reads). */
    public static final int KEY_OFFSET = CLIENT_LSB_OFFSET + 8;
    public static final int REGISTERED_AT_OFFSET = KEY_OFFSET + PulseKey.LENGTH;
    public static final int LENGTH = REGISTERED_AT_OFFSET + 8;
    /** No registration time given: the engine's now. */
    public static final long NOW = 0;

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
        return put(buffer, offset, correlationId, clientMsb, clientLsb, key, NOW);
    }

    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final long clientMsb,
        final long clientLsb,
        final PulseKey key,
        final long registeredAtMs)
    {
        CommandHeader.put(buffer, offset, CommandType.PULSE_REGISTER);
        buffer.putLong(offset + REGISTERED_AT_OFFSET, registeredAtMs, ByteOrder.LITTLE_ENDIAN);
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

    public static long registeredAtMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + REGISTERED_AT_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static PulseKey key(final DirectBuffer buffer, final int offset, final PulseKey into)
    {
        return into.wrapRaw(buffer, offset + KEY_OFFSET);
    }
}
