package io.switchboard.edge.admin;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Chromium;
import io.switchboard.edge.testing.NpmProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live console in Debian's headless Chromium, driven by playwright-core (src/test/node/console-e2e): the page
 * loads with no console error, draws its charts, lists the threads, and its HTTP request rate moves when requests are
 * sent to the PeerJS listener. The screenshot is kept as target/console-screenshot.png.
 */
class ConsoleBrowserTest
{
    @TempDir
    Path dir;

    @Test
    void thePageLoadsWithoutErrorsAndItsNumbersMoveUnderLoad() throws Exception
    {
        final Path chromium = Chromium.executable();
        final Path project = NpmProject.installed("console-e2e");
        final Path screenshot = Path.of("target", "console-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dir))))
        {
            final Process check = new ProcessBuilder("node", "console-check.cjs",
                "--url=http://127.0.0.1:" + appliance.port("admin") + "/",
                "--load-url=http://127.0.0.1:" + appliance.port("peerjs") + "/peerjs/id",
                "--screenshot=" + screenshot, "--chromium=" + chromium)
                .directory(project.toFile()).redirectErrorStream(true).start();
            final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(check.waitFor(120, TimeUnit.SECONDS), output);
            assertEquals(0, check.exitValue(), output);
            assertTrue(output.lines().anyMatch(line -> line.startsWith("ok ")), output);
        }
        assertTrue(Files.size(screenshot) > 10_000, "screenshot kept at " + screenshot);
    }
}
