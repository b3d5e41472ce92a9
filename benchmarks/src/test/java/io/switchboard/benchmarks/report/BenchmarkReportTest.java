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

    /**
     * Three rounds whose per-round ratios' median (cached: 0.83) is neither their mean (0.84) nor the ratio of the
     * medians (0.95); four rounds of relays; pulses whose floor missed round 2; CPU per relay whose two sides never
     * share a round; idle memory in one round.
     */
    private static final List<String> ROUNDS = List.of(
        "scenario=echo-296 role=floor round=1 udp-load replies_per_s=100000 server_cpu_us_per_reply=8.00",
        "scenario=ice-heartbeat-cached role=switchboard round=1 ice-load replies_per_s=95000",
        "scenario=echo-32 role=floor round=1 udp-load replies_per_s=100000",
        "scenario=pulse role=switchboard round=1 pulse-load replies_per_s=90000",
        "scenario=echo-296 role=floor round=2 udp-load replies_per_s=80000",
        "scenario=ice-heartbeat-cached role=switchboard round=2 ice-load replies_per_s=60000",
        "scenario=pulse role=switchboard round=2 pulse-load replies_per_s=10000",
        "scenario=echo-296 role=floor round=3 udp-load replies_per_s=120000",
        "scenario=ice-heartbeat-cached role=switchboard round=3 ice-load replies_per_s=99600",
        "scenario=echo-32 role=floor round=3 udp-load replies_per_s=100000",
        "scenario=pulse role=switchboard round=3 pulse-load replies_per_s=80000",
        "scenario=peerjs-relay role=switchboard round=1 peerjs-load relays_per_s=60000 server_cpu_us_per_relay=9.00",
        "scenario=peerjs-relay role=reference round=1 peerjs-load relays_per_s=20000",
        "scenario=peerjs-relay role=switchboard round=2 peerjs-load relays_per_s=80000",
        "scenario=peerjs-relay role=reference round=2 peerjs-load relays_per_s=20000 server_cpu_us_per_relay=30.00",
        "scenario=peerjs-relay role=switchboard round=3 peerjs-load relays_per_s=50000",
        "scenario=peerjs-relay role=reference round=3 peerjs-load relays_per_s=20000",
        "scenario=peerjs-relay role=switchboard round=4 peerjs-load relays_per_s=70000",
        "scenario=peerjs-relay role=reference round=4 peerjs-load relays_per_s=20000",
        "scenario=peerjs-idle role=switchboard round=1 idle connected=1000 memory_per_connection_b=3000",
        "scenario=peerjs-idle role=reference round=1 idle connected=1000 memory_per_connection_b=12000");

    @TempDir
    Path dir;

    private BenchmarkReport report() throws Exception
    {
        return report(RESULTS);
    }

    private BenchmarkReport report(final List<String> lines) throws Exception
    {
        final Path results = dir.resolve("results.txt");
        Files.write(results, lines);
        final Map<String, String> meta = new HashMap<>();
        return new BenchmarkReport(Measurement.read(results, meta), meta);
    }

    private Comparison comparison(final String name, final String against) throws Exception
    {
        return comparison(report(), name, against);
    }

    private static Comparison comparison(final BenchmarkReport report, final String name, final String against)
    {
        return report.comparisons().stream()
            .filter(c -> c.name().equals(name) && c.referenceName().startsWith(against)).findFirst().orElseThrow();
    }

    @Test
    void theScriptsPrefixWinsOverTheToolsOwnScenarioKey() throws Exception
    {
        assertEquals(40000, report().find("peerjs-relay", Measurement.SWITCHBOARD).throughput());
    }

    @Test
    void aLineWithoutARoundIsRoundOne() throws Exception
    {
        assertEquals(1, report().find("echo-296", Measurement.FLOOR).round());
        assertEquals(List.of(1, 2, 3),
            List.copyOf(report(ROUNDS).byRound("echo-296", Measurement.FLOOR, Measurement::throughput).keySet()));
    }

    @Test
    void firstContactCpuAboveTheEchoFloorIsJudgedAgainstOpenSslsVerifyInTheSameRound() throws Exception
    {
        final BenchmarkReport report = report(List.of(
            "scenario=echo-296 role=floor round=1 udp-load server_cpu_us_per_reply=6.00",
            "scenario=ice-heartbeat-first-contact role=switchboard round=1 ice-load server_cpu_us_per_reply=26.00",
            "scenario=openssl-rsa2048-verify role=reference round=1 openssl cpu_us_per_verify=12.50",
            "scenario=echo-296 role=floor round=2 udp-load server_cpu_us_per_reply=5.00",
            "scenario=ice-heartbeat-first-contact role=switchboard round=2 ice-load server_cpu_us_per_reply=23.00",
            "scenario=openssl-rsa2048-verify role=reference round=2 openssl cpu_us_per_verify=13.00"));
        final Comparison above = comparison(report,
            "ICE heartbeat, first contact (296 B, RSA): CPU per heartbeat above the echo floor, 296 B", "OpenSSL");
        assertEquals("1.60 / 1.38", above.ratiosText());
        assertEquals(1.49, above.ratio(), 0.005);
        assertTrue(above.met());
        final Comparison whole = comparison(report, "ICE heartbeat, first contact (296 B, RSA): CPU per heartbeat",
            "OpenSSL");
        assertEquals("2.08 / 1.77", whole.ratiosText());
    }

    @Test
    void theVerdictIsOnTheMedianOfTheRatiosWithinEachRound() throws Exception
    {
        final Comparison throughput = comparison(report(ROUNDS), "ICE heartbeat, cached (296 B): throughput", "echo");
        assertEquals("0.95 / 0.75 / 0.83", throughput.ratiosText());
        assertEquals(0.83, throughput.ratio(), 1e-9);
        assertEquals(95000, throughput.switchboard());
        assertEquals(100000, throughput.reference());
        assertEquals("**met** (4% margin)", throughput.verdict());
    }

    @Test
    void anEvenNumberOfRoundsTakesTheMeanOfTheMiddleTwoRatios() throws Exception
    {
        final Comparison relays = comparison(report(ROUNDS), "PeerJS relays per second", "peer");
        assertEquals("3.00 / 4.00 / 2.50 / 3.50", relays.ratiosText());
        assertEquals(3.25, relays.ratio(), 1e-9);
        assertEquals("**met** (8% margin)", relays.verdict());
    }

    @Test
    void aRoundOneSideMissedIsLeftOutOfTheMedian() throws Exception
    {
        final Comparison pulse = comparison(report(ROUNDS), "pulse (32 B): throughput", "echo");
        assertEquals("0.90 / - / 0.80", pulse.ratiosText());
        assertEquals(0.85, pulse.ratio(), 1e-9);
        assertEquals(80000, pulse.switchboard());
        assertTrue(pulse.met());
    }

    @Test
    void sidesThatNeverShareARoundAreNotMeasured() throws Exception
    {
        final Comparison cpu = comparison(report(ROUNDS), "PeerJS CPU per relay", "peer");
        assertEquals(9.0, cpu.switchboard());
        assertEquals(30.0, cpu.reference());
        assertFalse(cpu.measured());
        assertEquals("not measured", cpu.verdict());
    }

    @Test
    void idleMemoryIsOneRoundAndItsOneRatio() throws Exception
    {
        final Comparison idle = comparison(report(ROUNDS), "Idle WebSocket memory per connection", "peer");
        assertEquals("0.25", idle.ratiosText());
        assertEquals(0.25, idle.ratio(), 1e-9);
        assertTrue(idle.met());
    }

    @Test
    void theRelayCeilingIsTheCoresOverTheGeneratorsAndTheServersCpuPerRelay() throws Exception
    {
        final String bound = report(List.of(
            "scenario=peerjs-relay role=switchboard round=2 peerjs-load relays_per_s=140000 " +
                "client_cpu_us_per_relay=7.00 server_cpu_us_per_relay=5.50",
            "scenario=peerjs-relay role=reference round=2 peerjs-load relays_per_s=50000 " +
                "client_cpu_us_per_relay=10.00 server_cpu_us_per_relay=20.00")).relayBound(2);
        assertTrue(bound.contains("| 2 | 7.00 | 5.50 | 12.5 | 160,000 | 140,000 | 50,000 | 150,000 |"), bound);
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
        assertTrue(markdown.contains("| Rounds | 1 |"));
        assertTrue(markdown.contains(
            "| 1 | ICE heartbeat, cached (296 B) | switchboard | 90,000 | 600 | 1000 | 2000 | 12.0 |"));
        assertTrue(markdown.contains("| ICE heartbeat, cached (296 B): throughput | 90000 | echo floor, 296 B | " +
            "100000 | 0.90 | 0.90 | >= 0.80 | **met**"));
        assertTrue(markdown.contains("| peer@1.0.2 | 1000 | 12000 |"));
        assertFalse(markdown.contains("QUICK"));
        assertFalse(markdown.contains("Machine load"), "a run that did not sample the load says nothing of it");

        final Path png = dir.resolve("chart.png");
        ReportChart.write(report, png);
        assertEquals(1600, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void theReportStatesHowBusyTheMachineWasWhenTheRunSampledIt() throws Exception
    {
        final Path results = dir.resolve("loaded.txt");
        Files.writeString(results, String.join("\n",
            "scenario=echo-296 role=floor udp-load label=echo replies_per_s=100000 server_cpu_us_per_reply=5.00",
            "meta coturn=4.6.1 node=v20.20.2 peer=1.0.2 elapsed_s=500 load_min=0.9 load_median=1.4 load_max=9.5 " +
                "load_samples=12"));
        final Map<String, String> meta = new HashMap<>();
        final String markdown = new BenchmarkReport(Measurement.read(results, meta), meta).markdown(
            "benchmarks/run-system.sh", false, new Machine(2, "Test CPU", 24.0, "6.1.0", "JDK 17"),
            ZonedDateTime.of(2026, 11, 23, 12, 0, 0, 0, ZoneOffset.UTC));
        assertTrue(markdown.contains("| Machine load | 1-minute load average after each scenario: median 1.4 (0.9 to " +
            "9.5 over 12 samples); above the core count, other work shared the cores |"), markdown);
    }

    @Test
    void theReportCountsTheRoundsAndGroupsTheFiguresByRound() throws Exception
    {
        final String markdown = report(ROUNDS).markdown("ROUNDS=4 benchmarks/run-system.sh", false,
            new Machine(2, "Test CPU", 24.0, "6.1.0", "JDK 17"),
            ZonedDateTime.of(2026, 11, 23, 12, 0, 0, 0, ZoneOffset.UTC));
        assertTrue(markdown.contains("| Rounds | 4 |"));
        assertTrue(markdown.contains("median of the per-round ratios over 4 rounds"));
        final int lastOfRound1 = markdown.indexOf("| 1 | PeerJS relay | peer@1.0.2 |");
        final int firstOfRound2 = markdown.indexOf("| 2 | echo floor, 296 B | NIO echo |");
        assertTrue(lastOfRound1 > 0 && firstOfRound2 > lastOfRound1, "round 1's relays come before round 2's floor");

        final Path png = dir.resolve("rounds.png");
        ReportChart.write(report(ROUNDS), png);
        assertEquals(1600, ImageIO.read(png.toFile()).getWidth());
    }
}
