package io.switchboard.engine.pulse;

import io.switchboard.engine.table.PulseClientRecord;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The handler's working copy of every registered client's record: one fixed-size off-heap cell per slot, read and
 * written in place, so a pulse costs no hash lookup beyond finding the slot. The persisted table trails it through
 * the {@link PulsePersister}. Handler thread only.
 */
final class PulseRecords
{
    static final int CELL = 80;
    /** The cells are one direct buffer, addressed by int. */
    static final int MAX_SLOTS = Integer.MAX_VALUE / CELL;

    private final UnsafeBuffer cells;

    PulseRecords(final int capacity)
    {
        cells = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CELL));
    }

    PulseClientRecord get(final int slot, final PulseClientRecord into)
    {
        return into.get(cells, slot * CELL);
    }

    void put(final int slot, final PulseClientRecord from)
    {
        from.put(cells, slot * CELL);
    }

    /** Marks the cell empty: a freed slot. */
    void clear(final int slot)
    {
        cells.setMemory(slot * CELL, CELL, (byte)0);
    }

    boolean isEmpty(final int slot)
    {
        return cells.getByte(slot * CELL + PulseClientRecord.STATE_OFFSET) == 0;
    }

    long bytes()
    {
        return cells.capacity();
    }
}
