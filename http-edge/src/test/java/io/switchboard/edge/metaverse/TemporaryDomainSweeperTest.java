package io.switchboard.edge.metaverse;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.table.TableFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When the sweeper removes a silent temporary domain, on a fake clock: the sweeps run at the times each one asks
 * for, and a domain goes at the first sweep after it has been silent longer than the TTL, at most one tick late.
 */
class TemporaryDomainSweeperTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long TTL_MS = 10_000;
    private static final long TICK_MS = TemporaryDomainSweeper.TICK_MS;

    @TempDir
    Path dir;

    private DomainRegistry registry;
    private TemporaryDomainSweeper sweeper;
    private final Map<UUID, Long> removedAt = new HashMap<>();
    private final List<Long> sweeps = new ArrayList<>();
    private long nowMs;

    @BeforeEach
    void open()
    {
        registry = new DomainRegistry(new TableFiles(dir), "domains.cm3", 1_024);
        final MetaverseCounters counters = new MetaverseCounters(new Metrics());
        sweeper = new TemporaryDomainSweeper(registry, (record, cutoffMs) ->
        {
            final DomainRecord stored = registry.get(record.id);
            final boolean removed = stored != null && stored.isSilentTemporary(cutoffMs) && registry.remove(record.id);
            if (removed)
            {
                removedAt.put(record.id, nowMs);
            }
            return removed;
        }, counters, TTL_MS, () -> nowMs, new Liveness(new Metrics()).register("sweeper"));
    }

    @AfterEach
    void close()
    {
        sweeper.close();
        registry.close();
    }

    private DomainRecord insert(final boolean temporary, final long createdMs)
    {
        final DomainRecord record = new DomainRecord(UUID.randomUUID());
        record.name = "amber-lion";
        record.apiKey = UUID.randomUUID().toString();
        record.temporary = temporary;
        record.whenCreatedMs = createdMs;
        assertTrue(registry.insert(record));
        return record;
    }

    /** Runs the sweeps the sweeper asks for, from {@code fromMs} until {@code untilMs}. */
    private void sweepFrom(final long fromMs, final long untilMs)
    {
        long next = fromMs;
        while (next <= untilMs)
        {
            nowMs = next;
            sweeps.add(nowMs);
            next = sweeper.sweep(nowMs);
            assertTrue(next > nowMs, "the next sweep is in the future");
        }
    }

    @Test
    void aSilentDomainGoesAtTheFirstSweepAfterItsTtlAndNeverBefore()
    {
        final DomainRecord domain = insert(true, T0 + 123);
        sweepFrom(T0, T0 + 60_000);
        final long deadline = T0 + 123 + TTL_MS;
        final long at = removedAt.get(domain.id);
        assertTrue(at > deadline, "removed " + (deadline - at) + " ms early");
        assertTrue(at <= deadline + TICK_MS, "removed " + (at - deadline) + " ms late");
        assertNull(registry.get(domain.id));
    }

    @Test
    void aHeartbeatMovesTheDeadlineAndTheSweepThatFindsItAliveAimsAtTheNewOne()
    {
        final DomainRecord domain = insert(true, T0);
        final long heartbeatMs = T0 + 7_000;
        nowMs = T0;
        long next = sweeper.sweep(nowMs);
        assertEquals(T0 + TTL_MS + 1, next);
        assertTrue(registry.mergeSoft(domain.id, heartbeatMs, 0, 0));
        nowMs = next;
        next = sweeper.sweep(nowMs);
        assertNotNull(registry.get(domain.id), "a heartbeat restarts the TTL");
        assertEquals(heartbeatMs + TTL_MS + 1, next);
        sweepFrom(next, T0 + 60_000);
        assertEquals(heartbeatMs + TTL_MS + 1, removedAt.get(domain.id));
    }

    @Test
    void domainsFallingDueOneByOneGoWithinATickAndTheRegistryIsScannedAtMostOnceATick()
    {
        final List<DomainRecord> domains = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            domains.add(insert(true, T0 + 37L * i));
        }
        final DomainRecord named = insert(false, T0);
        sweepFrom(T0, T0 + 60_000);
        for (final DomainRecord domain : domains)
        {
            final long deadline = domain.whenCreatedMs + TTL_MS;
            final long at = removedAt.get(domain.id);
            assertTrue(at > deadline && at <= deadline + TICK_MS, "removed at " + (at - deadline) + " ms");
        }
        for (int i = 1; i < sweeps.size(); i++)
        {
            assertTrue(sweeps.get(i) - sweeps.get(i - 1) >= TICK_MS, "sweeps " + sweeps);
        }
        assertNotNull(registry.get(named.id), "named domains never expire");
    }

    @Test
    void theAgentPolledEveryMillisecondSweepsExactlyWhenEachSweepAsked()
    {
        final DomainRecord domain = insert(true, T0 + 123);
        nowMs = T0;
        sweeper.firstSweepAt(T0);
        for (; nowMs <= T0 + 30_000; nowMs++)
        {
            sweeper.doWork();
        }
        // Swept at T0 (next: one TTL on, T0 + 10,001), then alive at T0 + 10,001 (next: one tick on, T0 + 11,001).
        assertEquals(T0 + 11_001, removedAt.get(domain.id));
    }

    @Test
    void theAgentPolledEveryIdleSleepSweepsAtMostOneSleepLate()
    {
        final DomainRecord domain = insert(true, T0 + 123);
        nowMs = T0;
        sweeper.firstSweepAt(T0);
        for (nowMs = T0 + 37; nowMs <= T0 + 30_000; nowMs += TemporaryDomainSweeper.IDLE_SLEEP_MS)
        {
            sweeper.doWork();
        }
        final long deadline = T0 + 123 + TTL_MS;
        final long at = removedAt.get(domain.id);
        assertTrue(at > deadline, "removed " + (deadline - at) + " ms early");
        assertTrue(at <= deadline + TICK_MS + TemporaryDomainSweeper.IDLE_SLEEP_MS,
            "removed " + (at - deadline) + " ms late");
    }

    @Test
    void aDomainCreatedAfterASweepIsDueNoEarlierThanTheNextSweep()
    {
        nowMs = T0;
        final long next = sweeper.sweep(nowMs);
        assertTrue(next <= T0 + TTL_MS + 1, "an empty registry is swept again within one TTL");
        final DomainRecord domain = insert(true, T0 + 1);
        sweepFrom(next, T0 + 60_000);
        final long at = removedAt.get(domain.id);
        assertTrue(at > T0 + 1 + TTL_MS && at <= T0 + 1 + TTL_MS + TICK_MS, "removed at " + at);
    }
}
