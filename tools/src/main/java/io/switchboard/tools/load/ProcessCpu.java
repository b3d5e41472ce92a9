package io.switchboard.tools.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a Linux process has used so far (user + system), read from {@code /proc/<pid>/stat}.
 */
public final class ProcessCpu
{
    /** Ticks per second when {@code getconf CLK_TCK} cannot be run: the value on every mainstream Linux. */
    public static final long DEFAULT_CLOCK_TICKS_PER_SECOND = 100;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    // proc(5): the fields after the ')' that closes comm (field 2) start at state (field 3).
    private static final int FIRST_FIELD_AFTER_COMM = 3;
    private static final int UTIME_FIELD = 14;
    private static final int STIME_FIELD = 15;
    private static final long CLOCK_TICKS_PER_SECOND = readClockTicksPerSecond();

    private ProcessCpu()
    {
    }

    /**
     * @param pid a live process.
     * @return its utime + stime in nanoseconds, at the resolution of a clock tick.
     * @throws IOException if the process does not exist (any more) or {@code /proc} is missing.
     */
    public static long cpuNanos(final long pid) throws IOException
    {
        final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        // comm may hold spaces and parentheses, so fields are counted from the last ')'.
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        final long ticks = Long.parseLong(fields[UTIME_FIELD - FIRST_FIELD_AFTER_COMM]) +
            Long.parseLong(fields[STIME_FIELD - FIRST_FIELD_AFTER_COMM]);

        return ticks * NANOS_PER_SECOND / CLOCK_TICKS_PER_SECOND;
    }

    private static long readClockTicksPerSecond()
    {
        try
        {
            final Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String output = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return 0 == getconf.waitFor() ? Long.parseLong(output) : DEFAULT_CLOCK_TICKS_PER_SECOND;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return DEFAULT_CLOCK_TICKS_PER_SECOND;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return DEFAULT_CLOCK_TICKS_PER_SECOND;
        }
    }
}
