package io.switchboard.edge.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The appliance as a separate JVM, started like {@code java -jar switchboard.jar} (same main class, same flags),
 * for tests that need a real process: the ready line on stdout, SIGTERM, kill -9.
 */
public final class ApplianceProcess implements AutoCloseable
{
    private static final Pattern LISTENER = Pattern.compile("(\\w+)=(udp|http|https):(\\d+)");
    private static final List<String> JVM_FLAGS = List.of(
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/sun.security.ssl=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED");

    private final Process process;
    private final String readyLine;
    private final List<String> stdout = new ArrayList<>();

    private ApplianceProcess(final Process process, final String readyLine)
    {
        this.process = process;
        this.readyLine = readyLine;
    }

    public static Process launch(final String... args) throws IOException
    {
        return launch(List.of(), ProcessBuilder.Redirect.DISCARD, args);
    }

    /** As {@link #launch(String...)}, with the process's stderr sent to {@code stderr}. */
    public static Process launch(final ProcessBuilder.Redirect stderr, final String... args) throws IOException
    {
        return launch(List.of(), stderr, args);
    }

    /** With {@code jvmFlags} (such as {@code -Xmx64m}) before the main class, and its stderr to {@code stderr}. */
    public static Process launch(
        final List<String> jvmFlags, final ProcessBuilder.Redirect stderr, final String... args) throws IOException
    {
        return launch(List.of(), jvmFlags, stderr, args);
    }

    /** Launches the appliance as the last arguments of {@code wrapper}, e.g. a shell that lowers a limit first. */
    public static Process launchUnder(final List<String> wrapper, final String... args) throws IOException
    {
        return launch(wrapper, List.of(), ProcessBuilder.Redirect.DISCARD, args);
    }

    private static Process launch(
        final List<String> wrapper,
        final List<String> jvmFlags,
        final ProcessBuilder.Redirect stderr,
        final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.switchboard.edge.Main");
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command).redirectError(stderr).start();
    }

    /** Starts the appliance and waits for its ready line (at most 60 s). */
    public static ApplianceProcess start(final String... args) throws IOException
    {
        return start(List.of(), ProcessBuilder.Redirect.DISCARD, args);
    }

    /** As {@link #start(String...)}, with the process's stderr sent to {@code stderr}. */
    public static ApplianceProcess start(final ProcessBuilder.Redirect stderr, final String... args) throws IOException
    {
        return start(List.of(), stderr, args);
    }

    /** {@link #start} under {@code wrapper} (see {@link #launchUnder}). */
    public static ApplianceProcess startUnder(final List<String> wrapper, final String... args) throws IOException
    {
        return awaitReady(launchUnder(wrapper, args));
    }

    /** Starts the appliance with {@code jvmFlags}, its stderr to {@code stderr}, and waits for its ready line. */
    public static ApplianceProcess start(
        final List<String> jvmFlags, final ProcessBuilder.Redirect stderr, final String... args) throws IOException
    {
        return awaitReady(launch(jvmFlags, stderr, args));
    }

    /** Waits for the ready line (at most 60 s) of a process {@link #launch}ed before. */
    public static ApplianceProcess awaitReady(final Process process) throws IOException
    {
        final BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final long deadline = System.currentTimeMillis() + 60_000;
        String line;
        while ((line = reader.readLine()) != null && System.currentTimeMillis() < deadline)
        {
            if (line.startsWith("switchboard ready"))
            {
                return new ApplianceProcess(process, line);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("appliance printed no ready line");
    }

    public String readyLine()
    {
        return readyLine;
    }

    public int port(final String listener)
    {
        final Matcher matcher = LISTENER.matcher(readyLine);
        while (matcher.find())
        {
            if (matcher.group(1).equals(listener))
            {
                return Integer.parseInt(matcher.group(3));
            }
        }
        throw new IllegalArgumentException("no listener " + listener + " in " + readyLine);
    }

    public long pid()
    {
        return process.pid();
    }

    /** SIGTERM, then the exit code once the process is gone. */
    public int terminate() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("appliance did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** The exit code once the process ended by itself, waiting up to {@code seconds}. */
    public int awaitExit(final long seconds) throws InterruptedException
    {
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("appliance still running after " + seconds + " s");
        }
        return process.exitValue();
    }

    /** kill -9: no shutdown hook runs. */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
