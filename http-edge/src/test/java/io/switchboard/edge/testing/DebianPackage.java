package io.switchboard.edge.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A program the tests take from a Debian package (Chromium, promtool): installed with apt when it is missing and the
 * tests run as root on a Debian machine (once); elsewhere the test is skipped, saying why.
 */
public final class DebianPackage
{
    private DebianPackage()
    {
    }

    /** {@code binary}, installing package {@code name} first when it is missing. */
    public static synchronized Path program(final Path binary, final String name) throws Exception
    {
        if (!Files.isExecutable(binary))
        {
            final boolean root = "root".equals(System.getProperty("user.name"));
            assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/apt-get")),
                binary + " is not installed and cannot be installed here (needs root and apt-get)");
            final Path log = Files.createDirectories(Path.of("target").toAbsolutePath()).resolve("apt-" + name + ".log");
            final Process apt = new ProcessBuilder("sh", "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq " + name)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(apt.waitFor(600, TimeUnit.SECONDS), "apt-get install " + name + " within 10 minutes; see " + log);
            assertEquals(0, apt.exitValue(), "apt-get install " + name + "; see " + log);
            assertTrue(Files.isExecutable(binary), name + " installs " + binary);
        }
        return binary;
    }
}
