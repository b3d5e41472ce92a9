package io.switchboard.benchmarks;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A per-thread count (CPU time, bytes allocated) summed over the benchmark's own worker threads for each iteration and
 * divided by its operations: other threads (Chronicle's housekeeping, the machine's other work) never count.
 */
abstract class WorkerThreadsProfiler implements InternalProfiler
{
    private static final String WORKER_NAME = "jmh-worker";

    final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private long[] workers = new long[0];
    private long[] before = new long[0];

    /** The count of each thread, -1 for one that has ended. */
    abstract long[] read(long[] threadIds);

    /** The result of one iteration, {@code perOperation} NaN when nothing was measured. */
    abstract Result<?> result(double perOperation);

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
        workers = Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(info -> info != null && info.getThreadName().contains(WORKER_NAME))
            .mapToLong(ThreadInfo::getThreadId)
            .toArray();
        before = read(workers);
    }

    @Override
    public Collection<? extends Result> afterIteration(
        final BenchmarkParams benchmarkParams, final IterationParams iterationParams, final IterationResult result)
    {
        final long[] after = read(workers);
        long total = 0;
        for (int i = 0; i < workers.length; i++)
        {
            // -1: a worker that ended during the iteration; JMH keeps its workers for the whole trial.
            if (before[i] >= 0 && after[i] >= 0)
            {
                total += after[i] - before[i];
            }
        }
        final long operations = result.getMetadata() == null ? 0 : result.getMetadata().getAllOps();
        return List.of(result(workers.length == 0 || operations == 0 ? Double.NaN : (double)total / operations));
    }
}
