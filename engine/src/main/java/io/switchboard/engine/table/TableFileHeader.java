package io.switchboard.engine.table;

import net.openhft.chronicle.algo.hashing.LongHashFunction;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The start of a Chronicle Map file, read without Chronicle (whose own open waits for a header that never becomes
 * ready, and whose recovery silently extends a truncated file): the self-bootstrapping header with its xxHash64,
 * then the global state holding the size of the data store (Chronicle Map spec, "3. Memory Layout").
 *
 * @param problem            what is wrong, as a phrase after the file name; null when the header is sound
 * @param headerIntact       whether the header and the global state can be used (only the size may be wrong)
 * @param notComplete        whether the size word's not-complete bit is set: recovery or creation was interrupted
 * @param segmentHeadersAt   where the segment headers start: the header and global state lie before it
 */
record TableFileHeader(String problem, boolean headerIntact, boolean notComplete, long segmentHeadersAt)
{
    private static final int CHECKSUM_OFFSET = 0;
    private static final int SIZE_WORD_OFFSET = 8;
    private static final int HEADER_OFFSET = 12;
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int SIZE_MASK = 0x3fff_ffff;
    /** Chronicle writes at most 16 KiB of header. */
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** The global state starts at the next cache line after the header. */
    private static final int GLOBAL_STATE_ALIGNMENT = 64;
    private static final int SEGMENT_HEADERS_OFFSET_IN_STATE = 21;
    private static final int DATA_STORE_SIZE_IN_STATE = 25;
    private static final int GLOBAL_STATE_LENGTH = 33;
    private static final int ZERO_SCAN_CHUNK = 64 * 1024;
    private static final long ZERO_SCAN_LIMIT = 64L * 1024 * 1024;

    static TableFileHeader read(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long length = channel.size();
            if (length == 0)
            {
                return damaged("is empty (0 bytes)");
            }
            final ByteBuffer bytes = ByteBuffer.allocate(
                (int)Math.min(length, HEADER_OFFSET + MAX_HEADER_BYTES + GLOBAL_STATE_ALIGNMENT + GLOBAL_STATE_LENGTH))
                .order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, bytes);
            if (length < HEADER_OFFSET)
            {
                return damaged("is truncated to " + length + " bytes, shorter than a header");
            }
            if (bytes.getLong(CHECKSUM_OFFSET) == 0 && bytes.getInt(SIZE_WORD_OFFSET) == 0)
            {
                return damaged("has no header: its first " + leadingZeros(channel, length) + " bytes are zero");
            }
            final int sizeWord = bytes.getInt(SIZE_WORD_OFFSET);
            final int headerBytes = sizeWord & SIZE_MASK;
            if ((sizeWord & META_DATA) != 0 || headerBytes == 0 || headerBytes > MAX_HEADER_BYTES ||
                HEADER_OFFSET + headerBytes > bytes.limit())
            {
                return damaged("has a corrupt header (its size word is " + Integer.toHexString(sizeWord) + ")");
            }
            // Chronicle hashes the size word as it reads when ready.
            bytes.putInt(SIZE_WORD_OFFSET, sizeWord & ~NOT_COMPLETE);
            final long checksum = LongHashFunction.xx_r39().hashBytes(bytes, SIZE_WORD_OFFSET, headerBytes + 4);
            if (checksum != bytes.getLong(CHECKSUM_OFFSET))
            {
                return damaged("has a corrupt header (its checksum does not match)");
            }
            final int state = align(HEADER_OFFSET + headerBytes);
            if (state + GLOBAL_STATE_LENGTH > bytes.limit())
            {
                return new TableFileHeader("is truncated to " + length + " bytes, inside its header", false, false, 0);
            }
            final long segmentHeadersAt = Integer.toUnsignedLong(bytes.getInt(state + SEGMENT_HEADERS_OFFSET_IN_STATE));
            final long dataStoreSize = bytes.getLong(state + DATA_STORE_SIZE_IN_STATE);
            final boolean notComplete = (sizeWord & NOT_COMPLETE) != 0;
            if (segmentHeadersAt < state + GLOBAL_STATE_LENGTH || dataStoreSize < segmentHeadersAt)
            {
                return damaged("has a corrupt global state (segments at " + segmentHeadersAt + ", data store of " +
                    dataStoreSize + " bytes)");
            }
            if (length < dataStoreSize)
            {
                return new TableFileHeader("is truncated: " + length + " bytes where its header says " +
                    dataStoreSize, true, notComplete, segmentHeadersAt);
            }
            return new TableFileHeader(null, true, notComplete, segmentHeadersAt);
        }
    }

    /** Sets the size word's ready bit again, after an interrupted recovery; the header is otherwise intact. */
    static void markReady(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(word, SIZE_WORD_OFFSET);
            word.putInt(0, word.getInt(0) & ~NOT_COMPLETE).clear();
            channel.write(word, SIZE_WORD_OFFSET);
            channel.force(false);
        }
    }

    private static TableFileHeader damaged(final String problem)
    {
        return new TableFileHeader(problem, false, false, 0);
    }

    private static int align(final int offset)
    {
        return (offset + GLOBAL_STATE_ALIGNMENT - 1) & -GLOBAL_STATE_ALIGNMENT;
    }

    private static long leadingZeros(final FileChannel channel, final long length) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(ZERO_SCAN_CHUNK);
        long at = 0;
        while (at < Math.min(length, ZERO_SCAN_LIMIT))
        {
            chunk.clear();
            final int read = channel.read(chunk, at);
            if (read <= 0)
            {
                break;
            }
            for (int i = 0; i < read; i++)
            {
                if (chunk.get(i) != 0)
                {
                    return at + i;
                }
            }
            at += read;
        }
        return at;
    }

    private static void readFully(final FileChannel channel, final ByteBuffer into) throws IOException
    {
        while (into.hasRemaining() && channel.read(into, into.position()) > 0)
        {
        }
        into.clear();
    }
}
