package io.switchboard.engine.metrics;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * A latency histogram served at /metrics in Prometheus's histogram form ({@code _bucket{le=...}}, {@code _sum},
 * {@code _count}, in seconds): one Agrona counter per bucket (each holding only its own observations; the text is
 * cumulative), one for the sum in microseconds and one for the count. Recording is two or three atomic adds, no
 * allocation; any thread may record.
 */
public final class Histogram
{
    /** Bucket bounds in seconds for request and relay times: 100 µs to 10 s. */
    public static final double[] LATENCY_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final long[] boundsMicros;
    /** One per bound, then +Inf. */
    private final AtomicCounter[] buckets;
    private final AtomicCounter sumMicros;
    private final AtomicCounter count;

    Histogram(final long[] boundsMicros, final AtomicCounter[] buckets, final AtomicCounter sumMicros,
        final AtomicCounter count)
    {
        this.boundsMicros = boundsMicros;
        this.buckets = buckets;
        this.sumMicros = sumMicros;
        this.count = count;
    }

    /** One observation of {@code micros}. */
    public void recordMicros(final long micros)
    {
        record(micros, 1);
    }

    /** {@code times} observations of {@code micros} each. */
    public void record(final long micros, final long times)
    {
        int bucket = 0;
        while (bucket < boundsMicros.length && micros > boundsMicros[bucket])
        {
            bucket++;
        }
        buckets[bucket].getAndAdd(times);
        sumMicros.getAndAdd(micros * times);
        count.getAndAdd(times);
    }

    /** Observations so far (for tests). */
    public long count()
    {
        return count.get();
    }
}
