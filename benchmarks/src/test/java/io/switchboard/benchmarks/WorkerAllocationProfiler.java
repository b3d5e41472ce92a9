package io.switchboard.benchmarks;

import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Bytes allocated per operation by the benchmark's own worker threads only, the least of the measured iterations.
 * JMH's GC profiler counts every thread, so Chronicle's housekeeping threads show up as allocation whenever a busy
 * machine slows the operations down; the worker threads' own count is exact whatever else runs. A path that allocates
 * per operation does so in every iteration, while a one-off on the worker (a deoptimisation, a table growing) lands
 * in one iteration only, hence the minimum.
 */
public final class WorkerAllocationProfiler extends WorkerThreadsProfiler
{
    static final String RESULT = "worker.alloc.norm";

    @Override
    public String getDescription()
    {
        return "bytes allocated per operation by the benchmark's worker threads";
    }

    @Override
    long[] read(final long[] threadIds)
    {
        return threads.getThreadAllocatedBytes(threadIds);
    }

    @Override
    Result<?> result(final double perOperation)
    {
        return new ScalarResult(RESULT, perOperation, "B/op", AggregationPolicy.MIN);
    }
}
