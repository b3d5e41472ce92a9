package io.switchboard.benchmarks.report;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.FlagSet;
import io.switchboard.engine.config.Flags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code benchmarks.md} and {@code benchmarks.png} from the results {@code benchmarks/run-system.sh}
 * collected: the machine, the date and the command; every scenario's figures in every round; the ratios
 * switchboard / reference in each round, their median, the targets of issue #7 and whether the median meets each.
 * <p>
 * {@code java -cp benchmarks.jar io.switchboard.benchmarks.report.BenchmarkReport --results=FILE --out-dir=DIR
 * --command=TEXT [--quick=1]}
 */
public final class BenchmarkReport
{
    private static final FlagSet FLAGS = new FlagSet(
        "java -cp benchmarks.jar " + BenchmarkReport.class.getName(), "", "benchmark-report", List.of(
            new Flag("results", "FILE", null, false, "the results run-system.sh collected"),
            new Flag("out-dir", "DIR", null, false, "where benchmarks.md and benchmarks.png are written"),
            new Flag("command", "TEXT", null, false, "the command line the report names"),
            new Flag("quick", "0|1", "0", false, "1: the run was a quick one; the report says so")));

    static final String MARKDOWN = "benchmarks.md";
    static final String CHART = "benchmarks.png";

    /** The UDP server scenarios in report order. */
    static final List<String> UDP_SCENARIOS =
        List.of("ice-heartbeat-cached", "ice-heartbeat-first-contact", "ice-query", "pulse", "stun-binding");
    /** Each UDP server scenario's echo floor: the same request size. */
    static final Map<String, String> FLOOR_OF = Map.of(
        "ice-heartbeat-cached", "echo-296",
        "ice-heartbeat-first-contact", "echo-296",
        "ice-query", "echo-52",
        "pulse", "echo-32",
        "stun-binding", "echo-20");
    static final Map<String, String> TITLES = Map.ofEntries(
        Map.entry("echo-296", "echo floor, 296 B"),
        Map.entry("echo-52", "echo floor, 52 B"),
        Map.entry("echo-32", "echo floor, 32 B"),
        Map.entry("echo-20", "echo floor, 20 B"),
        Map.entry("ice-heartbeat-cached", "ICE heartbeat, cached (296 B)"),
        Map.entry("ice-heartbeat-first-contact", "ICE heartbeat, first contact (296 B, RSA)"),
        Map.entry("ice-query", "ICE query (52 B)"),
        Map.entry("pulse", "pulse (32 B)"),
        Map.entry("stun-binding", "STUN Binding (20 B)"),
        Map.entry("peerjs-relay", "PeerJS relay"),
        Map.entry("peerjs-idle", "PeerJS idle WebSocket"),
        Map.entry("openssl-rsa2048-verify", "OpenSSL RSA-2048 verify (openssl speed, CPU)"));

    private static final double ONE_THIRD = 1.0 / 3.0;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

    private final List<Measurement> measurements;
    private final Map<String, String> meta;

    BenchmarkReport(final List<Measurement> measurements, final Map<String, String> meta)
    {
        this.measurements = measurements;
        this.meta = meta;
    }

    public static void main(final String[] args) throws IOException
    {
        final Flags flags = FLAGS.parse(args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return;
        }
        final Map<String, String> meta = new HashMap<>();
        final BenchmarkReport report = new BenchmarkReport(
            Measurement.read(Path.of(flags.string("results")), meta), meta);
        final Path outDir = Path.of(flags.string("out-dir"));
        Files.createDirectories(outDir);
        final String markdown = report.markdown(flags.string("command"), "1".equals(flags.value("quick")),
            Machine.describe(), ZonedDateTime.now(ZoneOffset.UTC));
        Files.writeString(outDir.resolve(MARKDOWN), markdown);
        ReportChart.write(report, outDir.resolve(CHART));
        System.out.println("report: " + outDir.resolve(MARKDOWN) + " and " + outDir.resolve(CHART));
        System.out.print(report.targetsTable());
    }

    /**
     * @return the first measurement of scenario and role (the idle scenario runs once), or one whose every figure is
     * NaN when the run did not produce it.
     */
    Measurement find(final String scenario, final String role)
    {
        for (final Measurement measurement : measurements)
        {
            if (measurement.scenario().equals(scenario) && measurement.role().equals(role))
            {
                return measurement;
            }
        }
        return new Measurement(scenario, role, 1, Map.of());
    }

    /** @return one figure of scenario and role in each round it was measured in; the first line of a round wins. */
    SortedMap<Integer, Double> byRound(
        final String scenario, final String role, final ToDoubleFunction<Measurement> figure)
    {
        final SortedMap<Integer, Double> byRound = new TreeMap<>();
        for (final Measurement measurement : measurements)
        {
            if (measurement.scenario().equals(scenario) && measurement.role().equals(role))
            {
                byRound.putIfAbsent(measurement.round(), figure.applyAsDouble(measurement));
            }
        }
        return byRound;
    }

    /**
     * The machine's 1-minute load average after each scenario, when the run sampled it: above the core count, other
     * work shared the cores and every figure is the worse for it.
     */
    private String loadLine()
    {
        if (!meta.containsKey("load_median"))
        {
            return "";
        }
        return "| Machine load | 1-minute load average after each scenario: median " + meta.get("load_median") + " (" +
            meta.get("load_min") + " to " + meta.get("load_max") + " over " + meta.get("load_samples") +
            " samples); above the core count, other work shared the cores |\n";
    }

    /** Per round, {@code figure} less the floor measured in the same round; rounds lacking either are left out. */
    static SortedMap<Integer, Double> aboveFloor(
        final SortedMap<Integer, Double> figure, final SortedMap<Integer, Double> floor)
    {
        final SortedMap<Integer, Double> above = new TreeMap<>();
        figure.forEach((round, value) ->
        {
            final Double floorValue = floor.get(round);
            if (floorValue != null)
            {
                above.put(round, value - floorValue);
            }
        });
        return above;
    }

    /** @return the median over rounds of one figure of scenario and role; NaN when the run did not produce it. */
    double median(final String scenario, final String role, final ToDoubleFunction<Measurement> figure)
    {
        return Comparison.median(byRound(scenario, role, figure).values());
    }

    /** @return how many rounds the run had: the highest round of any measurement. */
    int rounds()
    {
        return measurements.stream().mapToInt(Measurement::round).max().orElse(0);
    }

    /** Every ratio the report states, the issue's targets first. */
    List<Comparison> comparisons()
    {
        final ToDoubleFunction<Measurement> rate = Measurement::throughput;
        final ToDoubleFunction<Measurement> cpu = Measurement::cpuUsPerOperation;
        final List<Comparison> comparisons = new ArrayList<>();
        for (final String scenario : List.of("ice-heartbeat-cached", "pulse"))
        {
            final String floor = FLOOR_OF.get(scenario);
            final String title = TITLES.get(scenario);
            comparisons.add(new Comparison(title + ": throughput", byRound(scenario, Measurement.SWITCHBOARD, rate),
                byRound(floor, Measurement.FLOOR, rate), TITLES.get(floor), Comparison.Bound.AT_LEAST, 0.80));
            comparisons.add(new Comparison(title + ": CPU per datagram",
                byRound(scenario, Measurement.SWITCHBOARD, cpu), byRound(floor, Measurement.FLOOR, cpu),
                TITLES.get(floor), Comparison.Bound.AT_MOST, 1.30));
            comparisons.add(new Comparison(title + ": CPU per datagram",
                byRound(scenario, Measurement.SWITCHBOARD, cpu), byRound("stun-binding", Measurement.REFERENCE, cpu),
                "coturn, per STUN Binding", Comparison.Bound.BELOW, 1.0));
        }
        // Issue #13's target compares what a first contact costs beyond the datagram I/O every UDP server pays (the
        // echo floor, measured in the same round) with OpenSSL's verify; the whole figure is stated beside it.
        final SortedMap<Integer, Double> firstContact = byRound("ice-heartbeat-first-contact", Measurement.SWITCHBOARD, cpu);
        final SortedMap<Integer, Double> openssl = byRound("openssl-rsa2048-verify", Measurement.REFERENCE, cpu);
        comparisons.add(new Comparison(TITLES.get("ice-heartbeat-first-contact") + ": CPU per heartbeat above the " +
            TITLES.get("echo-296"), aboveFloor(firstContact, byRound("echo-296", Measurement.FLOOR, cpu)), openssl,
            TITLES.get("openssl-rsa2048-verify"), Comparison.Bound.AT_MOST, 1.5));
        comparisons.add(new Comparison(TITLES.get("ice-heartbeat-first-contact") + ": CPU per heartbeat",
            firstContact, openssl, TITLES.get("openssl-rsa2048-verify"), Comparison.Bound.NONE, Double.NaN));
        comparisons.add(new Comparison("PeerJS relays per second",
            byRound("peerjs-relay", Measurement.SWITCHBOARD, rate),
            byRound("peerjs-relay", Measurement.REFERENCE, rate), "peer@1.0.2", Comparison.Bound.AT_LEAST, 3.0));
        comparisons.add(new Comparison("PeerJS CPU per relay",
            byRound("peerjs-relay", Measurement.SWITCHBOARD, cpu),
            byRound("peerjs-relay", Measurement.REFERENCE, cpu), "peer@1.0.2", Comparison.Bound.AT_MOST, ONE_THIRD));
        comparisons.add(new Comparison("Idle WebSocket memory per connection",
            byRound("peerjs-idle", Measurement.SWITCHBOARD, Measurement::memoryPerConnectionBytes),
            byRound("peerjs-idle", Measurement.REFERENCE, Measurement::memoryPerConnectionBytes), "peer@1.0.2",
            Comparison.Bound.AT_MOST, ONE_THIRD));
        for (final String scenario : List.of("ice-heartbeat-first-contact", "ice-query", "stun-binding"))
        {
            final String role = "stun-binding".equals(scenario) ? Measurement.REFERENCE : Measurement.SWITCHBOARD;
            final String floor = FLOOR_OF.get(scenario);
            final String title = TITLES.get(scenario) + ("stun-binding".equals(scenario) ? " (coturn)" : "");
            comparisons.add(new Comparison(title + ": throughput", byRound(scenario, role, rate),
                byRound(floor, Measurement.FLOOR, rate), TITLES.get(floor), Comparison.Bound.NONE, Double.NaN));
            comparisons.add(new Comparison(title + ": CPU per datagram", byRound(scenario, role, cpu),
                byRound(floor, Measurement.FLOOR, cpu), TITLES.get(floor), Comparison.Bound.NONE, Double.NaN));
        }
        return comparisons;
    }

    String targetsTable()
    {
        final StringBuilder table = new StringBuilder(
            "| Comparison | switchboard (median) | against | reference (median) | ratio (median) | per-round ratios " +
            "| target | result |\n" +
            "|---|---:|---|---:|---:|---:|---:|---|\n");
        for (final Comparison comparison : comparisons())
        {
            table.append("| ").append(comparison.name())
                .append(" | ").append(Comparison.format(comparison.switchboard()))
                .append(" | ").append(comparison.referenceName())
                .append(" | ").append(Comparison.format(comparison.reference()))
                .append(" | ").append(Comparison.format(comparison.ratio()))
                .append(" | ").append(comparison.ratiosText())
                .append(" | ").append(comparison.targetText())
                .append(" | ").append(comparison.verdict()).append(" |\n");
        }
        return table.toString();
    }

    String markdown(final String command, final boolean quick, final Machine machine, final ZonedDateTime date)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# System benchmark: switchboard beside its references\n\n")
            .append("Written by `benchmarks/run-system.sh` (issue #7); run it again rather than editing this ")
            .append("page.\n\n");
        if (quick)
        {
            md.append("> **QUICK smoke run**: seconds per scenario and few connections. It shows that every scenario ")
                .append("works; its figures are not measurements to quote.\n\n");
        }
        md.append("| | |\n|---|---|\n")
            .append("| Command | `").append(command).append("` |\n")
            .append("| Date | ").append(date.format(DATE)).append(" |\n")
            .append("| Machine | ").append(machine.describeLine()).append(" |\n")
            .append("| References | coturn ").append(meta.getOrDefault("coturn", "?"))
            .append(" (Debian), peer@").append(meta.getOrDefault("peer", "?")).append(" on Node ")
            .append(meta.getOrDefault("node", "?")).append(", the tools' Java NIO echo server as the floor |\n")
            .append("| Run time | ").append(meta.getOrDefault("elapsed_s", "?")).append(" s, build step included |\n")
            .append(loadLine())
            .append("| Rounds | ").append(rounds()).append(" |\n")
            .append("| Placement | nothing pinned: each server and its load generator share both cores; ")
            .append("servers all started at once, loaded one at a time, in alternating rounds |\n\n");
        md.append("![switchboard beside the echo floor, coturn and peer@1.0.2](").append(CHART).append(")\n\n");
        md.append("## Ratios and targets\n\nRatio = switchboard / reference, taken per round: each floor is ")
            .append("measured right before the scenarios it is the floor of, coturn and peer@1.0.2 right after ")
            .append("switchboard, in the same round. The targets of issue #7 on this 2-core machine are judged on the ")
            .append("median of the per-round ratios over ").append(rounds()).append(" rounds (idle memory: one ")
            .append("round); the switchboard and reference columns are the medians of their own figures, so their ")
            .append("quotient need not be the ratio.\n\n").append(targetsTable()).append('\n');
        md.append("## Figures\n\nThroughput in replies (UDP) or relays (PeerJS) per second; RTT for UDP, one-way ")
            .append("latency for PeerJS; CPU is the server process's user + system time over the measured interval ")
            .append("per reply or relay; RSS is the server's VmRSS after the scenario.\n\n")
            .append("| Round | Scenario | Server | Throughput /s | p50 us | p99 us | p99.9 us | CPU us/op | RSS MiB ")
            .append("| lost | bad |\n")
            .append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Measurement measurement : byRoundThenFileOrder())
        {
            if (!"peerjs-idle".equals(measurement.scenario()))
            {
                md.append("| ").append(measurement.round())
                    .append(" | ").append(TITLES.getOrDefault(measurement.scenario(), measurement.scenario()))
                    .append(" | ").append(serverName(measurement))
                    .append(" | ").append(String.format(Locale.ROOT, "%,.0f", measurement.throughput()))
                    .append(" | ").append(Comparison.format(measurement.p50Us()))
                    .append(" | ").append(Comparison.format(measurement.p99Us()))
                    .append(" | ").append(Comparison.format(measurement.p999Us()))
                    .append(" | ").append(Comparison.format(measurement.cpuUsPerOperation()))
                    .append(" | ").append(Comparison.format(measurement.rssMib()))
                    .append(" | ").append(measurement.fields().getOrDefault("lost", "-"))
                    .append(" | ").append(measurement.fields().getOrDefault("bad_replies",
                        measurement.fields().getOrDefault("errors", "-"))).append(" |\n");
            }
        }
        md.append(relayBound(machine.cores()));
        md.append("\n## Idle WebSocket connections\n\nRegistered PeerJS clients that only send HEARTBEAT every 5 s. ")
            .append("Memory per connection: peer@1.0.2's RSS growth. switchboard runs with a fixed, pre-touched ")
            .append("heap, so its figure is its live-heap growth after a full GC plus the growth of the native memory ")
            .append("the JVM commits (Native Memory Tracking). Its RSS growth is in `compare.sh`'s output but not ")
            .append("used: kdamond (DAMON) on this VM reclaims cold pages of running processes and moves a JVM's RSS ")
            .append("by tens of MB either way.\n\n")
            .append("| Server | connections | memory per connection (B) | RSS MiB |\n|---|---:|---:|---:|\n");
        for (final String role : List.of(Measurement.SWITCHBOARD, Measurement.REFERENCE))
        {
            final Measurement idle = find("peerjs-idle", role);
            md.append("| ").append(serverName(idle))
                .append(" | ").append(idle.fields().getOrDefault("connected", "-"))
                .append(" | ").append(Comparison.format(idle.memoryPerConnectionBytes()))
                .append(" | ").append(Comparison.format(idle.rssMib())).append(" |\n");
        }
        md.append("\n## How it is measured\n\n")
            .append("- UDP: `switchboard-tools.jar` `udp-load` (echo), `ice-load`, `pulse-load` and `stun-load`, one ")
            .append("closed-loop generator: each socket keeps one request in flight and sends the next on its reply; ")
            .append("a reply counts only when it is the right answer (ACK, PeerInformation, 1020, Binding Success ")
            .append("with the request's transaction id). The floor echoes requests of the same size as each ")
            .append("scenario.\n")
            .append("- ICE first contact: every heartbeat differs from the domain's last verified one, so each ")
            .append("pays the RSA verification a domain's first heartbeat pays. Its target (issue #13: at most 1.5x ")
            .append("OpenSSL's verify) is judged on what it costs above the 296 B echo floor of the same round, the ")
            .append("receive, wake-up and send every UDP server pays per datagram, which OpenSSL's figure leaves out; ")
            .append("the whole figure is the row below it. ICE query: each socket queries ")
            .append("its own domain, kept alive by a heartbeat a second; the server answers the querier and the domain.\n")
            .append("- coturn: `stun-only` on 127.0.0.1 with its default threads (one UDP thread per core).\n")
            .append("- Rounds: the echo server, switchboard and coturn start once and wait idle between scenarios. ")
            .append("Each round loads echo 296 B, ICE cached, ICE first contact, echo 52 B, ICE query, echo 32 B, ")
            .append("pulse, echo 20 B and coturn, in that order. The first round's pulses register `CLIENTS` clients ")
            .append("(see the command), later rounds only the ones they pulse from; an hour's grace after ")
            .append("registering keeps the never-pulsed ones from all expiring at once during a later round.\n")
            .append("- PeerJS: `http-edge/src/test/node/peerjs-bench/compare.sh` drives switchboard and peer@1.0.2 ")
            .append("with `peerjs-load`: OFFER/ANSWER ping-pong between pairs, each message written on its own, ")
            .append("switchboard then peer@1.0.2 in each round, and idle clients, once, spread over several ")
            .append("processes. The generator is one thread and prints its own CPU per relay: beside switchboard ")
            .append("it is the busier of the two processes (a core each on this 2-core machine), beside peer@1.0.2 ")
            .append("the server is.\n");
        return md.toString();
    }

    /**
     * What bounds switchboard's relay rate here: the generator runs on the same cores, so per relay its CPU and the
     * server's together spend what the machine has; their sum gives the most relays per second these cores can
     * carry for this traffic, whatever the server.
     */
    String relayBound(final int cores)
    {
        final StringBuilder md = new StringBuilder("\n## What bounds the PeerJS relay rate\n\n")
            .append("The generator writes each message on its own, as a client does, and shares the ").append(cores)
            .append(" cores with the server. Per relay, its CPU and switchboard's together are what the machine ")
            .append("spends, so ").append(cores).append(" cores / (generator + switchboard CPU per relay) is the ")
            .append("most relays per second this machine can carry for this traffic. peer@1.0.2 is held by its one ")
            .append("thread instead: its rate is about 1 s / its CPU per relay.\n\n")
            .append("| Round | generator CPU us/relay | switchboard CPU us/relay | sum | ceiling relays/s | measured ")
            .append("relays/s | peer@1.0.2 relays/s | 3x peer@1.0.2 |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        final SortedMap<Integer, Double> peerRates =
            byRound("peerjs-relay", Measurement.REFERENCE, Measurement::throughput);
        for (final Measurement relay : byRoundThenFileOrder())
        {
            if (!"peerjs-relay".equals(relay.scenario()) || !Measurement.SWITCHBOARD.equals(relay.role()))
            {
                continue;
            }
            final double generator = relay.number("client_cpu_us_per_relay");
            final double sum = generator + relay.cpuUsPerOperation();
            final double peer = peerRates.getOrDefault(relay.round(), Double.NaN);
            md.append("| ").append(relay.round())
                .append(" | ").append(Comparison.format(generator))
                .append(" | ").append(Comparison.format(relay.cpuUsPerOperation()))
                .append(" | ").append(Comparison.format(sum))
                .append(" | ").append(String.format(Locale.ROOT, "%,.0f", cores * 1e6 / sum))
                .append(" | ").append(String.format(Locale.ROOT, "%,.0f", relay.throughput()))
                .append(" | ").append(String.format(Locale.ROOT, "%,.0f", peer))
                .append(" | ").append(String.format(Locale.ROOT, "%,.0f", 3 * peer)).append(" |\n");
        }
        return md.toString();
    }

    static String serverName(final Measurement measurement)
    {
        return switch (measurement.role())
        {
            case Measurement.FLOOR -> "NIO echo";
            case Measurement.SWITCHBOARD -> "switchboard";
            default -> measurement.scenario().startsWith("stun") ? "coturn" : "peer@1.0.2";
        };
    }

    /** @return the measurements grouped by round; within a round, in file order (the sort is stable). */
    private List<Measurement> byRoundThenFileOrder()
    {
        return measurements.stream().sorted(Comparator.comparingInt(Measurement::round)).toList();
    }
}
