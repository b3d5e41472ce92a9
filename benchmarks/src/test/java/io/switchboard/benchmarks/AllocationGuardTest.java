package io.switchboard.benchmarks;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails the build when a hot path allocates: runs the hot-path benchmarks briefly under JMH's GC profiler and checks
 * bytes allocated per operation. Allocation per operation is deterministic, so this is a guard on behaviour, not a
 * timing. The smallest object is 16 bytes, so any allocation per operation shows as at least 16 B/op; the profiler
 * counts every thread, and the few bytes per operation below the bound are Chronicle's housekeeping threads,
 * amortised over the slower handler operations (JFR's allocation samples find nothing on the benchmark thread).
 */
class AllocationGuardTest
{
    private static final double MAX_BYTES_PER_OPERATION = 8.0;

    /** The engine's per-datagram work: ICE and pulse decode/encode and the handler's steady-state paths. */
    private static final String HOT_PATHS =
        "IceCodecBenchmark|IceHandlerBenchmark\\.(heartbeatCached|query)|IcePeerTableBenchmark|PulseHandlerBenchmark";

    @Test
    void hotPathsAllocateNothingPerOperation() throws Exception
    {
        final Options options = new OptionsBuilder()
            .include(HOT_PATHS)
            .addProfiler(GCProfiler.class)
            .forks(1)
            .warmupIterations(2)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(2)
            .measurementTime(TimeValue.seconds(1))
            .param("domains", "10000")
            .param("clients", "10000")
            .verbosity(VerboseMode.SILENT)
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        assertTrue(results.size() >= 9, "every hot-path benchmark ran: " + results.size());
        final List<String> allocating = new ArrayList<>();
        for (final RunResult result : results)
        {
            final Result<?> allocation = result.getSecondaryResults().get("gc.alloc.rate.norm");
            final String name = result.getParams().getBenchmark();
            if (allocation == null)
            {
                allocating.add(name + ": no allocation figure");
            }
            else if (allocation.getScore() > MAX_BYTES_PER_OPERATION)
            {
                allocating.add(name + ": " + allocation.getScore() + " B/op");
            }
        }
        assertTrue(allocating.isEmpty(), "hot paths allocate: " + allocating);
    }
}
