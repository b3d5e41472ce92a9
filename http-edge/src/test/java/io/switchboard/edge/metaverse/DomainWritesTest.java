package io.switchboard.edge.metaverse;

import io.switchboard.edge.registry.Registry;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import io.switchboard.engine.table.TableFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DomainWrites} over a real registry log and state machine (the local one, on the caller's thread): a domain's
 * soft fields are offered at most once per soft-sync interval, to the millisecond; a durable change is written over the
 * revision it was made from and bumps it; an update that changes nothing commits nothing. (Removals tell the ICE
 * engine: MetaverseClusterTest and the operator tests cover them on the real appliance.)
 */
class DomainWritesTest
{
    private static final long SOFT_SYNC_MS = 30_000;
    private static final long T0 = 1_700_000_000_000L;
    private static final String APPLIED = "switchboard_cluster_commands_total{outcome=\"applied\"}";

    @TempDir
    Path dir;
    private final Metrics metrics = new Metrics();
    private DomainRegistry domains;
    private Registry registry;

    @BeforeEach
    void open()
    {
        domains = new DomainRegistry(new TableFiles(dir), "domains.cm3", 64);
        final MetaverseCounters counters = new MetaverseCounters(metrics);
        registry = Registry.local(metrics);
        // No key changes here: the engine's ring is never published to.
        registry.machine().attach(new DomainMachine(domains, new EngineKeys(null, counters), counters));
        registry.start();
    }

    @AfterEach
    void close()
    {
        registry.close();
        domains.close();
    }

    @Test
    void softFieldsAreOfferedAtMostOncePerIntervalPerDomain()
    {
        final DomainWrites writes = new DomainWrites(domains, registry, SOFT_SYNC_MS);
        final DomainRecord record = stored();
        final DomainRecord other = stored();

        writes.heardHeartbeat(record.id, T0);
        assertEquals(1, applied(), "the first heartbeat heard is offered at once");
        writes.heardHeartbeat(record.id, T0 + 1);
        writes.heardHeartbeat(record.id, T0 + SOFT_SYNC_MS - 1);
        assertEquals(1, applied(), "not again within the interval");
        writes.heardHeartbeat(other.id, T0 + 5);
        assertEquals(2, applied(), "each domain has its own interval");
        writes.heardHeartbeat(record.id, T0 + SOFT_SYNC_MS);
        assertEquals(3, applied(), "again once the interval has passed, to the millisecond");
    }

    @Test
    void theLocalRegistryOffersNoSoftFields()
    {
        final DomainWrites writes = new DomainWrites(domains, registry, DomainWrites.NO_SOFT_SYNC);
        writes.heardHeartbeat(stored().id, T0);
        assertEquals(0, applied());
    }

    @Test
    void aChangeIsCommittedOverItsRevisionAndNothingIsCommittedWhenNothingChanges()
    {
        final DomainWrites writes = new DomainWrites(domains, registry, DomainWrites.NO_SOFT_SYNC);
        final DomainRecord created = new DomainRecord(UUID.randomUUID());
        created.name = "amber-lion";
        created.temporary = true;
        assertNull(writes.create(created));
        assertEquals(DomainRecord.FIRST_REVISION, domains.get(created.id).revision);

        assertNull(writes.change(created.id, record ->
        {
            record.iceServerAddress = "192.0.2.1";
            return null;
        }));
        assertEquals(DomainRecord.FIRST_REVISION + 1, domains.get(created.id).revision);
        final long committed = applied();
        assertNull(writes.change(created.id, record -> DomainWrites.UNCHANGED));
        assertEquals(committed, applied(), "an unchanged record is not committed");
        assertEquals(Refusal.UNKNOWN_DOMAIN, writes.change(UUID.randomUUID(), record -> null));
    }

    private DomainRecord stored()
    {
        final DomainRecord record = new DomainRecord(UUID.randomUUID());
        record.name = "amber-lion";
        record.whenCreatedMs = T0;
        record.revision = DomainRecord.FIRST_REVISION;
        assertTrue(domains.insert(record));
        return record;
    }

    private long applied()
    {
        for (final String line : PrometheusText.render(metrics).split("\n"))
        {
            if (line.startsWith(APPLIED + " "))
            {
                return Long.parseLong(line.substring(APPLIED.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + APPLIED);
    }
}
