package io.switchboard.edge.metaverse;

import io.switchboard.edge.testing.FiringTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When the running appliance removes a silent temporary domain, over real HTTP: not before the TTL, and within one
 * sweeper tick (1 s) after it, plus a scheduling margin for a loaded 2-core box.
 */
class TemporaryDomainTtlTimingTest
{
    private static final long TTL_MS = 2_000;
    private static final long SCHEDULING_MARGIN_MS = 500;

    @TempDir
    Path dataDir;

    private MetaverseAppliance appliance;

    @AfterEach
    void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    @Test
    void aSilentTemporaryDomainIsRemovedWithinOneTickOfItsTtl() throws Exception
    {
        appliance = MetaverseAppliance.start(dataDir, "--temp-domain-ttl=" + TTL_MS / 1000);
        final MetaverseHttp http = appliance.http();
        final long creating = FiringTime.now();
        final MetaverseHttp.Domain domain = http.createTemporary();
        final long createdMs = FiringTime.sinceMs(creating);

        final FiringTime.Window removed = FiringTime.await(creating, 60_000,
            () -> http.get("/api/v1/domains/" + domain.id()).status() == 404);
        assertTrue(removed.firedByMs() > TTL_MS, "removed early: " + removed);
        assertTrue(removed.notFiredAtMs() <= createdMs + TTL_MS + TemporaryDomainSweeper.TICK_MS + SCHEDULING_MARGIN_MS,
            "removed over a tick late: " + removed);
        assertEquals(1, appliance.metric("switchboard_metaverse_domains_removed_total{reason=\"expired\"}"));
    }
}
