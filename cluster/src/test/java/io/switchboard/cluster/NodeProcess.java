package io.switchboard.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The test's handle on one {@link ClusterNodeProcess} child JVM: its line commands, answers and logs. */
final class NodeProcess
{
    private final int index;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final AtomicInteger progress = new AtomicInteger();
    private final Path stderr;

    private NodeProcess(final int index, final Process process, final Path stderr)
    {
        this.index = index;
        this.process = process;
        this.stderr = stderr;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Thread reader = new Thread(this::readAnswers, "node-" + index + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static NodeProcess start(
        final int index, final String members, final Path dir, final long timeoutMs, final long snapshotIntervalMs,
        final String... extraArgs)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-cp", System.getProperty("java.class.path"),
            ClusterNodeProcess.class.getName(),
            members, Integer.toString(index), dir.resolve("node-" + index).toString(), Long.toString(timeoutMs),
            Long.toString(snapshotIntervalMs)));
        command.addAll(List.of(extraArgs));
        final Path stderr = dir.resolve("node-" + index + ".log");
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
            .start();
        return new NodeProcess(index, process, stderr);
    }

    int index()
    {
        return index;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /** kill -9. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    void send(final String line) throws IOException
    {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** The next answer starting with {@code prefix} (others are skipped), or an AssertionError after the wait. */
    String await(final String prefix, final long waitMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (true)
        {
            final String line = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null)
            {
                throw new AssertionError("node " + index + ": no '" + prefix + "' within " + waitMs + " ms; log:\n"
                    + logTail(40));
            }
            if (line.startsWith(prefix))
            {
                return line;
            }
        }
    }

    /** {@code state}: size, checksum, role, leader. */
    Map<String, Long> state() throws IOException, InterruptedException
    {
        send("state");
        return fields(await("state ", 10_000));
    }

    int progress()
    {
        return progress.get();
    }

    String logTail(final int lines)
    {
        try
        {
            final List<String> all = Files.readAllLines(stderr);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    /** The default aeron dir this process used, left behind if it was killed. */
    File aeronDir()
    {
        return new File(ClusterContext.AERON_DIR_PARENT, ClusterContext.DEFAULT_AERON_DIR_PREFIX + index + "-" + pid());
    }

    static Map<String, Long> fields(final String line)
    {
        final Map<String, Long> out = new HashMap<>();
        for (final String word : line.split(" "))
        {
            final int eq = word.indexOf('=');
            if (eq > 0)
            {
                out.put(word.substring(0, eq), Long.parseLong(word.substring(eq + 1)));
            }
        }
        return out;
    }

    private void readAnswers()
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.startsWith("progress "))
                {
                    progress.set(Integer.parseInt(line.substring("progress ".length())));
                }
                else
                {
                    answers.add(line);
                }
            }
        }
        catch (final IOException ignored)
        {
            // The process is gone: nothing more to read.
        }
    }
}
