package io.switchboard.benchmarks.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkReportTest
{
    private static final List<String> RESULTS = List.of(
        "scenario=echo-296 role=floor udp-load label=echo replies_per_s=100000 p50_us=500.0 p99_us=900.0 " +
            "p999_us=1500.0 lost=0 bad_replies=0 server_cpu_us_per_reply=8.00 server_rss_kib=65536",
        "scenario=ice-heartbeat-cached role=switchboard ice-load label=ice replies_per_s=90000 p50_us=600.0 " +
            "p99_us=1000.0 p999_us=2000.0 lost=0 bad_replies=0 server_cpu_us_per_reply=12.00 server_rss_kib=262144",
        "scenario=stun-binding role=reference stun-load label=coturn replies_per_s=50000 p50_us=700.0 " +
            "server_cpu_us_per_reply=11.00 server_rss_kib=16384",
        "scenario=peerjs-relay role=switchboard peerjs-load scenario=relay label=switchboard relays_per_s=40000 " +
            "server_cpu_us_per_relay=10.00 errors=0 server_rss_kib=1048576",
        "scenario=peerjs-relay role=reference peerjs-load scenario=relay label=peer-1.0.2 relays_per_s=20000 " +
            "server_cpu_us_per_relay=30.00 errors=0 server_rss_kib=70000",
        "scenario=peerjs-idle role=switchboard idle label=switchboard connected=1000 memory_per_connection_b=3000",
        "scenario=peerjs-idle role=reference idle label=peer-1.0.2 connected=1000 memory_per_connection_b=12000",
        "meta coturn=4.6.1 node=v20.20.2 peer=1.0.2 elapsed_s=500");

    @TempDir
    Path dir;

    private BenchmarkReport report() throws Exception
    {
        final Path results = dir.resolve("results.txt");
        Files.write(results, RESULTS);
        final Map<String, String> meta = new HashMap<>();
        return new BenchmarkReport(Measurement.read(results, meta), meta);
    }

    private Comparison comparison(final String name, final String against) throws Exception
    {
        return report().comparisons().stream()
            .filter(c -> c.name().equals(name) && c.referenceName().startsWith(against)).findFirst().orElseThrow();
    }

    @Test
    void theScriptsPrefixWinsOverTheToolsOwnScenarioKey() throws Exception
    {
        assertEquals(40000, report().find("peerjs-relay", Measurement.SWITCHBOARD).throughput());
    }

    @Test
    void ratiosAreSwitchboardOverTheReferenceAndJudgedAgainstTheIssuesTargets() throws Exception
    {
        final Comparison throughput = comparison("ICE heartbeat, cached (296 B): throughput", "echo");
        assertEquals(0.90, throughput.ratio(), 1e-9);
        assertTrue(throughput.met());
        final Comparison cpu = comparison("ICE heartbeat, cached (296 B): CPU per datagram", "echo");
        assertEquals(1.5, cpu.ratio(), 1e-9);
        assertFalse(cpu.met());
        assertEquals("**missed** by 15% (higher than the target)", cpu.verdict());
        assertFalse(comparison("ICE heartbeat, cached (296 B): CPU per datagram", "coturn").met());
        assertFalse(comparison("PeerJS relays per second", "peer").met());
        assertTrue(comparison("PeerJS CPU per relay", "peer").met());
        assertTrue(comparison("Idle WebSocket memory per connection", "peer").met());
    }

    @Test
    void aScenarioTheRunDidNotProduceIsReportedAsNotMeasured() throws Exception
    {
        assertEquals("not measured", comparison("pulse (32 B): throughput", "echo").verdict());
    }

    @Test
    void theReportStatesMachineCommandAndEveryFigureAndTheChartIsAPicture() throws Exception
    {
        final BenchmarkReport report = report();
        final String markdown = report.markdown("benchmarks/run-system.sh", false,
            new Machine(2, "Test CPU", 24.0, "6.1.0", "JDK 17"),
            ZonedDateTime.of(2026, 11, 23, 12, 0, 0, 0, ZoneOffset.UTC));
        assertTrue(markdown.contains("| Command | `benchmarks/run-system.sh` |"));
        assertTrue(markdown.contains("| Date | 2026-11-23 12:00 UTC |"));
        assertTrue(markdown.contains("2 cores, Test CPU, 24.0 GiB, Linux 6.1.0, JDK 17"));
        assertTrue(markdown.contains(
            "| ICE heartbeat, cached (296 B) | switchboard | 90,000 | 600 | 1000 | 2000 | 12.0 |"));
        assertTrue(markdown.contains("| peer@1.0.2 | 1000 | 12000 |"));
        assertFalse(markdown.contains("QUICK"));

        final Path png = dir.resolve("chart.png");
        ReportChart.write(report, png);
        assertEquals(1600, ImageIO.read(png.toFile()).getWidth());
    }
}
