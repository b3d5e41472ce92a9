package io.switchboard.edge.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's Chromium for the page tests: installed with apt when it is missing and the tests run as root on a Debian
 * machine (about a minute, once); elsewhere the test is skipped, saying why. The binary, not /usr/bin's wrapper script.
 */
public final class Chromium
{
    private static final Path BINARY = Path.of("/usr/lib/chromium/chromium");

    private Chromium()
    {
    }

    public static synchronized Path executable() throws Exception
    {
        if (!Files.isExecutable(BINARY))
        {
            final boolean root = "root".equals(System.getProperty("user.name"));
            assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/apt-get")),
                "Chromium is not installed at " + BINARY + " and cannot be installed here (needs root and apt-get)");
            final Path log = Files.createDirectories(Path.of("target").toAbsolutePath()).resolve("apt-chromium.log");
            final Process apt = new ProcessBuilder("sh", "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(apt.waitFor(600, TimeUnit.SECONDS), "apt-get install chromium within 10 minutes; see " + log);
            assertEquals(0, apt.exitValue(), "apt-get install chromium; see " + log);
        }
        return BINARY;
    }
}
