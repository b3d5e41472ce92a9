package io.switchboard.engine.pulse;

import io.switchboard.engine.pipeline.EngineTimers;

import java.util.Arrays;

/**
 * Every registered client's slot: the number of its cell in {@link PulseRecords}, handed out here with the client's
 * id and the id of its one timer on the handler's wheel. Arrays are sized once for the most clients allowed: nothing
 * is allocated afterwards. Handler thread only.
 */
final class PulseSlots
{
    static final int NONE = -1;

    private final long[] clientMsb;
    private final long[] clientLsb;
    private final long[] timerIds;
    private final int[] freeSlots;
    private int freeCount;

    PulseSlots(final int capacity)
    {
        this.clientMsb = new long[capacity];
        this.clientLsb = new long[capacity];
        this.timerIds = new long[capacity];
        Arrays.fill(timerIds, EngineTimers.NO_TIMER);
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /** A slot for a new client, with no timer, or {@link #NONE} when every slot is taken. */
    int allocate(final long msb, final long lsb)
    {
        if (freeCount == 0)
        {
            return NONE;
        }
        final int slot = freeSlots[--freeCount];
        clientMsb[slot] = msb;
        clientLsb[slot] = lsb;
        return slot;
    }

    /** Frees the slot; its timer must be cancelled already. */
    void free(final int slot)
    {
        timerIds[slot] = EngineTimers.NO_TIMER;
        freeSlots[freeCount++] = slot;
    }

    long clientMsb(final int slot)
    {
        return clientMsb[slot];
    }

    long clientLsb(final int slot)
    {
        return clientLsb[slot];
    }

    long timerId(final int slot)
    {
        return timerIds[slot];
    }

    void timerId(final int slot, final long timerId)
    {
        timerIds[slot] = timerId;
    }

    int size()
    {
        return freeSlots.length - freeCount;
    }
}
