package io.switchboard.edge.http;

import com.sun.management.UnixOperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process's limit on open file descriptors (RLIMIT_NOFILE), soft and hard, as the kernel reports it. HotSpot
 * raises the soft limit to the hard one when it starts ({@code -XX:+MaxFDLimit}, on by default on Linux); reading
 * both back tells whether that happened, and the connection budgets are sized from the soft limit, the one enforced.
 */
public record DescriptorLimit(long soft, long hard)
{
    private static final Path LIMITS = Path.of("/proc/self/limits");
    private static final String OPEN_FILES = "Max open files";
    private static final String UNLIMITED = "unlimited";
    private static final long PRLIMIT_WAIT_SECONDS = 5;

    /** The limits now: from {@code /proc/self/limits}, else the soft one from the JVM (as hard as it knows). */
    public static DescriptorLimit read()
    {
        try
        {
            for (final String line : Files.readAllLines(LIMITS))
            {
                if (line.startsWith(OPEN_FILES))
                {
                    final String[] fields = line.substring(OPEN_FILES.length()).trim().split("\\s+");
                    return new DescriptorLimit(parse(fields[0]), parse(fields[1]));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not Linux, or an unexpected format: the JVM's view below.
        }
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix)
        {
            final long max = unix.getMaxFileDescriptorCount();
            return new DescriptorLimit(max, max);
        }
        throw new IllegalStateException("cannot read the open file descriptor limit on this platform");
    }

    /**
     * The limits after making sure the soft one is the hard one: HotSpot has done it already unless started with
     * {@code -XX:-MaxFDLimit} (or another JVM runs us); then util-linux {@code prlimit} raises it, where installed.
     * The result is what the kernel says afterwards, raised or not.
     */
    public static DescriptorLimit raiseSoftToHard()
    {
        final DescriptorLimit before = read();
        if (before.raised() || before.hard == Long.MAX_VALUE)
        {
            return before;
        }
        final String both = before.hard + ":" + before.hard;
        try
        {
            final Process prlimit = new ProcessBuilder(
                "prlimit", "--pid", Long.toString(ProcessHandle.current().pid()), "--nofile=" + both)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            if (!prlimit.waitFor(PRLIMIT_WAIT_SECONDS, TimeUnit.SECONDS))
            {
                prlimit.destroyForcibly();
            }
        }
        catch (final IOException ex)
        {
            // No prlimit here: the caller reports the limit as it stands.
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return read();
    }

    /** Whether the soft limit is the hard one, as HotSpot sets it at start unless told not to. */
    public boolean raised()
    {
        return soft >= hard;
    }

    private static long parse(final String field)
    {
        return UNLIMITED.equals(field) ? Long.MAX_VALUE : Long.parseLong(field);
    }
}
