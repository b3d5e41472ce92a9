package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The leader's answer on a client session's egress once a command is committed and applied. Little-endian.
 * <pre>
 *   0  command id    int64
 *   8  result        int32  ({@link StateMachine} result, or one of {@link CommandResult}'s log codes)
 *  12  log position  int64  (the log position just after the command)
 *  20  flags         int32  ({@link #FLAG_DUPLICATE})
 *  24
 * </pre>
 */
public final class CommandReply
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int COMMAND_ID_OFFSET = 0;
    public static final int RESULT_OFFSET = 8;
    public static final int LOG_POSITION_OFFSET = 12;
    public static final int FLAGS_OFFSET = 20;
    public static final int LENGTH = 24;
    /** The command id had been applied before: the result is the remembered one. */
    public static final int FLAG_DUPLICATE = 1;

    private DirectBuffer buffer;
    private int offset;

    public CommandReply wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public long commandId()
    {
        return buffer.getLong(offset + COMMAND_ID_OFFSET, BYTE_ORDER);
    }

    public int result()
    {
        return buffer.getInt(offset + RESULT_OFFSET, BYTE_ORDER);
    }

    public long logPosition()
    {
        return buffer.getLong(offset + LOG_POSITION_OFFSET, BYTE_ORDER);
    }

    public int flags()
    {
        return buffer.getInt(offset + FLAGS_OFFSET, BYTE_ORDER);
    }

    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final long commandId,
        final int result,
        final long logPosition,
        final int flags)
    {
        buffer.putLong(offset + COMMAND_ID_OFFSET, commandId, BYTE_ORDER);
        buffer.putInt(offset + RESULT_OFFSET, result, BYTE_ORDER);
        buffer.putLong(offset + LOG_POSITION_OFFSET, logPosition, BYTE_ORDER);
        buffer.putInt(offset + FLAGS_OFFSET, flags, BYTE_ORDER);
        return LENGTH;
    }
}
