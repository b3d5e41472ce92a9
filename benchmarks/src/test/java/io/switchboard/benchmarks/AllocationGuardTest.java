package io.switchboard.benchmarks;

import org.junit.jupiter.api.Test;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails the build when a hot path allocates: runs the hot-path benchmarks briefly and checks the bytes their own
 * threads allocate per operation ({@link WorkerAllocationProfiler}, blind to other threads however busy the machine).
 * Allocation per operation is deterministic, so this is a guard on behaviour, not a timing, and a few short
 * iterations after a warmup in which C2 compiles the path give the figure a long run gives. The smallest object is
 * 16 bytes, so any allocation per operation shows as at least 16 B/op; the bound leaves room for JMH's own
 * bookkeeping per iteration, amortised over the iteration's operations.
 */
class AllocationGuardTest
{
    private static final double MAX_BYTES_PER_OPERATION = 8.0;

    /**
     * The engine's per-datagram work (ICE and pulse decode/encode and the handler's steady-state paths) and the
     * PeerJS relay rewrite (read a client frame, write the relayed one).
     */
    private static final String HOT_PATHS = "IceCodecBenchmark|IceHandlerBenchmark\\.(heartbeatCached|query)|" +
        "IcePeerTableBenchmark|PulseHandlerBenchmark|PulseCodecBenchmark|PeerJsRelayBenchmark\\.(relay|read)";
    private static final int HOT_PATH_BENCHMARKS = 18;

    @Test
    void hotPathsAllocateNothingPerOperation() throws Exception
    {
        final Options options = new OptionsBuilder()
            .include(HOT_PATHS)
            .addProfiler(WorkerAllocationProfiler.class)
            .forks(1)
            .warmupIterations(1)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(3)
            .measurementTime(TimeValue.milliseconds(300))
            .param("domains", "10000")
            .param("clients", "10000")
            .verbosity(VerboseMode.SILENT)
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        assertEquals(HOT_PATH_BENCHMARKS, results.size(), "every hot-path benchmark ran");
        final List<String> allocating = new ArrayList<>();
        for (final RunResult result : results)
        {
            final Result<?> allocation = result.getSecondaryResults().get(WorkerAllocationProfiler.RESULT);
            final String name = result.getParams().getBenchmark();
            final double allowed = MAX_BYTES_PER_OPERATION;
            if (allocation == null)
            {
                allocating.add(name + ": no allocation figure");
            }
            else if (allocation.getScore() > allowed)
            {
                allocating.add(name + ": " + allocation.getScore() + " B/op, allowed " + allowed);
            }
        }
        assertTrue(allocating.isEmpty(), "hot paths allocate: " + allocating);
    }
}
