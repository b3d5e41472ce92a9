package io.switchboard.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handler's first-contact heartbeat with the native provider allocates a provider's few objects, not the JDK
 * RSA's 6 KB: a guard on the choice of provider and on the verifier keeping its instance initialized. The bound is
 * behaviour (bytes per verification are deterministic), not a timing.
 */
class VerificationAllocationTest
{
    /** The native path measured 88-128 B; the JDK's 6,200-6,900 B. */
    private static final double MAX_BYTES_PER_VERIFICATION = 512;

    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
    void nativeFirstContactHeartbeatAllocatesAFewObjectsOnly() throws Exception
    {
        final Collection<RunResult> results = new Runner(new OptionsBuilder()
            .include("IceHandlerBenchmark\\.heartbeatFullVerification")
            .param("verifyProvider", "native")
            .addProfiler(WorkerAllocationProfiler.class)
            .forks(1)
            .warmupIterations(1)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(3)
            .measurementTime(TimeValue.milliseconds(300))
            .verbosity(VerboseMode.SILENT)
            .build()).run();
        assertEquals(1, results.size());
        final double bytes = results.iterator().next().getSecondaryResults()
            .get(WorkerAllocationProfiler.RESULT).getScore();
        assertTrue(bytes <= MAX_BYTES_PER_VERIFICATION, bytes + " B per first-contact heartbeat");
    }
}
