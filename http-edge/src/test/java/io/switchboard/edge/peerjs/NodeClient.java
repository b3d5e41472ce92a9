package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.NpmProject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** Installs the project ({@link NpmProject}). */
    static void install() throws Exception
    {
        NpmProject.installed("peerjs-e2e");
    }

    /** Starts {@code node peer-scenario.cjs SCENARIO --port=P --path=... --key=...}. */
    static NodeClient run(final String scenario, final int port, final String... options) throws IOException
    {
        return run(Map.of(), scenario, port, options);
    }

    /** As above, with {@code environment} added to node's (such as NODE_EXTRA_CA_CERTS for a test CA). */
    static NodeClient run(
        final Map<String, String> environment, final String scenario, final int port, final String... options)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("node", "peer-scenario.cjs", scenario, "--port=" + port));
        command.addAll(List.of(options));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(PROJECT.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        return new NodeClient(builder.start());
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
