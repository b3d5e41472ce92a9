package io.switchboard.engine.command;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Body of {@link CommandType#TABLE_BACKUP}: who waits for the answer, then the directory to copy the engine's
 * persisted tables into (an int length, then its UTF-8 path). The answer is an outcome and the records copied.
 */
public final class TableBackupCommand
{
    public static final int CORRELATION_ID_OFFSET = CommandHeader.LENGTH;
    public static final int PATH_LENGTH_OFFSET = CORRELATION_ID_OFFSET + 8;
    public static final int PATH_OFFSET = PATH_LENGTH_OFFSET + 4;

    public static final byte COPIED = 0;
    public static final byte FAILED = 1;
    public static final int ANSWER_OUTCOME_OFFSET = 0;
    public static final int ANSWER_RECORDS_OFFSET = 8;

    private TableBackupCommand()
    {
    }

    /**
     * @return the command's length
     * @throws IllegalArgumentException when the path does not fit {@code capacity}
     */
    public static int put(
        final MutableDirectBuffer buffer, final int offset, final int capacity, final long correlationId,
        final String directory)
    {
        final byte[] path = directory.getBytes(StandardCharsets.UTF_8);
        if (PATH_OFFSET + path.length > capacity)
        {
            throw new IllegalArgumentException("a backup path of " + path.length + " bytes does not fit a ring slot");
        }
        CommandHeader.put(buffer, offset, CommandType.TABLE_BACKUP);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + PATH_LENGTH_OFFSET, path.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + PATH_OFFSET, path);
        return PATH_OFFSET + path.length;
    }

    public static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** The directory, or null when the command is shorter than its path; a cold path, so it may allocate. */
    public static String directory(final DirectBuffer buffer, final int offset, final int length)
    {
        final int pathLength = buffer.getInt(offset + PATH_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (pathLength < 0 || PATH_OFFSET + pathLength > length)
        {
            return null;
        }
        return buffer.getStringWithoutLengthUtf8(offset + PATH_OFFSET, pathLength);
    }

    public static void putAnswer(final MutableDirectBuffer answer, final byte outcome, final long records)
    {
        answer.putByte(ANSWER_OUTCOME_OFFSET, outcome);
        answer.putLong(ANSWER_RECORDS_OFFSET, records, ByteOrder.LITTLE_ENDIAN);
    }

    public static byte outcome(final DirectBuffer answer)
    {
        return answer.getByte(ANSWER_OUTCOME_OFFSET);
    }

    public static long records(final DirectBuffer answer)
    {
        return answer.getLong(ANSWER_RECORDS_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
