package io.switchboard.tools.soak;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code soak-sample}: what a long-running JVM holds, every {@code --interval-s}, as CSV on stdout: resident memory
 * and threads ({@code /proc/PID/status}), open descriptors ({@code /proc/PID/fd}), the heap after the last GC and,
 * the heap after the last GC and, every {@code --full-gc-every-s}, the live heap after a full GC it asks for
 * ({@code jcmd PID GC.run}), both read from the process's GC log ({@code -Xlog:gc:file=...}, so at the moment of the
 * GC, to the MiB). Ends after {@code --duration-s} or when the process is gone.
 */
public final class SoakSampler
{
    public static final String COMMAND = "soak-sample";
    public static final String HEADER = "t_s,rss_kib,fds,threads,heap_after_gc_kib,live_heap_kib";

    /** A unified-logging gc line's pause and its heap before->after(committed), e.g. {@code 24M->6M(64M)}. */
    private static final Pattern PAUSE =
        Pattern.compile("Pause (Young|Full)\\b.*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final long JCMD_TIMEOUT_S = 60;

    private static final List<Flag> FLAGS = List.of(
        new Flag("pid", null, "the process to sample (required)"),
        new Flag("interval-s", "5", "seconds between samples"),
        new Flag("duration-s", "60", "seconds to sample"),
        new Flag("gc-log", null, "the process's -Xlog:gc file; without it the heap columns stay empty"),
        new Flag("full-gc-every-s", "60", "ask for a full GC (jcmd GC.run) this often, 0 never"));

    private final long pid;
    private final Path gcLog;
    private long gcLogOffset;
    private long heapAfterGcKib = -1;

    private SoakSampler(final long pid, final Path gcLog)
    {
        this.pid = pid;
        this.gcLog = gcLog;
    }

    public static int command(final String[] args) throws Exception
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }
        final SoakSampler sampler = new SoakSampler(
            flags.longValue("pid"), flags.isSet("gc-log") ? Path.of(flags.string("gc-log")) : null);
        final long intervalNanos = seconds(flags.doubleValue("interval-s"));
        final long fullGcNanos = seconds(flags.doubleValue("full-gc-every-s"));
        final long start = System.nanoTime();
        final long end = start + seconds(flags.doubleValue("duration-s"));
        long nextFullGc = start + fullGcNanos;
        System.out.println(HEADER);
        // A slow sample (jcmd on a loaded machine) delays the next one instead of bunching those behind it.
        for (long next = start; next <= end; next = Math.max(next + intervalNanos, System.nanoTime()))
        {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            final boolean fullGc = fullGcNanos > 0 && System.nanoTime() >= nextFullGc;
            if (fullGc)
            {
                nextFullGc += fullGcNanos;
            }
            final String row = sampler.sample((System.nanoTime() - start) / 1e9, fullGc);
            if (null == row)
            {
                System.out.println("# process " + sampler.pid + " is gone");
                return Tools.EXIT_FAILED;
            }
            System.out.println(row);
        }
        return Tools.EXIT_OK;
    }

    /** One CSV row, or null when the process is gone. */
    private String sample(final double elapsedS, final boolean fullGc) throws IOException, InterruptedException
    {
        final Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(proc))
        {
            return null;
        }
        final boolean collected = fullGc && jcmd("GC.run");
        final long fullGcAfterKib = readGcLog();
        final long liveHeapKib = collected ? fullGcAfterKib : -1;
        final long fds;
        try (Stream<Path> entries = Files.list(proc.resolve("fd")))
        {
            fds = entries.count();
        }
        final String status = Files.readString(proc.resolve("status"), StandardCharsets.US_ASCII);
        return String.format(Locale.ROOT, "%.1f,%d,%d,%d,%s,%s", elapsedS, statusField(status, "VmRSS:"), fds,
            statusField(status, "Threads:"), blankIfUnknown(heapAfterGcKib), blankIfUnknown(liveHeapKib));
    }

    /** Runs {@code jcmd PID COMMAND}; false when it failed or took over a minute. */
    private boolean jcmd(final String command) throws IOException, InterruptedException
    {
        final Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), command)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(JCMD_TIMEOUT_S, TimeUnit.SECONDS))
        {
            jcmd.destroyForcibly();
            return false;
        }
        return jcmd.exitValue() == 0;
    }

    /**
     * Reads the GC log's new lines; the heap after the last pause among them becomes the current figure.
     *
     * @return the heap after the last full pause among them, -1 when there is none.
     */
    private long readGcLog() throws IOException
    {
        if (null == gcLog || !Files.exists(gcLog))
        {
            return -1;
        }
        final String lines;
        try (RandomAccessFile file = new RandomAccessFile(gcLog.toFile(), "r"))
        {
            final long length = file.length();
            // Only whole lines: a line being written is read at the next sample.
            final byte[] bytes = new byte[(int)Math.max(0, length - gcLogOffset)];
            file.seek(gcLogOffset);
            file.readFully(bytes);
            final String text = new String(bytes, StandardCharsets.UTF_8);
            final int lastNewline = text.lastIndexOf('\n');
            lines = lastNewline < 0 ? "" : text.substring(0, lastNewline + 1);
            gcLogOffset += lines.getBytes(StandardCharsets.UTF_8).length;
        }
        long fullAfterKib = -1;
        for (final String line : lines.split("\n"))
        {
            final Matcher pause = PAUSE.matcher(line);
            if (pause.find())
            {
                heapAfterGcKib = kib(pause.group(4), pause.group(5));
                fullAfterKib = "Full".equals(pause.group(1)) ? heapAfterGcKib : fullAfterKib;
            }
        }
        return fullAfterKib;
    }

    static long kib(final String amount, final String unit)
    {
        final long value = Long.parseLong(amount);
        return switch (unit)
        {
            case "K" -> value;
            case "M" -> value * 1024;
            default -> value * 1024 * 1024;
        };
    }

    static long statusField(final String status, final String field)
    {
        for (final String line : status.split("\n"))
        {
            if (line.startsWith(field))
            {
                return Long.parseLong(line.substring(field.length()).replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static String blankIfUnknown(final long value)
    {
        return value < 0 ? "" : Long.toString(value);
    }

    private static long seconds(final double seconds)
    {
        return Math.round(seconds * 1e9);
    }
}
