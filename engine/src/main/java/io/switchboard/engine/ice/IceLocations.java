package io.switchboard.engine.ice;

import io.switchboard.engine.table.IcePeerRecord;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Which cluster node holds which heartbeating domain (this node's own domains included), with the sockets the domain
 * claimed: what a node needs to answer a query for a domain that heartbeats to another node, and what it sends a
 * peer node that comes up. A bounded table, all of it allocated up front: fixed-size entries in one off-heap buffer
 * (a free list reuses them, so an entry never moves while it lives) and an open-addressing index of entry numbers
 * with linear probing. Only the engine's handler thread touches it.
 */
final class IceLocations
{
    /** No entry: an unknown domain, or a full table. */
    static final int NONE = -1;
    /** The holder of a free entry. */
    private static final int FREE = -1;

    private static final int MSB_OFFSET = 0;
    private static final int LSB_OFFSET = 8;
    private static final int SINCE_OFFSET = 16;
    private static final int HOLDER_OFFSET = 24;
    private static final int GENERATION_OFFSET = 28;
    private static final int SOCKETS_LENGTH_OFFSET = 32;
    private static final int SOCKETS_OFFSET = 36;
    private static final int ENTRY_LENGTH = (SOCKETS_OFFSET + IcePeerRecord.MAX_SOCKETS_LENGTH + 7) & ~7;

    private final UnsafeBuffer entries;
    /** Entry number + 1 per slot; 0 = empty. */
    private final int[] index;
    private final int indexMask;
    private final int[] freeEntries;
    private final int capacity;
    private int freeCount;
    /** Entries ever handed out: every live entry is below it. */
    private int highWater;
    private int size;

    IceLocations(final int capacity)
    {
        this.capacity = capacity;
        entries = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * ENTRY_LENGTH, 64));
        // At most half full, so a probe ends soon.
        final int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
        index = new int[slots];
        indexMask = slots - 1;
        freeEntries = new int[capacity];
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return capacity;
    }

    /** Entries below this are either live or free ({@link #holder} is then -1): bounds a scan. */
    int highWater()
    {
        return highWater;
    }

    /** The domain's entry, or {@link #NONE}. */
    int find(final long msb, final long lsb)
    {
        int slot = slotOf(msb, lsb);
        while (true)
        {
            final int held = index[slot];
            if (held == 0)
            {
                return NONE;
            }
            final int entry = held - 1;
            if (msb(entry) == msb && lsb(entry) == lsb)
            {
                return entry;
            }
            slot = (slot + 1) & indexMask;
        }
    }

    /** The domain's entry, a new one (holder and fields to be set by the caller) or {@link #NONE} when full. */
    int findOrAdd(final long msb, final long lsb)
    {
        int slot = slotOf(msb, lsb);
        while (true)
        {
            final int held = index[slot];
            if (held == 0)
            {
                break;
            }
            final int entry = held - 1;
            if (msb(entry) == msb && lsb(entry) == lsb)
            {
                return entry;
            }
            slot = (slot + 1) & indexMask;
        }
        if (size == capacity)
        {
            return NONE;
        }
        final int entry = freeCount > 0 ? freeEntries[--freeCount] : highWater++;
        final int base = entry * ENTRY_LENGTH;
        entries.putLong(base + MSB_OFFSET, msb, ByteOrder.LITTLE_ENDIAN);
        entries.putLong(base + LSB_OFFSET, lsb, ByteOrder.LITTLE_ENDIAN);
        entries.putLong(base + SINCE_OFFSET, Long.MIN_VALUE, ByteOrder.LITTLE_ENDIAN);
        entries.putInt(base + HOLDER_OFFSET, FREE, ByteOrder.LITTLE_ENDIAN);
        entries.putInt(base + GENERATION_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
        entries.putInt(base + SOCKETS_LENGTH_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
        index[slot] = entry + 1;
        size++;
        return entry;
    }

    /** Frees {@code entry}; the index closes the gap (backward shift), so no tombstones pile up. */
    void remove(final int entry)
    {
        int slot = slotOf(msb(entry), lsb(entry));
        while (index[slot] != entry + 1)
        {
            slot = (slot + 1) & indexMask;
        }
        int gap = slot;
        int next = (gap + 1) & indexMask;
        while (index[next] != 0)
        {
            final int moved = index[next] - 1;
            final int home = slotOf(msb(moved), lsb(moved));
            // The entry at next may fill the gap when its home is not cyclically within (gap, next].
            if (((next - home) & indexMask) >= ((next - gap) & indexMask))
            {
                index[gap] = index[next];
                gap = next;
            }
            next = (next + 1) & indexMask;
        }
        index[gap] = 0;
        entries.putInt(entry * ENTRY_LENGTH + HOLDER_OFFSET, FREE, ByteOrder.LITTLE_ENDIAN);
        freeEntries[freeCount++] = entry;
        size--;
    }

    long msb(final int entry)
    {
        return entries.getLong(entry * ENTRY_LENGTH + MSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    long lsb(final int entry)
    {
        return entries.getLong(entry * ENTRY_LENGTH + LSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** The node holding the domain; -1 for a free entry. */
    int holder(final int entry)
    {
        return entries.getInt(entry * ENTRY_LENGTH + HOLDER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** When the holder took the domain, or last re-announced it: on the holder's clock. */
    long since(final int entry)
    {
        return entries.getLong(entry * ENTRY_LENGTH + SINCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** Which of the holder's full announcements last named it (see {@link IceCluster}). */
    int generation(final int entry)
    {
        return entries.getInt(entry * ENTRY_LENGTH + GENERATION_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    int socketsOffset(final int entry)
    {
        return entry * ENTRY_LENGTH + SOCKETS_OFFSET;
    }

    int socketsLength(final int entry)
    {
        return entries.getInt(entry * ENTRY_LENGTH + SOCKETS_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** The buffer {@link #socketsOffset} points into. */
    DirectBuffer buffer()
    {
        return entries;
    }

    boolean sameSockets(final int entry, final DirectBuffer sockets, final int offset, final int length)
    {
        if (socketsLength(entry) != length)
        {
            return false;
        }
        final int stored = socketsOffset(entry);
        for (int i = 0; i < length; i++)
        {
            if (entries.getByte(stored + i) != sockets.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    /** @param length at most {@link IcePeerRecord#MAX_SOCKETS_LENGTH} (what a parsed NetworkPeer's sockets take) */
    void set(
        final int entry,
        final int holder,
        final long since,
        final int generation,
        final DirectBuffer sockets,
        final int offset,
        final int length)
    {
        final int base = entry * ENTRY_LENGTH;
        entries.putInt(base + HOLDER_OFFSET, holder, ByteOrder.LITTLE_ENDIAN);
        entries.putLong(base + SINCE_OFFSET, since, ByteOrder.LITTLE_ENDIAN);
        entries.putInt(base + GENERATION_OFFSET, generation, ByteOrder.LITTLE_ENDIAN);
        entries.putInt(base + SOCKETS_LENGTH_OFFSET, length, ByteOrder.LITTLE_ENDIAN);
        entries.putBytes(base + SOCKETS_OFFSET, sockets, offset, length);
    }

    private int slotOf(final long msb, final long lsb)
    {
        long h = (msb ^ Long.rotateLeft(lsb, 29)) * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 32;
        return (int)h & indexMask;
    }
}
