package io.switchboard.tools.soak;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code soak-report}: reads what a soak recorded ({@code soak-sample}'s CSV and one {@code NAME.results} file per
 * load, each line {@code t_s=SECONDS <the load tool's result line>}) and writes a Markdown report: each resource's
 * trend after the settling time (Theil-Sen slope per minute, judged against a limit), each load's p99 per window,
 * the series over time and the junk's outcomes; the verdict lines also go to stdout.
 */
public final class SoakReport
{
    public static final String COMMAND = "soak-report";

    private static final Pattern T_S = Pattern.compile("^t_s=(\\d+(?:\\.\\d+)?) ");
    private static final Pattern P99 = Pattern.compile(" (?:[a-z_]+_)?p99_us=([0-9.]+)");
    private static final Pattern RATE = Pattern.compile(" [a-z]+_per_s=([0-9.]+)");
    private static final Pattern COUNT = Pattern.compile(" ([a-z0-9_]+)=(\\d+)");
    private static final String JUNK = "junk";
    private static final double RISING_P99 = 2.0;

    /**
     * A resource the sampler records and the growth per minute above which the soak calls it growing.
     *
     * @param column      CSV column.
     * @param name        as the report shows it.
     * @param unit        of the shown figures.
     * @param divisor     from the column's unit to the shown one.
     * @param limitPerMin growth per minute, in the shown unit, up to which the trend counts as flat.
     */
    record Resource(String column, String name, String unit, double divisor, double limitPerMin)
    {
    }

    static final List<Resource> RESOURCES = List.of(
        new Resource("live_heap_kib", "live heap (after a full GC)", "MiB", 1024, 0.5),
        new Resource("heap_after_gc_kib", "heap after the last GC", "MiB", 1024, 4),
        new Resource("rss_kib", "resident memory (RSS)", "MiB", 1024, 2),
        new Resource("fds", "open descriptors", "", 1, 1),
        new Resource("threads", "threads", "", 1, 0.5));

    private static final List<Flag> FLAGS = List.of(
        new Flag("samples", null, "soak-sample's CSV (required)"),
        new Flag("results", null, "directory of NAME.results files (required)"),
        new Flag("settle-s", "60", "seconds from the start left out of the trends (JIT, tables filling)"),
        new Flag("out", null, "the Markdown report to write (required)"),
        new Flag("title", "Soak report", "the report's heading"),
        new Flag("note", null, "a line for the report's header (command, machine...); repeatable"));

    private SoakReport()
    {
    }

    /** A point of a series: seconds since the start and a value. */
    record Point(double t, double value)
    {
    }

    public static int command(final String[] args) throws Exception
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }
        final Map<String, List<Point>> samples = readSamples(Path.of(flags.string("samples")));
        final Map<String, List<String>> results = readResults(Path.of(flags.string("results")));
        final double settleS = flags.doubleValue("settle-s");
        final StringBuilder report = new StringBuilder("# ").append(flags.string("title")).append("\n\n");
        flags.values("note").forEach(note -> report.append("- ").append(note).append('\n'));
        final List<String> verdicts = new ArrayList<>();
        final boolean flat = trends(samples, settleS, report, verdicts);
        latencies(results, report, verdicts);
        overTime(samples, results, report);
        junk(results.getOrDefault(JUNK, List.of()), report);
        final String headline = "verdict: " + (flat ? "FLAT" : "GROWING") + " (trends after the first " +
            format(settleS, 0) + " s)";
        report.insert(report.indexOf("\n\n") + 2, "**" + headline + "**\n\n");
        Files.writeString(Path.of(flags.string("out")), report);
        System.out.println(headline);
        verdicts.forEach(System.out::println);
        return Tools.EXIT_OK;
    }

    private static boolean trends(
        final Map<String, List<Point>> samples, final double settleS, final StringBuilder report,
        final List<String> verdicts)
    {
        report.append("\n## Trends\n\nSlope: Theil-Sen (the median of the slopes between every two samples, so a ")
            .append("sawtooth or one outlier does not tilt it), over the samples after the settling time.\n\n")
            .append("| Resource | samples | first | last | min | max | slope per minute | flat up to | trend |\n")
            .append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        boolean flat = true;
        for (final Resource resource : RESOURCES)
        {
            final List<Point> all = samples.getOrDefault(resource.column(), List.of());
            final List<Point> settled = all.stream().filter(point -> point.t() >= settleS).toList();
            if (settled.size() < 2)
            {
                report.append("| ").append(resource.name()).append(" | ").append(settled.size())
                    .append(" | | | | | | | too few samples |\n");
                continue;
            }
            final double slope = theilSenPerMinute(settled) / resource.divisor();
            final String trend = Math.abs(slope) <= resource.limitPerMin() ? "flat" : slope > 0 ? "GROWING" : "falling";
            flat &= !"GROWING".equals(trend);
            final double[] values = settled.stream().mapToDouble(point -> point.value() / resource.divisor()).toArray();
            final String unit = resource.unit().isEmpty() ? "" : " " + resource.unit();
            report.append("| ").append(resource.name()).append(" | ").append(settled.size())
                .append(" | ").append(format(values[0], 1)).append(" | ").append(format(values[values.length - 1], 1))
                .append(" | ").append(format(Arrays.stream(values).min().orElseThrow(), 1))
                .append(" | ").append(format(Arrays.stream(values).max().orElseThrow(), 1))
                .append(" | ").append(format(slope, 3)).append(unit)
                .append(" | ").append(format(resource.limitPerMin(), 1)).append(unit)
                .append(" | ").append(trend).append(" |\n");
            verdicts.add(String.format(Locale.ROOT, "%s: %s, %+.3f%s per minute (%s to %s%s over %d samples)",
                resource.name(), trend, slope, unit, format(values[0], 1), format(values[values.length - 1], 1), unit,
                values.length));
        }
        return flat;
    }

    private static void latencies(
        final Map<String, List<String>> results, final StringBuilder report, final List<String> verdicts)
    {
        report.append("\n## Latency per load window\n\nEach load runs in windows back to back; a window's p99 is its ")
            .append("round trip (one way for relays, reconnect-to-resumed for dop resumes). Trend: the median p99 of ")
            .append("the last third of the windows over the first third's.\n\n")
            .append("| Load | windows | p99 first | p99 last | p99 median | p99 max | last / first third | ")
            .append("median rate /s |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Map.Entry<String, List<String>> load : results.entrySet())
        {
            final List<Point> p99 = series(load.getValue(), P99);
            if (p99.isEmpty())
            {
                continue;
            }
            final double[] ms = p99.stream().mapToDouble(point -> point.value() / 1000).toArray();
            final int third = Math.max(1, ms.length / 3);
            final double ratio = median(Arrays.copyOfRange(ms, ms.length - third, ms.length)) /
                median(Arrays.copyOfRange(ms, 0, third));
            final double[] rates = series(load.getValue(), RATE).stream().mapToDouble(Point::value).toArray();
            report.append("| ").append(load.getKey()).append(" | ").append(ms.length)
                .append(" | ").append(format(ms[0], 2)).append(" ms | ").append(format(ms[ms.length - 1], 2))
                .append(" ms | ").append(format(median(ms), 2)).append(" ms | ")
                .append(format(Arrays.stream(ms).max().orElseThrow(), 2)).append(" ms | ").append(format(ratio, 2))
                .append(" | ").append(rates.length == 0 ? "" : format(median(rates), 0)).append(" |\n");
            verdicts.add(String.format(Locale.ROOT,
                "%s p99: %s (median %.2f ms over %d windows, last/first third %.2f)", load.getKey(),
                ratio > RISING_P99 ? "RISING" : "steady", median(ms), ms.length, ratio));
        }
    }

    /** One row per bucket of about a thirtieth of the run: the resources' last values and each load's worst p99. */
    private static void overTime(
        final Map<String, List<Point>> samples, final Map<String, List<String>> results, final StringBuilder report)
    {
        final List<Point> rss = samples.getOrDefault("rss_kib", List.of());
        if (rss.isEmpty())
        {
            return;
        }
        final double span = rss.get(rss.size() - 1).t();
        final double bucketS = Math.max(rss.size() > 1 ? rss.get(1).t() - rss.get(0).t() : 1, Math.ceil(span / 30));
        final Map<String, List<Point>> p99s = new LinkedHashMap<>();
        results.forEach((load, lines) -> p99s.put(load, series(lines, P99)));
        p99s.values().removeIf(List::isEmpty);
        report.append("\n## Over time\n\nOne row per ").append(format(bucketS, 0)).append(" s: each resource's last ")
            .append("sample in it (MiB, count), each load's worst p99 (ms) among the windows that ended in it.\n\n")
            .append("| t (s) |");
        RESOURCES.forEach(resource -> report.append(' ').append(resource.column()).append(" |"));
        p99s.keySet().forEach(load -> report.append(' ').append(load).append(" p99 |"));
        report.append('\n').append("|---:|").append("---:|".repeat(RESOURCES.size() + p99s.size())).append('\n');
        for (double from = 0; from <= span; from += bucketS)
        {
            final double to = from + bucketS;
            report.append("| ").append(format(to, 0)).append(" |");
            for (final Resource resource : RESOURCES)
            {
                final List<Point> series = samples.getOrDefault(resource.column(), List.of());
                final double last = last(series, from, to, Double.NaN, false);
                report.append(' ').append(Double.isNaN(last) ? "" : format(last / resource.divisor(), 1)).append(" |");
            }
            for (final List<Point> p99 : p99s.values())
            {
                final double worst = last(p99, from, to, Double.NaN, true);
                report.append(' ').append(Double.isNaN(worst) ? "" : format(worst / 1000, 2)).append(" |");
            }
            report.append('\n');
        }
    }

    private static void junk(final List<String> lines, final StringBuilder report)
    {
        if (lines.isEmpty())
        {
            return;
        }
        final Map<String, Long> totals = new TreeMap<>();
        for (final String line : lines)
        {
            final Matcher count = COUNT.matcher(line);
            while (count.find())
            {
                if (!"seed".equals(count.group(1)))
                {
                    totals.merge(count.group(1), Long.parseLong(count.group(2)), Long::sum);
                }
            }
        }
        report.append("\n## Junk\n\nWhat the appliance answered to ").append(lines.size()).append(" windows of junk ")
            .append("(`junk-load`; `none`: it closed without an answer, `timeout`: no answer in 2 s).\n\n")
            .append("| Junk and outcome | count |\n|---|---:|\n");
        totals.forEach((outcome, count) -> report.append("| ").append(outcome).append(" | ").append(count)
            .append(" |\n"));
    }

    /** The last value (or the largest, when {@code max}) of the points in {@code [from, to)}. */
    private static double last(final List<Point> points, final double from, final double to, final double none,
        final boolean max)
    {
        double value = none;
        for (final Point point : points)
        {
            if (point.t() >= from && point.t() < to)
            {
                value = max && !Double.isNaN(value) ? Math.max(value, point.value()) : point.value();
            }
        }
        return value;
    }

    /** Median of the slopes between every two points, per minute. */
    static double theilSenPerMinute(final List<Point> points)
    {
        final List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < points.size(); i++)
        {
            for (int j = i + 1; j < points.size(); j++)
            {
                final double dt = points.get(j).t() - points.get(i).t();
                if (dt > 0)
                {
                    slopes.add((points.get(j).value() - points.get(i).value()) / dt * 60);
                }
            }
        }
        return median(slopes.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static Map<String, List<Point>> readSamples(final Path csv) throws IOException
    {
        final List<String> lines = Files.readAllLines(csv).stream().filter(line -> !line.startsWith("#")).toList();
        final String[] columns = lines.get(0).split(",", -1);
        final Map<String, List<Point>> series = new LinkedHashMap<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] cells = line.split(",", -1);
            final double t = Double.parseDouble(cells[0]);
            for (int c = 1; c < columns.length && c < cells.length; c++)
            {
                if (!cells[c].isEmpty())
                {
                    series.computeIfAbsent(columns[c], key -> new ArrayList<>())
                        .add(new Point(t, Double.parseDouble(cells[c])));
                }
            }
        }
        return series;
    }

    private static Map<String, List<String>> readResults(final Path dir) throws IOException
    {
        final Map<String, List<String>> results = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.filter(path -> path.toString().endsWith(".results")).sorted().toList())
            {
                final String name = file.getFileName().toString().replaceFirst("\\.results$", "");
                results.put(name, Files.readAllLines(file).stream().filter(line -> T_S.matcher(line).find()).toList());
            }
        }
        return results;
    }

    /** The {@code pattern}'s value of each result line, at its {@code t_s}. */
    private static List<Point> series(final List<String> lines, final Pattern pattern)
    {
        final List<Point> points = new ArrayList<>();
        for (final String line : lines)
        {
            final Matcher t = T_S.matcher(line);
            final Matcher value = pattern.matcher(line);
            if (t.find() && value.find())
            {
                points.add(new Point(Double.parseDouble(t.group(1)), Double.parseDouble(value.group(1))));
            }
        }
        return points;
    }

    private static String format(final double value, final int decimals)
    {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
