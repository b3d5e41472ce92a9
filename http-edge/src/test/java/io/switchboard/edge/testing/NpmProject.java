package io.switchboard.edge.testing;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Node project of the tests (under src/test/node): {@code npm ci} installs it when its node_modules does not match
 * its package-lock.json (exact versions, as the lockfile pins them); a file lock keeps parallel test JVMs from
 * installing it twice.
 */
public final class NpmProject
{
    private static final String MARKER = ".switchboard-lock-sha256";
    private static final long INSTALL_TIMEOUT_S = 600;

    private NpmProject()
    {
    }

    /** The project {@code src/test/node/NAME}, installed. */
    public static synchronized Path installed(final String name) throws Exception
    {
        final Path project = Path.of("src", "test", "node", name).toAbsolutePath();
        final Path lockfile = project.resolve("package-lock.json");
        final String digest = HexFormat.of().formatHex(
            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(lockfile)));
        final Path marker = project.resolve("node_modules").resolve(MARKER);
        final Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        try (FileChannel channel = FileChannel.open(target.resolve("npm-ci-" + name + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock())
        {
            if (Files.exists(marker) && Files.readString(marker).equals(digest))
            {
                return project;
            }
            final Path log = target.resolve("npm-ci-" + name + ".log");
            final Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(project.toFile())
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
        return project;
    }
}
