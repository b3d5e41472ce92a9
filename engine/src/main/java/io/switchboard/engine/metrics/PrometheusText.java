package io.switchboard.engine.metrics;

import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the counters in the Prometheus text exposition format (version 0.0.4), grouped by family. */
public final class PrometheusText
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText()
    {
    }

    public static String render(final Metrics metrics)
    {
        final CountersReader reader = metrics.reader();
        final Map<String, List<String>> seriesByFamily = new LinkedHashMap<>();
        final Map<String, Integer> typeByFamily = new LinkedHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final int brace = label.indexOf('{');
            final String family = brace < 0 ? label : label.substring(0, brace);
            typeByFamily.putIfAbsent(family, typeId);
            seriesByFamily.computeIfAbsent(family, f -> new ArrayList<>())
                .add(label + " " + reader.getCounterValue(counterId));
        });
        final StringBuilder out = new StringBuilder(4096);
        for (final Map.Entry<String, List<String>> entry : seriesByFamily.entrySet())
        {
            final String family = entry.getKey();
            final String help = metrics.helpOf(family);
            if (help != null)
            {
                out.append("# HELP ").append(family).append(' ').append(help).append('\n');
            }
            out.append("# TYPE ").append(family).append(' ')
                .append(typeByFamily.get(family) == Metrics.TYPE_GAUGE ? "gauge" : "counter").append('\n');
            for (final String line : entry.getValue())
            {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }
}
