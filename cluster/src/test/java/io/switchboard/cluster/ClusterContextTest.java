package io.switchboard.cluster;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterContextTest
{
    @Test
    void eachMemberUsesItsPortAndTheNextFourInTheDocumentedOrder()
    {
        final ClusterContext context = new ClusterContext()
            .members("10.0.0.1:9000,10.0.0.2:9000").nodeIndex(1).clusterDir(new File("/tmp/x")).conclude();
        assertEquals("0,10.0.0.1:9000,10.0.0.1:9001,10.0.0.1:9002,10.0.0.1:9003,10.0.0.1:9004|"
            + "1,10.0.0.2:9000,10.0.0.2:9001,10.0.0.2:9002,10.0.0.2:9003,10.0.0.2:9004", context.aeronClusterMembers());
        assertEquals("0=10.0.0.1:9000,1=10.0.0.2:9000", context.ingressEndpoints());
        assertEquals(0, context.effectiveFileSyncLevel());
        assertTrue(context.aeronDir().startsWith("/dev/shm/switchboard-cluster-1-"));
    }

    @Test
    void aSingleNodeSyncsItsLogByDefault()
    {
        assertEquals(1, new ClusterContext().members("127.0.0.1:9000").clusterDir(new File("/tmp/x")).conclude()
            .effectiveFileSyncLevel());
    }

    @Test
    void badMembersAndNodeIndexesAreRefusedWithTheSettingNamed()
    {
        final File dir = new File("/tmp/x");
        assertThrows(IllegalArgumentException.class,
            () -> new ClusterContext().members("127.0.0.1:9000,127.0.0.1:9003").clusterDir(dir).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ClusterContext().members("127.0.0.1").clusterDir(dir).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ClusterContext().members("127.0.0.1:65534").clusterDir(dir).conclude());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new ClusterContext().members("127.0.0.1:9000").nodeIndex(1).clusterDir(dir).conclude());
        assertTrue(ex.getMessage().contains("cluster node"), ex.getMessage());
    }

    @Test
    void theSnapshotIntervalIsReadAsMillisecondsOrWithAUnit()
    {
        assertEquals(600_000, ClusterContext.parseInterval("cluster snapshot interval", "600000"));
        assertEquals(600_000, ClusterContext.parseInterval("cluster snapshot interval", "600000ms"));
        assertEquals(600_000, ClusterContext.parseInterval("cluster snapshot interval", "600s"));
        assertEquals(600_000, ClusterContext.parseInterval("cluster snapshot interval", "10m"));
        assertEquals(3_600_000, ClusterContext.parseInterval("cluster snapshot interval", "1h"));
        assertEquals(0, ClusterContext.parseInterval("cluster snapshot interval", "0"));
        for (final String bad : new String[] {"", "m", "10 m", "10min", "-5s", "1.5m"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> ClusterContext.parseInterval("cluster snapshot interval", bad), bad);
            assertTrue(ex.getMessage().contains("cluster snapshot interval"), ex.getMessage());
        }
        assertEquals(ClusterContext.DEFAULT_SNAPSHOT_INTERVAL_MS,
            new ClusterContext().members("127.0.0.1:9000").clusterDir(new File("/tmp/x")).conclude()
                .snapshotIntervalMs());
        assertThrows(IllegalArgumentException.class, () -> new ClusterContext().members("127.0.0.1:9000")
            .clusterDir(new File("/tmp/x")).retainedSnapshots(0).conclude());
    }

    @Test
    void theIoThreadSleepsItsParkWheneverACycleFindsNothingAndZeroBacksOffAsTheOthers()
    {
        final ClusterContext context =
            new ClusterContext().members("127.0.0.1:9000").clusterDir(new File("/tmp/x")).ioParkUs(2_000).conclude();
        final IdleStrategy io = context.newIoIdleStrategy();
        assertInstanceOf(SleepingIdleStrategy.class, io);
        final long start = System.nanoTime();
        io.idle(1); // a cycle that did something: no sleep
        final long afterWork = System.nanoTime();
        io.idle(0);
        final long afterNothing = System.nanoTime();
        assertTrue(afterNothing - afterWork >= TimeUnit.MICROSECONDS.toNanos(2_000), "not early");
        assertTrue(afterWork - start < TimeUnit.MICROSECONDS.toNanos(2_000), "a busy cycle does not sleep");
        assertInstanceOf(BackoffIdleStrategy.class, new ClusterContext().members("127.0.0.1:9000")
            .clusterDir(new File("/tmp/x")).ioParkUs(0).conclude().newIoIdleStrategy());
        assertEquals(ClusterContext.DEFAULT_IO_PARK_US, new ClusterContext().ioParkUs());
        assertThrows(IllegalArgumentException.class, () -> new ClusterContext().members("127.0.0.1:9000")
            .clusterDir(new File("/tmp/x")).ioParkUs(-1).conclude());
    }
}
