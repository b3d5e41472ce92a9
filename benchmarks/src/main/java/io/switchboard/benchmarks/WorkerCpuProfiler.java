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
 * CPU time (user + system) per operation of the benchmark's own worker threads, in microseconds: on a machine shared
 * with other work the wall time per operation counts the time the worker waited for a core, its CPU time does not.
 * {@code openssl speed} divides by CPU time too, so the two compare ({@code -prof
 * io.switchboard.benchmarks.WorkerCpuProfiler}).
 */
public final class WorkerCpuProfiler implements InternalProfiler
{
    public static final String RESULT = "worker.cpu";

    private static final String WORKER_NAME = "jmh-worker";

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private long[] workers = new long[0];
    private long[] cpuBeforeNs = new long[0];

    @Override
    public String getDescription()
    {
        return "CPU time per operation of the benchmark's worker threads";
    }

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
        workers = Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(info -> info != null && info.getThreadName().contains(WORKER_NAME))
            .mapToLong(ThreadInfo::getThreadId)
            .toArray();
        cpuBeforeNs = threads.getThreadCpuTime(workers);
    }

    @Override
    public Collection<? extends Result> afterIteration(
        final BenchmarkParams benchmarkParams, final IterationParams iterationParams, final IterationResult result)
    {
        final long[] cpuAfterNs = threads.getThreadCpuTime(workers);
        long cpuNs = 0;
        for (int i = 0; i < workers.length; i++)
        {
            // -1: a worker that ended during the iteration; JMH keeps its workers for the whole trial.
            if (cpuBeforeNs[i] >= 0 && cpuAfterNs[i] >= 0)
            {
                cpuNs += cpuAfterNs[i] - cpuBeforeNs[i];
            }
        }
        final long operations = result.getMetadata() == null ? 0 : result.getMetadata().getAllOps();
        final double perOperationUs = workers.length == 0 || operations == 0 ?
            Double.NaN : cpuNs / 1_000.0 / operations;
        return List.of(new ScalarResult(RESULT, perOperationUs, "us/op", AggregationPolicy.AVG));
    }
}
