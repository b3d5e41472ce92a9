package io.switchboard.engine.pulse;

import java.util.Arrays;

/**
 * Every registered client's one deadline, on a hashed wheel of one-tick spokes. Slots are handed out here: a client
 * owns one (it holds the client's id, and numbers its cell in {@link PulseRecords}); a slot sits in the doubly linked
 * list of the spoke its deadline falls in, so scheduling and cancelling are O(1), and passing a tick visits only the
 * clients of that spoke, all of them due when one lap of the wheel covers the longest timer. Within the tick now
 * falls in, a deadline is due as soon as {@code now} reaches it: that spoke is scanned again only once its earliest
 * deadline has come. A deadline is therefore handed over at the first poll at or after it, never before, whatever
 * the tick. Cost follows the clients that expire, not all clients. Arrays are sized once for the most clients
 * allowed: nothing is allocated afterwards. Handler thread only.
 */
final class PulseDeadlines
{
    /** Called for each client whose deadline has passed; its slot is unscheduled and may be rescheduled or freed. */
    @FunctionalInterface
    interface Expiry
    {
        void onDeadline(int slot, long deadlineMs);
    }

    static final int NONE = -1;
    private static final int MAX_SPOKES = 1 << 20;

    private final long tickMs;
    private final int spokeMask;
    /** List heads: one per spoke, then the list of due slots not yet handed to the expiry handler. */
    private final int[] heads;
    private final int dueList;
    private final long[] clientMsb;
    private final long[] clientLsb;
    private final long[] deadlineMs;
    private final int[] next;
    private final int[] previous;
    /** The list a slot is linked into, or {@link #NONE}. */
    private final int[] listOf;
    private final int[] freeSlots;
    private int freeCount;
    /** The first tick not wholly passed: the one the last poll's {@code now} fell in. */
    private long nextTick;
    /** No deadline in the spoke of {@link #nextTick} is earlier than this; it is scanned once now reaches it. */
    private long currentSpokeDueMs;

    /**
     * @param capacity    most slots
     * @param tickMs      width of a spoke: the cost of a poll follows the deadlines in the tick now falls in
     * @param longestMs   longest timer, sizing the wheel so one lap covers it
     * @param nowMs       the current time; ticks before it count as passed
     */
    PulseDeadlines(final int capacity, final long tickMs, final long longestMs, final long nowMs)
    {
        this.tickMs = tickMs;
        final long ticksPerLap = longestMs / tickMs + 2;
        final int spokes = (int)Math.min(MAX_SPOKES, Long.highestOneBit(ticksPerLap - 1) << 1);
        this.spokeMask = spokes - 1;
        this.dueList = spokes;
        this.heads = new int[spokes + 1];
        Arrays.fill(heads, NONE);
        this.clientMsb = new long[capacity];
        this.clientLsb = new long[capacity];
        this.deadlineMs = new long[capacity];
        this.next = new int[capacity];
        this.previous = new int[capacity];
        this.listOf = new int[capacity];
        Arrays.fill(listOf, NONE);
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
        this.nextTick = nowMs / tickMs;
        this.currentSpokeDueMs = Long.MAX_VALUE;
    }

    /** A slot for a new client, unscheduled, or {@link #NONE} when every slot is taken. */
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

    void free(final int slot)
    {
        cancel(slot);
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

    boolean isScheduled(final int slot)
    {
        return listOf[slot] != NONE;
    }

    int size()
    {
        return freeSlots.length - freeCount;
    }

    int spokes()
    {
        return spokeMask + 1;
    }

    /** (Re)schedules the slot's one deadline; a deadline already passed is due at the next poll. */
    void schedule(final int slot, final long deadline)
    {
        cancel(slot);
        deadlineMs[slot] = deadline;
        final long tick = Math.max(deadline / tickMs, nextTick);
        link(spokeOf(tick), slot);
        if (tick == nextTick)
        {
            currentSpokeDueMs = Math.min(currentSpokeDueMs, deadline);
        }
    }

    void cancel(final int slot)
    {
        final int list = listOf[slot];
        if (list == NONE)
        {
            return;
        }
        final int before = previous[slot];
        final int after = next[slot];
        if (before == NONE)
        {
            heads[list] = after;
        }
        else
        {
            next[before] = after;
        }
        if (after != NONE)
        {
            previous[after] = before;
        }
        listOf[slot] = NONE;
    }

    /**
     * Hands every slot whose deadline has passed by {@code nowMs} to {@code expiry}, at most {@code limit} of them;
     * the rest stay due for the next poll.
     *
     * @return slots handed over
     */
    int poll(final long nowMs, final Expiry expiry, final int limit)
    {
        int handed = 0;
        while (true)
        {
            int slot;
            while ((slot = heads[dueList]) != NONE)
            {
                if (handed >= limit)
                {
                    return handed;
                }
                cancel(slot);
                handed++;
                expiry.onDeadline(slot, deadlineMs[slot]);
            }
            final long tickOfNow = nowMs / tickMs;
            if (nextTick < tickOfNow)
            {
                final long lastPassedTick = tickOfNow - 1;
                if (lastPassedTick - nextTick > spokeMask)
                {
                    // More than a lap behind (a clock jump): one pass over every spoke catches up.
                    for (int spoke = 0; spoke <= spokeMask; spoke++)
                    {
                        moveDue(spoke, lastPassedTick);
                    }
                    nextTick = tickOfNow;
                }
                else
                {
                    moveDue(spokeOf(nextTick), nextTick);
                    nextTick++;
                }
                // Nothing is known yet of the new current tick's spoke: the next pass scans it.
                currentSpokeDueMs = Long.MIN_VALUE;
            }
            else if (nowMs >= currentSpokeDueMs)
            {
                currentSpokeDueMs = moveDueInCurrentTick(nowMs);
            }
            else
            {
                return handed;
            }
        }
    }

    /** Moves the current tick's slots whose deadline {@code nowMs} has reached; returns the earliest one left. */
    private long moveDueInCurrentTick(final long nowMs)
    {
        long earliest = Long.MAX_VALUE;
        for (int slot = heads[spokeOf(nextTick)]; slot != NONE; )
        {
            final int after = next[slot];
            if (deadlineMs[slot] <= nowMs)
            {
                cancel(slot);
                link(dueList, slot);
            }
            else
            {
                earliest = Math.min(earliest, deadlineMs[slot]);
            }
            slot = after;
        }
        return earliest;
    }

    private void moveDue(final int spoke, final long lastPassedTick)
    {
        for (int slot = heads[spoke]; slot != NONE; )
        {
            final int after = next[slot];
            if (deadlineMs[slot] / tickMs <= lastPassedTick)
            {
                cancel(slot);
                link(dueList, slot);
            }
            slot = after;
        }
    }

    private int spokeOf(final long tick)
    {
        return (int)(tick & spokeMask);
    }

    private void link(final int list, final int slot)
    {
        final int head = heads[list];
        next[slot] = head;
        previous[slot] = NONE;
        if (head != NONE)
        {
            previous[head] = slot;
        }
        heads[list] = slot;
        listOf[slot] = list;
    }
}
