package io.switchboard.engine.pipeline;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;

import java.util.concurrent.TimeUnit;

/**
 * An agent's one timer wheel: an Agrona {@link DeadlineTimerWheel} on wall-clock milliseconds, polled until nothing
 * due is left. The engine's handler holds every protocol's deadlines on one, polled at the start of each batch whose
 * clock moved; the metaverse sweeper holds its next sweep on its own. An owner registers once, at construction, and
 * schedules through its {@link Owner} timers that carry a key of its own (a slot); it is handed back each timer when
 * it is due.
 * <p>
 * A timer fires at the first poll at or after its deadline, never before, however rarely the engine polls and
 * however far the clock jumped; one scheduled from an expiry with a deadline already passed fires in the same poll.
 * After warm-up nothing is allocated: the wheel and the map of timers to owners only grow to the most timers held
 * at once. The owning agent's thread only.
 * <p>
 * The wheel reserves the same room in every spoke as the fullest one needs, so timers due in the same 16 ms tick
 * cost memory in every spoke: an owner with a mass of deadlines already passed (a table loaded after downtime)
 * handles them itself rather than piling them into one spoke.
 */
public final class EngineTimers
{
    /** No timer: what an owner holds for an entity with none armed. */
    public static final long NO_TIMER = -1;
    /** Spoke width; a power of two, as the wheel requires. A cost knob only: deadlines are exact to the ms. */
    static final long TICK_MS = 16;
    /** One lap is 16.4 s; a deadline further ahead sits in its spoke until the lap it falls in. */
    static final int TICKS_PER_WHEEL = 1024;
    /** Expiries handled per poll at most, so a mass expiry never stalls the handler; the rest follow next poll. */
    static final int EXPIRIES_PER_POLL = 16_384;
    private static final int MAX_OWNERS = 8;
    private static final int INITIAL_TIMERS = 1024;

    /** What an owner is handed when one of its timers is due. */
    @FunctionalInterface
    public interface Expiry
    {
        /**
         * @param timerId the timer, no longer scheduled: the owner may schedule another from here
         * @param key     what the owner scheduled it with
         * @param nowMs   the poll's time, at or after the timer's deadline
         */
        void onTimer(long timerId, int key, long nowMs);
    }

    /** One protocol's handle on the wheel. */
    public final class Owner
    {
        private final long index;

        private Owner(final int index)
        {
            this.index = (long)index << 32;
        }

        /** @return the timer's id, for {@link #cancel} */
        public long schedule(final long deadlineMs, final int key)
        {
            final long timerId = wheel.scheduleTimer(wheelDeadline(deadlineMs));
            owners.put(timerId, index | (key & 0xFFFF_FFFFL));
            return timerId;
        }

        /** Cancels the timer if it is still scheduled; {@link #NO_TIMER} is ignored. */
        public void cancel(final long timerId)
        {
            if (timerId != NO_TIMER && owners.remove(timerId) != NO_OWNER)
            {
                wheel.cancelTimer(timerId);
            }
        }
    }

    private static final long NO_OWNER = -1;

    private final DeadlineTimerWheel wheel;
    /** Timer id to its owner's index (high word) and key (low word). */
    private final Long2LongHashMap owners = new Long2LongHashMap(INITIAL_TIMERS, 0.65f, NO_OWNER);
    private final Expiry[] expiries = new Expiry[MAX_OWNERS];
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;
    private int ownerCount;
    /** The time of the poll under way, or {@link Long#MIN_VALUE} outside one. */
    private long pollingMs = Long.MIN_VALUE;
    /** An expiry scheduled a timer already due into the spoke being scanned, maybe behind the scan: scan again. */
    private boolean rescan;
    /** An expiry scheduled a timer already due into the next tick's spoke, which the poll scans next. */
    private boolean dueNext;

    public EngineTimers(final long nowMs)
    {
        wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, nowMs, TICK_MS, TICKS_PER_WHEEL);
    }

    /** Registers a protocol, before the engine starts. */
    public Owner register(final Expiry expiry)
    {
        if (ownerCount == MAX_OWNERS)
        {
            throw new IllegalStateException("at most " + MAX_OWNERS + " timer owners");
        }
        expiries[ownerCount] = expiry;
        return new Owner(ownerCount++);
    }

    /** Timers scheduled and not yet fired or cancelled. */
    public long timerCount()
    {
        return wheel.timerCount();
    }

    /**
     * Hands every timer due at {@code nowMs} to its owner, at most {@link #EXPIRIES_PER_POLL}, walking the wheel
     * tick by tick to the one {@code nowMs} falls in; after a clock jump, one lap of the wheel is enough.
     *
     * @return timers handed over
     */
    public int poll(final long nowMs)
    {
        int expired = 0;
        int spokesScannedSinceDue = 0;
        pollingMs = nowMs;
        try
        {
            while (wheel.timerCount() > 0 && expired < EXPIRIES_PER_POLL)
            {
                // Agrona's poll scans the current tick's spoke, then moves to the next tick if this one is over.
                final long tickEndMs = wheel.currentTickTime();
                rescan = false;
                dueNext = false;
                expired += wheel.poll(nowMs, onExpiry, EXPIRIES_PER_POLL - expired);
                if (tickEndMs > nowMs && !rescan)
                {
                    return expired;
                }
                spokesScannedSinceDue = dueNext ? 0 : spokesScannedSinceDue + 1;
                if (spokesScannedSinceDue == TICKS_PER_WHEEL && expired < EXPIRIES_PER_POLL)
                {
                    // Every spoke scanned at nowMs and nothing due filed since: what is left is due after nowMs,
                    // in the spoke of its own tick, so the wheel may skip the ticks a clock jump passed.
                    wheel.currentTickTime(nowMs);
                }
            }
            if (wheel.timerCount() == 0)
            {
                wheel.currentTickTime(nowMs);
            }
            return expired;
        }
        finally
        {
            pollingMs = Long.MIN_VALUE;
        }
    }

    /**
     * Where the wheel files a deadline. One scheduled from an expiry and already due must be scanned in this poll:
     * when the poll will move on to the next tick (the current one is over), it is filed at that tick's start,
     * which the poll scans next; otherwise it is in the spoke being scanned, maybe behind the scan, which is
     * scanned again.
     */
    private long wheelDeadline(final long deadlineMs)
    {
        if (pollingMs != Long.MIN_VALUE && deadlineMs <= pollingMs)
        {
            final long tickEndMs = wheel.currentTickTime();
            if (tickEndMs <= pollingMs)
            {
                dueNext = true;
                return tickEndMs;
            }
            rescan = true;
        }
        return deadlineMs;
    }

    private boolean onExpiry(final TimeUnit unit, final long nowMs, final long timerId)
    {
        final long owner = owners.remove(timerId);
        if (owner != NO_OWNER)
        {
            expiries[(int)(owner >>> 32)].onTimer(timerId, (int)owner, nowMs);
        }
        return true;
    }
}
