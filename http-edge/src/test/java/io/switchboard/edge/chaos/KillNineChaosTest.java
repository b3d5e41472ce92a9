package io.switchboard.edge.chaos;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 at random moments under a write load (temporary domains, key uploads and heartbeats; rendezvous
 * registrations and pulses), restart on the same data dir, and compare with the ledger of acknowledged writes:
 * every 2xx is there after the restart, and a kill -9 never makes the appliance refuse to start.
 * <p>
 * A kill inside an update of a domain or client (a heartbeat PUT, a key upload, a pulse) tears its entry, which
 * Chronicle's recovery drops; the table's intent journal must bring the record back.
 * <p>
 * {@code -Dchaos.kills=N} (default 5) sets the number of kills, {@code -Dchaos.seed=S} replays the printed seed's
 * kill moments (thread scheduling is not replayed); {@code benchmarks/run-chaos.sh} runs a long one.
 */
class KillNineChaosTest
{
    private static final int KILLS = Integer.getInteger("chaos.kills", 5);
    private static final long SEED = Long.getLong("chaos.seed", System.nanoTime());
    /** Each life is killed this long after its ready line, uniformly at random. */
    private static final int MIN_LIFE_MS = 20;
    private static final int MAX_LIFE_MS = 1_000;
    private static final long START_TIMEOUT_S = 90;
    private static final Path FAILURES = Path.of("target", "chaos-failures");
    /** Every life's stderr, appended: the journal's log lines say how often a kill tore a record. */
    private static final Path STDERR = Path.of("target", "chaos-stderr-" + SEED + ".log");
    private static final Pattern RESTORED =
        Pattern.compile("; (\\d+) records were written again from the intent journal");

    @TempDir
    Path dataDir;

    @Test
    void everyAcknowledgedWriteSurvivesKillNineAtRandomMomentsAndTheApplianceAlwaysStartsAgain() throws Exception
    {
        System.out.println("chaos: seed=" + SEED + " kills=" + KILLS + " (replay with -Dchaos.seed=" + SEED + ")");
        final Random random = new Random(SEED);
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        final AcknowledgedWrites ledger = new AcknowledgedWrites(generator.generateKeyPair().getPublic().getEncoded());
        for (int life = 1; life <= KILLS; life++)
        {
            final WriteLoad load;
            try (ApplianceProcess appliance = restart(life))
            {
                assertAllThere(ledger, life - 1, appliance);
                load = WriteLoad.start(ledger, life, address(appliance, "metaverse"), address(appliance, "rendezvous"),
                    address(appliance, "pulse"));
                Thread.sleep(MIN_LIFE_MS + random.nextInt(MAX_LIFE_MS - MIN_LIFE_MS));
                appliance.kill();
            }
            load.stop();
            assertEquals(List.of(), load.refusals(), "the living appliance refused writes (seed " + SEED + ")");
        }

        try (ApplianceProcess appliance = restart(KILLS + 1))
        {
            assertAllThere(ledger, 1, appliance);
            assertTrue(ledger.domainCount() > 0 && ledger.clientCount() > 0, "the load wrote nothing");
            System.out.println("chaos: seed=" + SEED + " kills=" + KILLS + " acknowledged domains=" +
                ledger.domainCount() + " clients=" + ledger.clientCount() + ", all there after every restart; " +
                restored() + " torn records written again from the intent journals (" + STDERR + ")");
            assertEquals(143, appliance.terminate(), "a clean stop after the last restart");
        }
    }

    private static void assertAllThere(
        final AcknowledgedWrites ledger, final int fromLife, final ApplianceProcess appliance)
        throws IOException, InterruptedException
    {
        final List<String> missing =
            ledger.check(fromLife, address(appliance, "metaverse"), address(appliance, "rendezvous"));
        assertEquals(List.of(), missing.subList(0, Math.min(20, missing.size())),
            missing.size() + " acknowledged writes missing after a kill -9 (seed " + SEED + ")");
    }

    private static long restored() throws IOException
    {
        final Matcher matcher = RESTORED.matcher(Files.readString(STDERR));
        long records = 0;
        while (matcher.find())
        {
            records += Long.parseLong(matcher.group(1));
        }
        return records;
    }

    /** Starts life {@code life} on the data dir; a start that fails or hangs keeps a copy of the dir and fails. */
    private ApplianceProcess restart(final int life) throws Exception
    {
        final Set<Long> before = children();
        final CompletableFuture<ApplianceProcess> started = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return ApplianceProcess.start(ProcessBuilder.Redirect.appendTo(STDERR.toFile()), options(dataDir));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
        try
        {
            return started.get(START_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // A hung start holds its reader: end the child this start launched, and no other process.
            children().stream().filter(pid -> !before.contains(pid))
                .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            final Path kept = keepDataDir(life);
            return fail("the appliance did not start after kill -9 number " + (life - 1) + " (seed " + SEED +
                "): " + (ex instanceof TimeoutException ? "no ready line in " + START_TIMEOUT_S + " s" :
                ex.getCause().getMessage()) + "; its data dir is kept in " + kept + "; " + whyNotStarted(kept), ex);
        }
    }

    /** The child's stderr is not kept: start a copy of the data dir in this JVM for the reason it gives. */
    private static String whyNotStarted(final Path kept) throws Exception
    {
        final Path copy = Files.createTempDirectory("chaos-retry");
        copyTree(kept, copy);
        final CompletableFuture<String> retry = CompletableFuture.supplyAsync(() ->
        {
            try (Appliance appliance = Appliance.start(Options.parse(options(copy))))
            {
                return "a copy of it starts in-process: " + appliance.readyLine();
            }
            catch (final RuntimeException ex)
            {
                return "a copy of it refuses to start in-process: " + ex;
            }
        });
        try
        {
            return retry.get(START_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            return "a copy of it hangs in-process too";
        }
    }

    /** No rate limit in the way of the writers, and no deadline forgets a client or domain within a run. */
    private static String[] options(final Path dir)
    {
        return AnyPorts.with("--data-dir=" + dir, "--pulse-register-grace-ms=3600000", "--pulse-ttl-ms=3600000",
            "--pulse-error-time-ms=3600000",
            "--temp-domain-rate=1000000", "--temp-domain-burst=1000000",
            "--rendezvous-register-rate=1000000", "--rendezvous-register-burst=1000000",
            "--pulse-max-clients=200000", "--metaverse-max-domains=50000");
    }

    private Path keepDataDir(final int life) throws IOException
    {
        final Path target = FAILURES.resolve("seed-" + SEED + "-life-" + life).toAbsolutePath();
        copyTree(dataDir, target);
        return target;
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : files.collect(Collectors.toList()))
            {
                final Path copy = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(copy);
                }
                else
                {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static Set<Long> children()
    {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static InetSocketAddress address(final ApplianceProcess appliance, final String listener)
    {
        return new InetSocketAddress("127.0.0.1", appliance.port(listener));
    }
}
