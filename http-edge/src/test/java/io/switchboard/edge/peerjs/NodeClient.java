package io.switchboard.edge.peerjs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real peerjs client in Node (src/test/node/peerjs-e2e): installs it with {@code npm ci} when node_modules does
 * not match package-lock.json, then runs {@code peer-scenario.cjs} and reads the lines it prints.
 */
final class NodeClient implements AutoCloseable
{
    static final Path PROJECT = Path.of("src", "test", "node", "peerjs-e2e").toAbsolutePath();
    private static final String MARKER = ".switchboard-lock-sha256";
    private static final long INSTALL_TIMEOUT_S = 600;

    private final Process process;
    private final Writer stdin;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private NodeClient(final Process process)
    {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // The process is gone; next() reports the missing line.
            }
        }, "peerjs-e2e-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code npm ci} once per lockfile version; a file lock keeps parallel test JVMs from installing twice. */
    static synchronized void install() throws Exception
    {
        final Path lockfile = PROJECT.resolve("package-lock.json");
        final String digest = HexFormat.of().formatHex(
            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(lockfile)));
        final Path marker = PROJECT.resolve("node_modules").resolve(MARKER);
        final Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        try (FileChannel channel = FileChannel.open(target.resolve("npm-ci.lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock())
        {
            if (Files.exists(marker) && Files.readString(marker).equals(digest))
            {
                return;
            }
            final Path log = target.resolve("npm-ci.log");
            final Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            if (!npm.waitFor(INSTALL_TIMEOUT_S, TimeUnit.SECONDS))
            {
                npm.destroyForcibly();
                fail("npm ci did not finish within " + INSTALL_TIMEOUT_S + " s; see " + log);
            }
            if (npm.exitValue() != 0)
            {
                fail("npm ci failed (exit " + npm.exitValue() + "):\n" + Files.readString(log));
            }
            Files.writeString(marker, digest);
        }
    }

    /** Starts {@code node peer-scenario.cjs SCENARIO --port=P --path=... --key=...}. */
    static NodeClient run(final String scenario, final int port, final String... options) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("node", "peer-scenario.cjs", scenario, "--port=" + port));
        command.addAll(List.of(options));
        return new NodeClient(new ProcessBuilder(command)
            .directory(PROJECT.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start());
    }

    /** The next line, within {@code seconds}; a {@code fail ...} line fails the test with everything seen. */
    String next(final long seconds) throws InterruptedException
    {
        final String line = lines.poll(seconds, TimeUnit.SECONDS);
        assertNotNull(line, "peerjs client printed nothing more within " + seconds + " s after " + seen);
        seen.add(line);
        if (line.startsWith("fail "))
        {
            fail("peerjs client: " + line + " after " + seen);
        }
        return line;
    }

    void tell(final String line) throws IOException
    {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** Waits for {@code done} and exit 0. */
    void finish() throws InterruptedException
    {
        final String last = next(30);
        if (!"done".equals(last))
        {
            fail("expected done, got " + last + " after " + seen);
        }
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            fail("peerjs client did not exit cleanly after " + seen);
        }
    }

    @Override
    public void close()
    {
        process.destroyForcibly();
    }
}
