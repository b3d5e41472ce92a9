package io.switchboard.engine.command;

import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Body of the commands a client sends with nothing but its private key ({@link CommandType#PULSE_VERIFY},
 * {@link CommandType#PULSE_LOGOUT}): who waits for the answer, then the key.
 */
public final class PulseKeyCommand
{
    public static final int CORRELATION_ID_OFFSET = CommandHeader.LENGTH;
    public static final int KEY_OFFSET = CORRELATION_ID_OFFSET + 8;
    public static final int LENGTH = KEY_OFFSET + PulseKey.LENGTH;

    private PulseKeyCommand()
    {
    }

    public static int put(
        final MutableDirectBuffer buffer, final int offset, final int type, final long correlationId, final PulseKey key)
    {
        CommandHeader.put(buffer, offset, type);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        key.putRaw(buffer, offset + KEY_OFFSET);
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
}
