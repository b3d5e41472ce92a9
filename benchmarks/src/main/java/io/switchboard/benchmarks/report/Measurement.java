package io.switchboard.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One result line of {@code run-system.sh}: {@code scenario=NAME role=floor|switchboard|reference round=N} followed
 * by the load tool's own {@code key=value} line and the server's RSS. UDP tools count replies, the PeerJS tool relays.
 *
 * @param scenario what was measured, e.g. {@code ice-heartbeat-cached}.
 * @param role     {@code floor}, {@code switchboard} or {@code reference}.
 * @param round    the round of the run it was measured in, from 1; 1 when the line names none.
 * @param fields   every {@code key=value} of the line; the first of a repeated key wins (the script's prefix).
 */
record Measurement(String scenario, String role, int round, Map<String, String> fields)
{
    static final String SWITCHBOARD = "switchboard";
    static final String REFERENCE = "reference";
    static final String FLOOR = "floor";

    /**
     * @param results the results file: measurement lines, and {@code meta} lines whose fields describe the run.
     * @param meta    receives the fields of the {@code meta} lines.
     * @return the measurements in file order.
     */
    static List<Measurement> read(final Path results, final Map<String, String> meta) throws IOException
    {
        final List<Measurement> measurements = new ArrayList<>();
        for (final String line : Files.readAllLines(results))
        {
            final Map<String, String> fields = fields(line);
            if (line.startsWith("meta "))
            {
                meta.putAll(fields);
            }
            else if (fields.containsKey("scenario") && fields.containsKey("role"))
            {
                measurements.add(new Measurement(fields.get("scenario"), fields.get("role"),
                    Integer.parseInt(fields.getOrDefault("round", "1")), fields));
            }
        }
        return measurements;
    }

    static Map<String, String> fields(final String line)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String token : line.trim().split("\\s+"))
        {
            final int equals = token.indexOf('=');
            if (equals > 0)
            {
                fields.putIfAbsent(token.substring(0, equals), token.substring(equals + 1));
            }
        }
        return fields;
    }

    /** Replies (UDP) or relays (PeerJS) per second. */
    double throughput()
    {
        return number("replies_per_s", "relays_per_s");
    }

    /** Server CPU per reply or relay (OpenSSL's: per verification), microseconds. */
    double cpuUsPerOperation()
    {
        return number("server_cpu_us_per_reply", "server_cpu_us_per_relay", "cpu_us_per_verify");
    }

    double p50Us()
    {
        return number("p50_us");
    }

    double p99Us()
    {
        return number("p99_us");
    }

    double p999Us()
    {
        return number("p999_us");
    }

    double rssMib()
    {
        return number("server_rss_kib") / 1024;
    }

    /** Idle scenario: resident memory each idle connection added to the server. */
    double memoryPerConnectionBytes()
    {
        return number("memory_per_connection_b");
    }

    /** The first of {@code keys} present, as a number; NaN when none is. */
    double number(final String... keys)
    {
        for (final String key : keys)
        {
            final String value = fields.get(key);
            if (value != null)
            {
                return Double.parseDouble(value);
            }
        }
        return Double.NaN;
    }
}
