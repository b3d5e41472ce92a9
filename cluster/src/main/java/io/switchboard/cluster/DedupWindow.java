package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Which command ids each origin node has had applied, so that a retry after a lost acknowledgement is never applied
 * twice: per origin, the highest applied id and the results of the last {@link #windowSize()} ids, kept in a ring.
 * Ids are increasing per origin and the log keeps each origin's order, so an id at or below the highest is a retry:
 * answered with its remembered result, or refused as too old once it left the window. Part of every snapshot.
 * Owned by the applying thread.
 */
public final class DedupWindow
{
    public static final int DEFAULT_WINDOW_SIZE = 4096;
    public static final int MAX_ORIGINS = 64;
    /** A lookup's answer when the id is new: apply it. */
    public static final int NOT_SEEN = Integer.MIN_VALUE;
    /** A lookup's answer when the id is a retry too old to be remembered. */
    public static final int FORGOTTEN = Integer.MIN_VALUE + 1;

    /** Ids per snapshot record: 3 KB records. */
    public static final int ENTRIES_PER_RECORD = 256;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int RECORD_HEADER = 16;
    private static final int ENTRY = 12;
    private static final long NONE = Long.MIN_VALUE;

    private final int windowSize;
    private final Origin[] origins = new Origin[MAX_ORIGINS];

    private static final class Origin
    {
        final long[] ids;
        final int[] results;
        long highest = NONE;
        int next;
        int count;

        Origin(final int windowSize)
        {
            ids = new long[windowSize];
            results = new int[windowSize];
        }
    }

    public DedupWindow()
    {
        this(DEFAULT_WINDOW_SIZE);
    }

    public DedupWindow(final int windowSize)
    {
        if (windowSize < 1)
        {
            throw new IllegalArgumentException("dedup window size must be >= 1: " + windowSize);
        }
        this.windowSize = windowSize;
    }

    public int windowSize()
    {
        return windowSize;
    }

    public static boolean isValidOrigin(final int origin)
    {
        return origin >= 0 && origin < MAX_ORIGINS;
    }

    /** {@link #NOT_SEEN}, {@link #FORGOTTEN}, or the result the id was applied with. */
    public int lookup(final int origin, final long commandId)
    {
        final Origin state = origins[origin];
        if (state == null || state.highest == NONE || commandId > state.highest)
        {
            return NOT_SEEN;
        }
        for (int i = 0; i < state.count; i++)
        {
            final int slot = Math.floorMod(state.next - 1 - i, windowSize);
            if (state.ids[slot] == commandId)
            {
                return state.results[slot];
            }
        }
        return FORGOTTEN;
    }

    /** Records an applied id, which {@link #lookup} answered {@link #NOT_SEEN}. */
    public void record(final int origin, final long commandId, final int result)
    {
        Origin state = origins[origin];
        if (state == null)
        {
            state = new Origin(windowSize);
            origins[origin] = state;
        }
        state.ids[state.next] = commandId;
        state.results[state.next] = result;
        state.next = (state.next + 1) % windowSize;
        state.count = Math.min(state.count + 1, windowSize);
        state.highest = commandId;
    }

    /**
     * Records of at most {@link #ENTRIES_PER_RECORD} ids each (small enough for any term length): origin, highest,
     * count, then (id, result) pairs, oldest first.
     */
    public void takeSnapshot(final SnapshotWriter writer)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(RECORD_HEADER + ENTRIES_PER_RECORD * ENTRY);
        for (int origin = 0; origin < MAX_ORIGINS; origin++)
        {
            final Origin state = origins[origin];
            if (state == null)
            {
                continue;
            }
            int remaining = state.count;
            do
            {
                final int count = Math.min(remaining, ENTRIES_PER_RECORD);
                buffer.putInt(0, origin, ORDER);
                buffer.putLong(4, state.highest, ORDER);
                buffer.putInt(12, count, ORDER);
                int position = RECORD_HEADER;
                for (int i = remaining; i > remaining - count; i--)
                {
                    final int slot = Math.floorMod(state.next - i, windowSize);
                    buffer.putLong(position, state.ids[slot], ORDER);
                    buffer.putInt(position + 8, state.results[slot], ORDER);
                    position += ENTRY;
                }
                writer.write(buffer, 0, position);
                remaining -= count;
            }
            while (remaining > 0);
        }
    }

    /** Replaces every origin's window by the snapshot's; a longer snapshot window keeps its newest ids. */
    public void loadSnapshot(final SnapshotReader reader)
    {
        Arrays.fill(origins, null);
        while (reader.next())
        {
            final DirectBuffer buffer = reader.buffer();
            final int offset = reader.offset();
            final int origin = buffer.getInt(offset, ORDER);
            final long highest = buffer.getLong(offset + 4, ORDER);
            final int count = buffer.getInt(offset + 12, ORDER);
            if (!isValidOrigin(origin) || count < 0 || reader.length() != RECORD_HEADER + count * ENTRY)
            {
                throw new IllegalStateException("malformed dedup window in snapshot: origin=" + origin);
            }
            for (int i = 0; i < count; i++)
            {
                final int position = offset + RECORD_HEADER + i * ENTRY;
                record(origin, buffer.getLong(position, ORDER), buffer.getInt(position + 8, ORDER));
            }
            if (origins[origin] == null)
            {
                origins[origin] = new Origin(windowSize);
            }
            origins[origin].highest = highest;
        }
    }
}
