package io.switchboard.benchmarks;

import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time (user + system) per operation of the benchmark's own worker threads, in microseconds: on a machine shared
 * with other work the wall time per operation counts the time the worker waited for a core, its CPU time does not.
 * {@code openssl speed} divides by CPU time too, so the two compare ({@code -prof
 * io.switchboard.benchmarks.WorkerCpuProfiler}).
 */
public final class WorkerCpuProfiler extends WorkerThreadsProfiler
{
    public static final String RESULT = "worker.cpu";

    @Override
    public String getDescription()
    {
        return "CPU time per operation of the benchmark's worker threads";
    }

    @Override
    long[] read(final long[] threadIds)
    {
        return threads.getThreadCpuTime(threadIds);
    }

    @Override
    Result<?> result(final double perOperation)
    {
        return new ScalarResult(RESULT, perOperation / 1_000.0, "us/op", AggregationPolicy.AVG);
    }
}
