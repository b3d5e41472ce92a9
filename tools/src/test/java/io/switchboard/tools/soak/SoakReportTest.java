package io.switchboard.tools.soak;

import io.switchboard.tools.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakReportTest
{
    @TempDir
    Path dir;

    @Test
    void theilSenSlopeIgnoresOneOutlierAndASawtooth()
    {
        final List<SoakReport.Point> points = new ArrayList<>();
        for (int i = 0; i <= 20; i++)
        {
            // 2 per minute, plus a tooth of 40 every fifth sample and one spike of 10,000.
            points.add(new SoakReport.Point(i * 30, i + (i % 5 == 0 ? 40 : 0) + (i == 7 ? 10_000 : 0)));
        }
        assertEquals(2.0, SoakReport.theilSenPerMinute(points), 0.01);
    }

    @Test
    void descriptorsGrowingByTwoPerMinuteMakeTheVerdictGrowingAndFlatMemoryStaysFlat() throws Exception
    {
        final StringBuilder csv = new StringBuilder(SoakSampler.HEADER).append('\n');
        for (int t = 0; t <= 600; t += 10)
        {
            csv.append(t).append(",204800,").append(100 + t / 30).append(",40,30720,")
                .append(t % 60 == 0 ? "20480" : "").append('\n');
        }
        Files.writeString(dir.resolve("samples.csv"), csv);
        Files.createDirectories(dir.resolve("results"));
        Files.writeString(dir.resolve("results/pulse.results"),
            "t_s=30 pulse-load label=pulse replies_per_s=1000 p50_us=100.0 p99_us=2000.0 p999_us=3000.0\n" +
            "t_s=60 pulse-load label=pulse replies_per_s=1000 p50_us=100.0 p99_us=2500.0 p999_us=3000.0\n");
        Files.writeString(dir.resolve("results/junk.results"),
            "t_s=30 junk-load label=junk seed=7 operations=10 udp_short=4 http_random_400=6\n" +
            "t_s=60 junk-load label=junk seed=8 operations=10 udp_short=10\n");

        assertEquals(Tools.EXIT_OK, Tools.run(new String[] {"soak-report", "--samples=" + dir.resolve("samples.csv"),
            "--results=" + dir.resolve("results"), "--settle-s=60", "--out=" + dir.resolve("soak.md")}));

        final String report = Files.readString(dir.resolve("soak.md"));
        assertTrue(report.contains("**verdict: GROWING (trends after the first 60 s)**"), report);
        assertTrue(report.contains("| open descriptors | 55 | 102.0 | 120.0 | 102.0 | 120.0 | 2.000 | 1.0 | GROWING |"),
            report);
        assertTrue(report.contains("| live heap (after a full GC) | 10 | 20.0 | 20.0 | 20.0 | 20.0 | 0.000 MiB | " +
            "0.5 MiB | flat |"), report);
        assertTrue(report.contains("| resident memory (RSS) | 55 | 200.0 | 200.0 |"), report);
        assertTrue(report.contains("| pulse | 2 | 2.00 ms | 2.50 ms | 2.25 ms | 2.50 ms | 1.25 | 1000 |"), report);
        assertTrue(report.contains("| udp_short | 14 |"), report);
        assertTrue(report.contains("| operations | 20 |"), report);
    }

    @Test
    void samplerReadsProcStatusAndGcLogUnits()
    {
        assertEquals(123_456, SoakSampler.statusField("Name:\tjava\nVmRSS:\t  123456 kB\nThreads:\t44\n", "VmRSS:"));
        assertEquals(44, SoakSampler.statusField("VmRSS:\t1 kB\nThreads:\t44\n", "Threads:"));
        assertEquals(6 * 1024, SoakSampler.kib("6", "M"));
    }
}
