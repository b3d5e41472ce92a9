package io.switchboard.engine.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A histogram as Prometheus reads it: one family of TYPE histogram, cumulative buckets, the sum in seconds. */
class HistogramTextTest
{
    @Test
    void bucketsAreCumulativeTheSumIsInSecondsAndTheCountIsEveryObservation()
    {
        final Metrics metrics = new Metrics();
        final Histogram histogram = metrics.histogram("test_request_seconds", "listener=\"a\"", "Request time.",
            new double[] {0.001, 0.01});
        histogram.recordMicros(500);     // <= 1 ms
        histogram.recordMicros(1_000);   // <= 1 ms (the bound is inclusive)
        histogram.record(5_000, 3);      // <= 10 ms, three times
        histogram.recordMicros(250_000); // +Inf
        final List<String> lines = PrometheusText.render(metrics).lines().toList();
        assertEquals(List.of(
            "# HELP test_request_seconds Request time.",
            "# TYPE test_request_seconds histogram",
            "test_request_seconds_bucket{listener=\"a\",le=\"0.001\"} 2",
            "test_request_seconds_bucket{listener=\"a\",le=\"0.01\"} 5",
            "test_request_seconds_bucket{listener=\"a\",le=\"+Inf\"} 6",
            "test_request_seconds_sum{listener=\"a\"} 0.2665",
            "test_request_seconds_count{listener=\"a\"} 6"), lines);
        assertEquals(6, histogram.count());
    }

    @Test
    void twoLabelSetsOfOneFamilyAccumulateApart()
    {
        final Metrics metrics = new Metrics();
        final double[] bounds = {0.001};
        metrics.histogram("t_seconds", "l=\"a\"", "T.", bounds).recordMicros(10);
        metrics.histogram("t_seconds", "l=\"b\"", "T.", bounds).recordMicros(2_000);
        final String text = PrometheusText.render(metrics);
        assertTrue(text.contains("t_seconds_bucket{l=\"a\",le=\"+Inf\"} 1\n"), text);
        assertTrue(text.contains("t_seconds_bucket{l=\"b\",le=\"0.001\"} 0\n"), text);
        assertTrue(text.contains("t_seconds_bucket{l=\"b\",le=\"+Inf\"} 1\n"), text);
        assertEquals(1, text.lines().filter(line -> line.startsWith("# TYPE")).count());
    }
}
