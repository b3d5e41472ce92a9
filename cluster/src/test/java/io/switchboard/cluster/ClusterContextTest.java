package io.switchboard.cluster;

import org.junit.jupiter.api.Test;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
