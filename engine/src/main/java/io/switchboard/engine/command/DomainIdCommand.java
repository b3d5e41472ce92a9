package io.switchboard.engine.command;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/** Body of the commands that name only a domain: {@link CommandType#DOMAIN_KEY_FETCH_FAILED}, {@link CommandType#DOMAIN_REMOVED}. */
public final class DomainIdCommand
{
    public static final int MSB_OFFSET = CommandHeader.LENGTH;
    public static final int LSB_OFFSET = MSB_OFFSET + 8;
    public static final int LENGTH = LSB_OFFSET + 8;

    private DomainIdCommand()
    {
    }

    public static int put(final MutableDirectBuffer buffer, final int offset, final int type, final long msb, final long lsb)
    {
        CommandHeader.put(buffer, offset, type);
        buffer.putLong(offset + MSB_OFFSET, msb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + LSB_OFFSET, lsb, ByteOrder.LITTLE_ENDIAN);
        return LENGTH;
    }

    public static long msb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + MSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long lsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + LSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
