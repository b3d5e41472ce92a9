package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import io.switchboard.engine.table.IntentJournal;
import io.switchboard.engine.table.RecordCount;
import io.switchboard.engine.table.TableFiles;
import io.switchboard.engine.table.UuidKey;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The persisted registry on its own, with explicit times instead of a clock. */
class DomainRegistryTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private static DomainRecord domain(final boolean temporary, final long createdMs)
    {
        final DomainRecord record = new DomainRecord(UUID.randomUUID());
        record.name = "amber-lion";
        record.apiKey = UUID.randomUUID().toString();
        record.temporary = temporary;
        record.whenCreatedMs = createdMs;
        return record;
    }

    private static DomainRecord everyField()
    {
        final DomainRecord record = domain(true, T0);
        record.publicKey = new byte[294];
        record.publicKey[0] = 0x30;
        record.iceServerAddress = "203.0.113.7";
        record.version = "2022.1.0";
        record.protocol = "c2ln";
        record.networkAddress = "198.51.100.4";
        record.networkPort = 40102;
        record.automaticNetworking = "full";
        record.restricted = false;
        record.numUsers = 3;
        record.anonUsers = 1;
        record.capacity = 10;
        record.description = "a domain — with UTF-8";
        record.contactInfo = "ops@example.org";
        record.thumbnail = "http://example.org/t.png";
        record.maturity = "teen";
        record.restriction = "acl";
        record.tags = List.of("music", "art");
        record.images = List.of("http://example.org/1.png");
        record.addrOfFirstContact = "127.0.0.1:5555";
        record.lastHeartbeatMs = T0 + 1;
        return record;
    }

    @Test
    void recordSurvivesEncodeAndDecodeWithEveryField()
    {
        final DomainRecord record = everyField();
        final DomainRecord decoded = DomainRecord.decode(record.id, record.encode());
        assertArrayEquals(record.encode(), decoded.encode());
        assertEquals("a domain — with UTF-8", decoded.description);
        assertEquals(Boolean.FALSE, decoded.restricted);
        assertEquals(List.of("music", "art"), decoded.tags);

        final DomainRecord sparse = domain(false, T0);
        final DomainRecord sparseDecoded = DomainRecord.decode(sparse.id, sparse.encode());
        assertNull(sparseDecoded.restricted);
        assertNull(sparseDecoded.publicKey);
        assertEquals(-1, sparseDecoded.networkPort);
        assertFalse(sparseDecoded.temporary);
    }

    @Test
    void largestRecordTheFieldLimitsAllowIsStored()
    {
        final DomainRecord record = everyField();
        final String longText = "\u20ac".repeat(DomainFields.MAX_TEXT_CHARS);
        final String shortText = "\u20ac".repeat(DomainFields.MAX_SHORT_CHARS);
        record.description = longText;
        record.contactInfo = longText;
        record.thumbnail = longText;
        record.version = shortText;
        record.protocol = shortText;
        record.networkAddress = shortText;
        record.automaticNetworking = shortText;
        record.iceServerAddress = shortText;
        record.publicKey = new byte[550];
        record.tags =
            Collections.nCopies(DomainFields.MAX_LIST_ITEMS, "\u20ac".repeat(DomainFields.MAX_LIST_ITEM_CHARS));
        record.images = record.tags;
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), "domains.cm3", 64))
        {
            assertTrue(registry.insert(record));
            assertArrayEquals(record.encode(), registry.get(record.id).encode());
        }
    }

    @Test
    void aDurableReplaceKeepsTheLaterHeartbeatAndSoftMergesOnlyNewerOnes()
    {
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), "domains.cm3", 64))
        {
            final DomainRecord record = domain(true, T0);
            record.lastHeartbeatMs = T0 + 5_000;
            record.numUsers = 3;
            assertTrue(registry.insert(record));
            assertFalse(registry.replaceDurable(domain(true, T0)), "no such domain");

            final DomainRecord changed = registry.get(record.id);
            changed.lastHeartbeatMs = T0 + 1_000;
            changed.numUsers = 9;
            changed.iceServerAddress = "192.0.2.7";
            changed.revision = 2;
            assertTrue(registry.replaceDurable(changed));
            final DomainRecord stored = registry.get(record.id);
            assertEquals("192.0.2.7", stored.iceServerAddress);
            assertEquals(2, stored.revision);
            assertEquals(T0 + 5_000, stored.lastHeartbeatMs, "this node heard a later heartbeat");
            assertEquals(3, stored.numUsers);

            assertTrue(registry.mergeSoft(record.id, T0 + 4_000, 11, 1));
            assertEquals(3, registry.get(record.id).numUsers, "an older soft sync changes nothing");
            assertTrue(registry.mergeSoft(record.id, T0 + 6_000, 11, 1));
            assertEquals(T0 + 6_000, registry.get(record.id).lastHeartbeatMs);
            assertEquals(11, registry.get(record.id).numUsers);
            assertEquals(2, registry.get(record.id).revision, "soft fields are not a durable change");
            assertFalse(registry.mergeSoft(UUID.randomUUID(), T0, 0, 0));
        }
    }

    @Test
    void silentTemporaryDomainsAreDueAfterTheirTtlAndNamedOnesNever()
    {
        final DomainRecord silent = domain(true, T0);
        final DomainRecord heartbeating = domain(true, T0);
        heartbeating.lastHeartbeatMs = T0 + 6 * DAY_MS;
        final DomainRecord named = domain(false, T0);
        final DomainRecord young = domain(true, T0 + 5 * DAY_MS);

        final long ttlMs = 7 * DAY_MS;
        final long cutoffMs = T0 + 8 * DAY_MS - ttlMs;
        assertTrue(silent.isSilentTemporary(cutoffMs));
        assertFalse(heartbeating.isSilentTemporary(cutoffMs), "a heartbeat restarts the TTL");
        assertFalse(young.isSilentTemporary(cutoffMs));
        assertFalse(named.isSilentTemporary(T0 + 100 * DAY_MS), "named domains never expire");
        assertFalse(silent.isSilentTemporary(T0), "silent for exactly the TTL is not yet past it");

        final long laterCutoffMs = T0 + 14 * DAY_MS - ttlMs;
        assertTrue(heartbeating.isSilentTemporary(laterCutoffMs));
        assertTrue(young.isSilentTemporary(laterCutoffMs));
    }

    @Test
    void removeReportsWhetherTheDomainWasThere()
    {
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), "domains.cm3", 64))
        {
            final DomainRecord record = domain(false, T0);
            registry.insert(record);
            assertTrue(registry.remove(record.id));
            assertFalse(registry.remove(record.id));
            assertNull(registry.get(record.id));
        }
    }

    @Test
    void reopenedRegistryHoldsEveryDomain()
    {
        final DomainRecord record = everyField();
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), "domains.cm3", 64))
        {
            registry.insert(record);
        }
        try (DomainRegistry reopened = new DomainRegistry(new TableFiles(dir), "domains.cm3", 64))
        {
            assertArrayEquals(record.encode(), reopened.get(record.id).encode());
        }
    }

    @Test
    void insertBeyondTheCapacityIsRefused()
    {
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), "domains.cm3", 16))
        {
            for (int i = 0; i < 16; i++)
            {
                assertTrue(registry.insert(domain(true, T0)));
            }
            assertFalse(registry.insert(domain(true, T0)));
            assertEquals(16, registry.size());
        }
    }

    @Test
    void domainIsActiveForTheWindowAfterItsLastHeartbeat()
    {
        final DomainRecord record = domain(true, T0);
        assertFalse(record.isActive(T0, 600_000), "never heartbeated");
        record.lastHeartbeatMs = T0;
        record.numUsers = 4;
        assertTrue(record.isActive(T0 + 600_000, 600_000));
        assertFalse(record.isActive(T0 + 600_001, 600_000));
        final DomainInfo.Full stale = DomainInfo.full(record, T0 + 600_001, 600_000, false);
        assertEquals(0, stale.numUsers(), "an inactive domain shows no users, as Iamus' sweep leaves it");
        assertEquals(4, DomainInfo.full(record, T0 + 1, 600_000, false).numUsers());
    }

    @Test
    void aListingIsOldestFirstAndOneScanServesListingsForASecond()
    {
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), "listing.dat", 100))
        {
            final DomainRecord newer = domain(false, T0 + 5);
            final DomainRecord older = domain(false, T0);
            assertTrue(registry.insert(newer));
            assertTrue(registry.insert(older));
            final DomainListing listing = new DomainListing(registry);
            final List<DomainRecord> first = listing.snapshot(T0);
            assertEquals(List.of(older.id, newer.id), first.stream().map(record -> record.id).toList());

            assertTrue(registry.insert(domain(true, T0 + 9)));
            assertSame(first, listing.snapshot(T0 + DomainListing.MAX_AGE_MS - 1), "served from the last scan");
            assertEquals(3, listing.snapshot(T0 + DomainListing.MAX_AGE_MS).size(), "scanned again");
        }
    }

    @Test
    void aDomainWhoseInPlaceHeartbeatAKillToreComesBackFromTheJournal() throws Exception
    {
        final DomainRecord record = everyField();
        final HeartbeatBody stock = HeartbeatBody.read(new ObjectMapper().getFactory(), ("{\"domain\":{\"version\":" +
            "\"2022.1.0\",\"protocol\":\"c2ln\",\"network_address\":\"198.51.100.4\",\"network_port\":40102," +
            "\"automatic_networking\":\"full\",\"restricted\":false,\"heartbeat\":{\"num_users\":5," +
            "\"num_anon_users\":2}}}").getBytes(StandardCharsets.UTF_8));
        final Path crashed = dir.resolve("crashed");
        Files.createDirectories(crashed);
        final Path file = dir.resolve("domains.cm3");
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), file.getFileName().toString(), 64))
        {
            for (int i = 0; i < 40; i++)
            {
                assertTrue(registry.insert(domain(true, T0)));
            }
            assertTrue(registry.insert(record));
            for (int beat = 1; beat <= 4; beat++)
            {
                assertNull(registry.heartbeatInPlace(record.id, stock, key -> true, T0 + beat * 1_000L));
            }
            // A kill -9 inside the 4th heartbeat's in-place write: its segment locked, half its bytes not yet new.
            try (ChronicleMap<UuidKey, byte[]> writer = DomainRegistry.builder(64).createPersistedTo(file.toFile());
                ExternalMapQueryContext<UuidKey, byte[], ?> context = writer.queryContext(
                    new UuidKey(record.id.getMostSignificantBits(), record.id.getLeastSignificantBits())))
            {
                context.updateLock().lock();
                final Data<byte[]> value = context.entry().value();
                final byte[] whole = value.getUsing(null);
                ((RandomDataOutput<?>)value.bytes()).write(value.offset(), new byte[whole.length / 2]);
                for (final Path each : List.of(file, RecordCount.besides(file), IntentJournal.besides(file)))
                {
                    Files.copy(each, crashed.resolve(each.getFileName()));
                }
                ((RandomDataOutput<?>)value.bytes()).write(value.offset(), whole, 0, whole.length / 2);
            }
        }
        final Metrics metrics = new Metrics();
        try (DomainRegistry registry =
            new DomainRegistry(new TableFiles(crashed).metrics(metrics), file.getFileName().toString(), 64))
        {
            final DomainRecord back = registry.get(record.id);
            assertNotNull(back, "the acknowledged domain is there after the restart");
            assertEquals(T0 + 4_000, back.lastHeartbeatMs, "as its 4th heartbeat left it");
            assertEquals(5, back.numUsers);
            assertEquals(41, registry.size());
        }
        assertTrue(PrometheusText.render(metrics).contains(
            "switchboard_data_restored_records_total{table=\"domains\"} 1"));
    }
}
