package io.switchboard.engine.config;

/**
 * The range checks every component's {@code Context.conclude()} applies, worded once: a failed check is an
 * {@link IllegalArgumentException} naming the setting, the allowed range and the value.
 */
public final class Require
{
    private Require()
    {
    }

    public static void range(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    public static void port(final String name, final int port)
    {
        range(name, port, 0, 65_535);
    }

    public static void powerOfTwo(final String name, final int value)
    {
        if (value < 2 || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(name + " must be a power of two: " + value);
        }
    }
}
