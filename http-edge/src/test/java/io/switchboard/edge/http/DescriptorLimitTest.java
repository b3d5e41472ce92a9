package io.switchboard.edge.http;

import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** At start the soft open file limit is raised to the hard one, read back, and the connection budget sized from it. */
final class DescriptorLimitTest
{
    private static final int SOFT = 600;
    private static final int HARD = 1_200;

    @Test
    void aSoftLimitTheJvmLeftLowIsRaisedToTheHardOne(@TempDir final Path dataDir) throws Exception
    {
        assumeTrue(onPath("prlimit"), "util-linux prlimit is what raises the limit when the JVM did not");
        // -XX:-MaxFDLimit: HotSpot leaves the soft limit where the shell put it.
        final List<String> lowSoftLimit = List.of("sh", "-c",
            "ulimit -Sn " + SOFT + " && ulimit -Hn " + HARD + " && exec env JAVA_TOOL_OPTIONS=-XX:-MaxFDLimit \"$@\"",
            "sh");
        try (ApplianceProcess appliance =
            ApplianceProcess.startUnder(lowSoftLimit, AnyPorts.with("--data-dir=" + dataDir)))
        {
            final int admin = appliance.port("admin");
            assertEquals(HARD, Scrape.value(admin, "switchboard_descriptor_limit{kind=\"soft\"}"));
            assertEquals(HARD, Scrape.value(admin, "switchboard_descriptor_limit{kind=\"hard\"}"));
            assertEquals(HARD - 256, Scrape.value(admin, "switchboard_http_connection_budget{pool=\"public\"}"));
        }
    }

    private static boolean onPath(final String program)
    {
        try (Stream<String> dirs = Stream.of(System.getenv().getOrDefault("PATH", "").split(":")))
        {
            return dirs.anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
        }
    }
}
