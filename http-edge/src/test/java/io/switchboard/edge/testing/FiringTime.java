package io.switchboard.edge.testing;

import java.util.concurrent.TimeUnit;

/**
 * When a deadline of the running appliance was seen to fire, measured from a start the test took with
 * {@link #now()}: a check that began at some time and found it not fired proves it had not fired by then; a check
 * that ended at some time and found it fired proves it had fired by then. A test asserts "not early" on the second
 * and "not late" on the first, so a slow check never turns into a wrong verdict.
 */
public final class FiringTime
{
    private static final long POLL_MS = 5;

    /** What the test watches: true once the deadline has fired. */
    @FunctionalInterface
    public interface Fired
    {
        boolean check() throws Exception;
    }

    /**
     * @param notFiredAtMs start of the last check that found it not fired (-1 if the first found it fired)
     * @param firedByMs    end of the first check that found it fired
     */
    public record Window(long notFiredAtMs, long firedByMs)
    {
        @Override
        public String toString()
        {
            return "fired after " + notFiredAtMs + " ms and by " + firedByMs + " ms";
        }
    }

    private FiringTime()
    {
    }

    /** A monotonic timestamp to measure from, in nanoseconds. */
    public static long now()
    {
        return System.nanoTime();
    }

    /** Milliseconds from {@code startNanos} to now. */
    public static long sinceMs(final long startNanos)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Checks {@code fired} every few milliseconds until it holds; fails the test after {@code giveUpMs}. */
    public static Window await(final long startNanos, final long giveUpMs, final Fired fired) throws Exception
    {
        long notFiredAtMs = -1;
        while (true)
        {
            final long beforeMs = sinceMs(startNanos);
            if (fired.check())
            {
                return new Window(notFiredAtMs, sinceMs(startNanos));
            }
            notFiredAtMs = beforeMs;
            if (beforeMs > giveUpMs)
            {
                throw new AssertionError("not fired within " + giveUpMs + " ms");
            }
            Thread.sleep(POLL_MS);
        }
    }
}
