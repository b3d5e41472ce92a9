package io.switchboard.cluster;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.nio.TransportPoller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster of one, embedded in the test JVM: the default shape, where the gateway talks to the node over IPC. */
class SingleNodeClusterTest
{
    private static final long WAIT_MS = 20_000;

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
    void commandsAreCommittedAppliedOnceAndAnsweredAndTheStateSurvivesARestartFromItsSnapshot() throws Exception
    {
        final ClusterContext context = oneMember();
        final ClusterCounters counters = new ClusterCounters(new Metrics());
        final ToyMapMachine machine = new ToyMapMachine();
        start(context, machine, counters);
        assertTrue(node.awaitJoined(WAIT_MS), "a cluster of one joins itself");
        final ClusterHealth.View joined = node.health().view(System.currentTimeMillis());
        assertEquals(ClusterHealth.Role.LEADER, joined.role());
        assertEquals(0, joined.leader());
        assertTrue(joined.working());
        assertTrue(joined.term() >= 0, "a term: " + joined);
        assertEquals(1, joined.memberCount());
        assertEquals(ClusterHealth.NO_SNAPSHOT, joined.snapshotAgeMs(), "no snapshot yet: " + joined);

        final ToyMapMachine reference = new ToyMapMachine();
        final LocalRegistryLog local = new LocalRegistryLog(
            new CommandApplier(reference, new DedupWindow(), new ClusterCounters(new Metrics())), 0,
            SystemEpochClock.INSTANCE);

        final CommandResult first = both(local, ToyMapMachine.PUT, ToyMapMachine.putBody("a", "1"));
        assertEquals(ToyMapMachine.STORED, first.code());
        assertFalse(first.duplicate());
        assertEquals(ToyMapMachine.STORED, both(local, ToyMapMachine.PUT, ToyMapMachine.putBody("b", "2")).code());
        assertEquals(ToyMapMachine.STORED, both(local, ToyMapMachine.DELETE, ToyMapMachine.deleteBody("a")).code());
        final CommandResult absent = both(local, ToyMapMachine.DELETE, ToyMapMachine.deleteBody("a"));
        assertEquals(ToyMapMachine.ABSENT, absent.code());
        assertTrue(absent.logPosition() > first.logPosition());
        assertTrue(absent.commandId() > first.commandId());
        assertEquals(reference.checksum(), machine.checksum());
        assertEquals(1, machine.size());

        assertTrue(node.requestSnapshot());
        awaitTrue(() -> counters.snapshots.get() == 1, "a snapshot taken");
        assertEquals(ToyMapMachine.STORED, both(local, ToyMapMachine.PUT, ToyMapMachine.putBody("c", "3")).code());
        assertEquals(4 + 1, counters.acknowledged.get());
        assertTrue(node.health().commitPosition() >= absent.logPosition(), "the commit position covers the answers");
        final long ageMs = node.health().snapshotAgeMs(System.currentTimeMillis());
        assertTrue(ageMs >= 0 && ageMs < WAIT_MS, "the snapshot's age: " + ageMs);
        final ClusterHealth closedHealth = node.health();
        log.close();
        node.close();
        assertEquals(ClusterHealth.Role.STOPPED, closedHealth.role());
        assertFalse(closedHealth.working());
        assertEquals(ClusterHealth.NO_LEADER, closedHealth.leader());

        final ToyMapMachine restarted = new ToyMapMachine();
        start(context, restarted, new ClusterCounters(new Metrics()));
        awaitTrue(() -> restarted.size() == 2 && restarted.checksum() == reference.checksum(),
            "the restarted node's state equal to the reference");
        assertEquals(1, restarted.snapshotsLoaded());
        assertEquals(ToyMapMachine.STORED, both(local, ToyMapMachine.PUT, ToyMapMachine.putBody("d", "4")).code());
        assertEquals(reference.checksum(), restarted.checksum());
    }

    @Test
    void anAgentAddedToTheIoThreadRunsBesideTheDriverUntilItIsRemovedAndClosesThere() throws Exception
    {
        final ClusterContext context = oneMember();
        final ClusterCounters counters = new ClusterCounters(new Metrics());
        start(context, new ToyMapMachine(), counters);
        assertTrue(node.awaitJoined(WAIT_MS), "the driver works: the cluster of one joins through it");
        final AtomicInteger cycles = new AtomicInteger();
        final AtomicReference<String> thread = new AtomicReference<>();
        final AtomicReference<String> closedOn = new AtomicReference<>();
        final Agent agent = new Agent()
        {
            @Override
            public int doWork()
            {
                thread.set(Thread.currentThread().getName());
                cycles.incrementAndGet();
                return 0;
            }

            @Override
            public void onClose()
            {
                // a slow close: the composite marks the removal done before it closes, so remove must wait for this
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                closedOn.set(Thread.currentThread().getName());
            }

            @Override
            public String roleName()
            {
                return "probe";
            }
        };
        assertEquals(0, TransportPoller.ITERATION_THRESHOLD, "the driver's pollers select once per cycle");
        node.addIoAgent(agent);
        awaitTrue(() -> cycles.get() > 10, "the added agent's duty cycles");
        assertEquals(ClusterNode.IO_THREAD, thread.get());
        assertTrue(node.removeIoAgent(agent));
        assertEquals(ClusterNode.IO_THREAD, closedOn.get(), "closed on the I/O thread, before remove returns");
        final int after = cycles.get();
        Thread.sleep(50);
        assertEquals(after, cycles.get(), "no cycle once removed");
        final DirectBuffer put = ToyMapMachine.putBody("k", "v");
        assertEquals(ToyMapMachine.STORED,
            log.submit(ToyMapMachine.PUT, put, 0, put.capacity()).get(WAIT_MS, TimeUnit.MILLISECONDS).code(),
            "the driver still runs on that thread");
    }

    /** A cluster of one on free ports, in this test's dirs. */
    private ClusterContext oneMember()
    {
        return new ClusterContext()
            .members("127.0.0.1:" + FreePorts.base(ClusterContext.PORTS_PER_MEMBER))
            .clusterDir(dir.toFile())
            .aeronDir(aeronDir)
            .clientTimeoutMs(WAIT_MS)
            .conclude();
    }

    private void start(final ClusterContext context, final ToyMapMachine machine, final ClusterCounters counters)
    {
        node = ClusterNode.launch(context,
            new LogService(new CommandApplier(machine, new DedupWindow(), counters), counters),
            Throwable::printStackTrace, () -> {});
        log = new ClusterRegistryLog(context, node.aeronDirectoryName(), counters, Throwable::printStackTrace);
    }

    /** The same command through the cluster and through the local log: both answer the same. */
    private CommandResult both(final LocalRegistryLog local, final int type, final DirectBuffer body) throws Exception
    {
        final CommandResult clustered = log.submit(type, body, 0, body.capacity()).get(WAIT_MS, TimeUnit.MILLISECONDS);
        final CommandResult reference = local.submit(type, body, 0, body.capacity()).get();
        assertEquals(reference.code(), clustered.code());
        return clustered;
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
