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
        final long[] cumulative = {0};
        final String[] bucketsOf = {null};
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final int brace = label.indexOf('{');
            final String name = brace < 0 ? label : label.substring(0, brace);
            final String family = histogramFamily(name, typeId);
            typeByFamily.putIfAbsent(family, typeId);
            final long value = reader.getCounterValue(counterId);
            final String line;
            if (typeId == Metrics.TYPE_HISTOGRAM_BUCKET)
            {
                // Buckets are allocated in order of their bounds: the text's are cumulative.
                final String set = label.substring(0, label.lastIndexOf("le="));
                cumulative[0] = set.equals(bucketsOf[0]) ? cumulative[0] + value : value;
                bucketsOf[0] = set;
                line = label + " " + cumulative[0];
            }
            else if (typeId == Metrics.TYPE_HISTOGRAM_SUM_MICROS)
            {
                line = label + " " + value / 1e6;
            }
            else
            {
                line = label + " " + value;
            }
            seriesByFamily.computeIfAbsent(family, f -> new ArrayList<>()).add(line);
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
            out.append("# TYPE ").append(family).append(' ').append(type(typeByFamily.get(family))).append('\n');
            for (final String line : entry.getValue())
            {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static String type(final int typeId)
    {
        return switch (typeId)
        {
            case Metrics.TYPE_GAUGE -> "gauge";
            case Metrics.TYPE_HISTOGRAM_BUCKET, Metrics.TYPE_HISTOGRAM_SUM_MICROS, Metrics.TYPE_HISTOGRAM_COUNT ->
                "histogram";
            default -> "counter";
        };
    }

    /** A histogram series' family is its name without {@code _bucket}, {@code _sum} or {@code _count}. */
    private static String histogramFamily(final String name, final int typeId)
    {
        return switch (typeId)
        {
            case Metrics.TYPE_HISTOGRAM_BUCKET -> name.substring(0, name.length() - "_bucket".length());
            case Metrics.TYPE_HISTOGRAM_SUM_MICROS -> name.substring(0, name.length() - "_sum".length());
            case Metrics.TYPE_HISTOGRAM_COUNT -> name.substring(0, name.length() - "_count".length());
            default -> name;
        };
    }
}
