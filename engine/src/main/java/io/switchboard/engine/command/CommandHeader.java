package io.switchboard.engine.command;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/** Every command starts with its type as a little-endian int; the body follows. */
public final class CommandHeader
{
    public static final int TYPE_OFFSET = 0;
    public static final int LENGTH = 4;

    private CommandHeader()
    {
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + TYPE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static int put(final MutableDirectBuffer buffer, final int offset, final int type)
    {
        buffer.putInt(offset + TYPE_OFFSET, type, ByteOrder.LITTLE_ENDIAN);
        return LENGTH;
    }
}
