package io.switchboard.engine.metrics;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every operator-visible event is an Agrona counter in one {@link CountersManager}. A counter's label is its
 * Prometheus series name with labels, e.g. {@code switchboard_ice_datagrams_in_total{type="heartbeat"}}; its type id
 * says counter or gauge. Counters are allocated at start-up, from one thread, before any traffic.
 */
public final class Metrics
{
    public static final int TYPE_COUNTER = 1;
    public static final int TYPE_GAUGE = 2;
    /** A bucket, the sum (microseconds, served in seconds) or the count of a {@link Histogram}. */
    public static final int TYPE_HISTOGRAM_BUCKET = 3;
    public static final int TYPE_HISTOGRAM_SUM_MICROS = 4;
    public static final int TYPE_HISTOGRAM_COUNT = 5;
    public static final int MAX_COUNTERS = 1024;

    private final CountersManager countersManager;
    private final Map<String, String> helpByFamily = new LinkedHashMap<>();

    public Metrics()
    {
        final UnsafeBuffer metadata = new UnsafeBuffer(
            ByteBuffer.allocateDirect(MAX_COUNTERS * CountersReader.METADATA_LENGTH));
        final UnsafeBuffer values = new UnsafeBuffer(
            ByteBuffer.allocateDirect(MAX_COUNTERS * CountersReader.COUNTER_LENGTH));
        countersManager = new CountersManager(metadata, values);
    }

    /** A monotonically increasing count; {@code labels} is empty or like {@code type="heartbeat"}. */
    public synchronized AtomicCounter counter(final String family, final String labels, final String help)
    {
        return allocate(TYPE_COUNTER, family, labels, help);
    }

    /** A value that goes up and down, set by its single owner. */
    public synchronized AtomicCounter gauge(final String family, final String labels, final String help)
    {
        return allocate(TYPE_GAUGE, family, labels, help);
    }

    /**
     * A latency histogram of {@code family} (its name ends in {@code _seconds}), {@code labels} as for a counter, with
     * buckets at {@code boundsSeconds} (ascending) and +Inf.
     */
    public synchronized Histogram histogram(
        final String family, final String labels, final String help, final double[] boundsSeconds)
    {
        final String previous = helpByFamily.putIfAbsent(family, help);
        if (previous != null && !previous.equals(help))
        {
            throw new IllegalArgumentException("metric family " + family + " registered with two help texts");
        }
        final String prefix = labels.isEmpty() ? "" : labels + ",";
        final long[] boundsMicros = new long[boundsSeconds.length];
        final AtomicCounter[] buckets = new AtomicCounter[boundsSeconds.length + 1];
        for (int i = 0; i < boundsSeconds.length; i++)
        {
            boundsMicros[i] = Math.round(boundsSeconds[i] * 1_000_000);
            buckets[i] = countersManager.newCounter(
                family + "_bucket{" + prefix + "le=\"" + BigDecimal.valueOf(boundsSeconds[i]).toPlainString() + "\"}",
                TYPE_HISTOGRAM_BUCKET);
        }
        buckets[boundsSeconds.length] =
            countersManager.newCounter(family + "_bucket{" + prefix + "le=\"+Inf\"}", TYPE_HISTOGRAM_BUCKET);
        final String series = labels.isEmpty() ? "" : "{" + labels + "}";
        return new Histogram(boundsMicros, buckets,
            countersManager.newCounter(family + "_sum" + series, TYPE_HISTOGRAM_SUM_MICROS),
            countersManager.newCounter(family + "_count" + series, TYPE_HISTOGRAM_COUNT));
    }

    public CountersReader reader()
    {
        return countersManager;
    }

    public synchronized String helpOf(final String family)
    {
        return helpByFamily.get(family);
    }

    private AtomicCounter allocate(final int type, final String family, final String labels, final String help)
    {
        final String previous = helpByFamily.putIfAbsent(family, help);
        if (previous != null && !previous.equals(help))
        {
            throw new IllegalArgumentException("metric family " + family + " registered with two help texts");
        }
        final String series = labels.isEmpty() ? family : family + "{" + labels + "}";
        return countersManager.newCounter(series, type);
    }
}
