package io.switchboard.benchmarks;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Bytes allocated per operation by the benchmark's own worker threads only, the least of the measured iterations.
 * JMH's GC profiler counts every thread, so Chronicle's housekeeping threads show up as allocation whenever a busy
 * machine slows the operations down; the worker threads' own count is exact whatever else runs. A path that allocates
 * per operation does so in every iteration, while a one-off on the worker (a deoptimisation, a table growing) lands
 * in one iteration only, hence the minimum.
 */
public final class WorkerAllocationProfiler implements InternalProfiler
{
    static final String RESULT = "worker.alloc.norm";

    private static final String WORKER_NAME = "jmh-worker";

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private long[] workers = new long[0];
    private long[] allocatedBefore = new long[0];

    @Override
    public String getDescription()
    {
        return "bytes allocated per operation by the benchmark's worker threads";
    }

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
        workers = Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(info -> info != null && info.getThreadName().contains(WORKER_NAME))
            .mapToLong(ThreadInfo::getThreadId)
            .toArray();
        allocatedBefore = threads.getThreadAllocatedBytes(workers);
    }

    @Override
    public Collection<? extends Result> afterIteration(
        final BenchmarkParams benchmarkParams, final IterationParams iterationParams, final IterationResult result)
    {
        final long[] allocatedAfter = threads.getThreadAllocatedBytes(workers);
        long allocated = 0;
        for (int i = 0; i < workers.length; i++)
        {
            // -1: a worker that ended during the iteration; JMH keeps its workers for the whole trial.
            if (allocatedBefore[i] >= 0 && allocatedAfter[i] >= 0)
            {
                allocated += allocatedAfter[i] - allocatedBefore[i];
            }
        }
        final long operations = result.getMetadata() == null ? 0 : result.getMetadata().getAllOps();
        final double perOperation = workers.length == 0 || operations == 0 ?
            Double.NaN : (double)allocated / operations;
        return List.of(new ScalarResult(RESULT, perOperation, "B/op", AggregationPolicy.MIN));
    }
}
