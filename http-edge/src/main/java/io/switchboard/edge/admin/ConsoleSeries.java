package io.switchboard.edge.admin;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.CountersReader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the live console shows, as sums of the appliance's own counters: per-protocol rates (the page divides the
 * change of each total by the time between two snapshots), levels (gauges), and every drop or refusal by its series.
 * One place names the counters the console reads; {@code ConsoleTest} checks each of them is served at /metrics.
 * Read by the console's feed thread only.
 */
final class ConsoleSeries
{
    /** A line of the console: a name the page shows, and the counter series (or whole families) it sums. */
    record Line(String name, List<String> series)
    {
    }

    /** Totals whose change per second the page charts, one line per protocol. */
    static final List<Line> RATES = List.of(
        new Line("UDP datagrams", List.of("switchboard_udp_datagrams_received_total")),
        new Line("ICE heartbeats", List.of("switchboard_ice_heartbeats_total")),
        new Line("ICE queries", List.of("switchboard_ice_queries_total")),
        new Line("Pulses", List.of("switchboard_pulse_datagrams_in_total")),
        new Line("PeerJS relays", List.of("switchboard_peerjs_relays_total{result=\"delivered\"}")),
        new Line("dop frames", List.of("switchboard_dop_frames_in_total")),
        new Line("HTTP requests", List.of("switchboard_metaverse_requests_total",
            "switchboard_rendezvous_requests_total", "switchboard_peerjs_http_requests_total")));

    /** Levels, shown as they are. */
    static final List<Line> LEVELS = List.of(
        new Line("Active ICE domains", List.of("switchboard_ice_active_domains")),
        new Line("Metaverse domains", List.of("switchboard_metaverse_domains")),
        new Line("Pulse clients", List.of("switchboard_pulse_clients")),
        new Line("PeerJS ids", List.of("switchboard_peerjs_clients")),
        new Line("WebSockets", List.of("switchboard_peerjs_open_connections", "switchboard_dop_open_connections")),
        new Line("HTTP connections", List.of("switchboard_http_connections_open")));

    private final CountersReader reader;
    private int countersSeen = -1;
    /** Counter ids of each rate and level line; the series of every drop counter by its id. */
    private final Map<String, int[]> ids = new LinkedHashMap<>();
    private final Map<Integer, String> drops = new LinkedHashMap<>();

    ConsoleSeries(final Metrics metrics)
    {
        this.reader = metrics.reader();
    }

    /** The sum of each rate line's counters now. */
    Map<String, Long> rates()
    {
        return sums(RATES);
    }

    Map<String, Long> levels()
    {
        return sums(LEVELS);
    }

    /** Every drop and refusal counter's total, by series. */
    Map<String, Long> drops()
    {
        index();
        final Map<String, Long> totals = new LinkedHashMap<>();
        drops.forEach((id, series) -> totals.put(series, reader.getCounterValue(id)));
        return totals;
    }

    private Map<String, Long> sums(final List<Line> lines)
    {
        index();
        final Map<String, Long> totals = new LinkedHashMap<>();
        for (final Line line : lines)
        {
            long sum = 0;
            for (final int id : ids.get(line.name()))
            {
                sum += reader.getCounterValue(id);
            }
            totals.put(line.name(), sum);
        }
        return totals;
    }

    /** Maps counters to lines; again whenever counters were added since. */
    private void index()
    {
        final int[] count = {0};
        reader.forEach((id, label) -> count[0]++);
        if (count[0] == countersSeen)
        {
            return;
        }
        countersSeen = count[0];
        ids.clear();
        drops.clear();
        final Map<String, List<Integer>> matched = new LinkedHashMap<>();
        for (final Line line : RATES)
        {
            matched.put(line.name(), new java.util.ArrayList<>());
        }
        for (final Line line : LEVELS)
        {
            matched.put(line.name(), new java.util.ArrayList<>());
        }
        reader.forEach((id, label) ->
        {
            for (final Line line : RATES)
            {
                match(line, id, label, matched);
            }
            for (final Line line : LEVELS)
            {
                match(line, id, label, matched);
            }
            if (isDrop(label))
            {
                drops.put(id, label);
            }
        });
        matched.forEach((name, list) -> ids.put(name, list.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static void match(final Line line, final int id, final String label, final Map<String, List<Integer>> matched)
    {
        for (final String series : line.series())
        {
            final boolean family = series.indexOf('{') < 0;
            if (family ? label.equals(series) || label.startsWith(series + "{") : label.equals(series))
            {
                matched.get(line.name()).add(id);
            }
        }
    }

    /** A count of something dropped, refused or failed: by its family's or its label's name. */
    static boolean isDrop(final String series)
    {
        final int brace = series.indexOf('{');
        final String family = brace < 0 ? series : series.substring(0, brace);
        final String labels = brace < 0 ? "" : series.substring(brace);
        return family.endsWith("_total") && (family.contains("dropped") || family.contains("refused") ||
            family.contains("drops") || family.contains("failures") || family.contains("timeouts") ||
            labels.contains("\"dropped") || labels.contains("\"refused") || labels.contains("\"failed"));
    }

    /** Whether {@code series} (a family or one series) names at least one counter: for tests. */
    boolean serves(final String series)
    {
        final boolean[] found = {false};
        reader.forEach((id, label) -> found[0] |= series.indexOf('{') < 0 ?
            label.equals(series) || label.startsWith(series + "{") : label.equals(series));
        return found[0];
    }
}
