package io.switchboard.cluster;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster of one under a steady write load, with snapshots every {@link #INTERVAL_MS} and small archive segments:
 * the cluster dir's disk use stays under a ceiling while the log written grows well past it, and a node restarted
 * from the purged dir loads the latest snapshot and replays only the rest, to the same state.
 */
class BoundedDiskTest
{
    private static final long WAIT_MS = 20_000;
    private static final long INTERVAL_MS = 250;
    /** A steady load: this many commands a second (about 700 bytes of log each), whatever the box could do. */
    private static final int COMMANDS_PER_SECOND = 5_000;
    private static final int TERM_LENGTH = 64 * 1024;
    private static final int SEGMENT_LENGTH = 4 * TERM_LENGTH;
    private static final int KEYS = 200;
    private static final int WINDOW = 16;
    /** The log written must reach this many times the ceiling before the load stops. */
    private static final int WRITTEN_OVER_CEILING = 3;
    /** About 1.1 MiB of fixed files, and at most three intervals of log, two snapshots and a segment or two. */
    private static final long CEILING_BYTES = 8L << 20;
    private static final long MAX_LOAD_MS = 30_000;

    @TempDir
    Path dir;

    private final String aeronDir = "/dev/shm/switchboard-test-" + UUID.randomUUID();
    private ClusterNode node;
    private ClusterRegistryLog log;

    @AfterEach
    void close()
    {
        if (log != null)
        {
            log.close();
        }
        if (node != null)
        {
            node.close();
        }
        IoUtil.delete(new File(aeronDir), true);
    }

    @Test
    void theClusterDirStaysUnderACeilingAndARestartLoadsTheLatestSnapshotAndReplaysTheRest() throws Exception
    {
        final ClusterContext context = new ClusterContext()
            .members("127.0.0.1:" + FreePorts.base(ClusterContext.PORTS_PER_MEMBER))
            .clusterDir(dir.toFile())
            .aeronDir(aeronDir)
            .clientTimeoutMs(WAIT_MS)
            .termLength(TERM_LENGTH)
            .clientTermLength(TERM_LENGTH)
            .segmentFileLength(SEGMENT_LENGTH)
            .snapshotIntervalMs(INTERVAL_MS)
            .fileSyncLevel(0)
            .conclude();
        final ToyMapMachine machine = new ToyMapMachine();
        start(context, machine);
        assertTrue(node.awaitJoined(WAIT_MS), "a cluster of one leads itself");

        final String value = "v".repeat(600);
        final Semaphore inFlight = new Semaphore(WINDOW);
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong lastPosition = new AtomicLong();
        long maxDiskBytes = 0;
        long nextSampleMs = 0;
        int sent = 0;
        final long startMs = System.currentTimeMillis();
        while (lastPosition.get() < WRITTEN_OVER_CEILING * CEILING_BYTES)
        {
            assertTrue(System.currentTimeMillis() - startMs < MAX_LOAD_MS,
                "the load wrote only " + lastPosition.get() + " bytes of log in " + MAX_LOAD_MS + " ms");
            final long aheadMs = sent * 1_000L / COMMANDS_PER_SECOND - (System.currentTimeMillis() - startMs);
            if (aheadMs > 0)
            {
                Thread.sleep(aheadMs);
            }
            inFlight.acquire();
            final DirectBuffer body = ToyMapMachine.putBody("k" + (sent % KEYS), value + sent);
            sent++;
            log.submit(ToyMapMachine.PUT, body, 0, body.capacity()).whenComplete((result, error) ->
            {
                if (error == null)
                {
                    lastPosition.accumulateAndGet(result.logPosition(), Math::max);
                }
                else
                {
                    failed.incrementAndGet();
                }
                inFlight.release();
            });
            final long nowMs = System.currentTimeMillis();
            if (nowMs >= nextSampleMs)
            {
                nextSampleMs = nowMs + 100;
                maxDiskBytes = Math.max(maxDiskBytes, diskBytes(dir));
            }
        }
        inFlight.acquire(WINDOW);
        final long loadMs = System.currentTimeMillis() - startMs;
        final long snapshots = node.health().snapshots();
        final long ageMs = node.health().snapshotAgeMs(System.currentTimeMillis());
        System.out.println("bounded disk: " + sent + " commands, " + lastPosition.get() / 1024 + " KiB of log in "
            + loadMs + " ms; " + snapshots + " snapshots; cluster dir at most " + maxDiskBytes / 1024 + " KiB, "
            + diskBytes(dir) / 1024 + " KiB at the end; last snapshot " + ageMs + " ms ago");
        assertEquals(0, failed.get());
        assertTrue(maxDiskBytes <= CEILING_BYTES, "cluster dir grew to " + maxDiskBytes + " bytes");
        assertTrue(snapshots >= 3, "snapshots taken on schedule: " + snapshots);
        assertTrue(ageMs >= 0 && ageMs <= INTERVAL_MS + 2_000, "the last snapshot is " + ageMs + " ms old");

        final long checksum = machine.checksum();
        log.close();
        node.close();

        final ToyMapMachine restarted = new ToyMapMachine();
        start(context, restarted);
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (restarted.checksum() != checksum && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(checksum, restarted.checksum(), "the restarted replica equals the one before");
        assertEquals(1, restarted.snapshotsLoaded());
        assertTrue(restarted.applies() < sent / 2,
            "replayed " + restarted.applies() + " of " + sent + " commands: only what follows the snapshot");
        assertTrue(node.awaitJoined(WAIT_MS));
        assertTrue(node.health().snapshotAgeMs(System.currentTimeMillis()) >= 0,
            "the snapshot's time is known after a restart, before this process took one");
    }

    private void start(final ClusterContext context, final ToyMapMachine machine)
    {
        final ClusterCounters counters = new ClusterCounters(new Metrics());
        node = ClusterNode.launch(context,
            new LogService(new CommandApplier(machine, new DedupWindow(), counters), counters),
            Throwable::printStackTrace, () -> {});
        log = new ClusterRegistryLog(context, node.aeronDirectoryName(), counters, Throwable::printStackTrace);
    }

    /** Bytes the dir's files take on disk (sparse segment files count what they hold), as du reports them. */
    static long diskBytes(final Path dir) throws IOException, InterruptedException
    {
        final Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
        final String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        du.waitFor(10, TimeUnit.SECONDS);
        return Long.parseLong(out.split("\\s+")[0]) * 1024;
    }
}
