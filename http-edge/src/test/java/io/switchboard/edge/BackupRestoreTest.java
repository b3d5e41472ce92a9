package io.switchboard.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code POST /backup} while domains and pulse clients are written, then a new appliance started on the backup: every
 * record acknowledged before the backup was asked for is there, and the backup's counts are what it holds.
 */
class BackupRestoreTest
{
    @TempDir
    Path dir;

    @Test
    void aBackupTakenUnderLoadStartsANewApplianceWithEveryRecordAcknowledgedBeforeIt() throws Exception
    {
        final Path backups = dir.resolve("backups");
        final List<UUID> domains = new CopyOnWriteArrayList<>();
        final List<TableTraffic.Client> clients = new CopyOnWriteArrayList<>();
        final List<UUID> domainsBefore;
        final List<TableTraffic.Client> clientsBefore;
        final JsonNode answer;
        try (ApplianceProcess appliance = ApplianceProcess.start(
            TableTraffic.options(dir.resolve("data"), "--backup-dir=" + backups)))
        {
            final AtomicBoolean writing = new AtomicBoolean(true);
            final List<Thread> writers = List.of(
                new Thread(() -> writeWhile(writing, () -> domains.add(
                    TableTraffic.createDomain(appliance.port("metaverse"))))),
                new Thread(() -> writeWhile(writing, () -> clients.add(
                    TableTraffic.register(appliance.port("rendezvous"))))));
            writers.forEach(Thread::start);
            try
            {
                while (domains.size() < 200 || clients.size() < 500)
                {
                    Thread.sleep(10);
                }
                domainsBefore = new ArrayList<>(domains);
                clientsBefore = new ArrayList<>(clients);
                final HttpResponse<String> backup = TableTraffic.backup(appliance.port("admin"), "under-load");
                assertEquals(200, backup.statusCode(), backup.body());
                answer = TableTraffic.json(backup.body());
                final int domainsAfter = domains.size();
                final int clientsAfter = clients.size();
                assertEquals(backups.resolve("under-load").toAbsolutePath().toString(),
                    answer.path("directory").asText());
                final long backedUpDomains = answer.path("records").path("domains").asLong(-1);
                final long backedUpClients = answer.path("records").path("pulse_clients").asLong(-1);
                assertTrue(backedUpDomains >= domainsBefore.size() && backedUpDomains <= domainsAfter + 1,
                    backedUpDomains + " domains backed up, " + domainsBefore.size() + " before, " + domainsAfter);
                assertTrue(backedUpClients >= clientsBefore.size() && backedUpClients <= clientsAfter + 1,
                    backedUpClients + " clients backed up, " + clientsBefore.size() + " before, " + clientsAfter);

                assertEquals(409, TableTraffic.backup(appliance.port("admin"), "under-load").statusCode(),
                    "a target that is not empty is refused");
                assertEquals(400, TableTraffic.backup(appliance.port("admin"), "..").statusCode());
                assertEquals(400, TableTraffic.backup(appliance.port("admin"), "a%2Fb").statusCode());
                assertEquals(1, Scrape.value(appliance.port("admin"), "switchboard_backups_total{result=\"ok\"}"));
                assertEquals(3, Scrape.value(appliance.port("admin"), "switchboard_backups_total{result=\"refused\"}"));
            }
            finally
            {
                writing.set(false);
                for (final Thread writer : writers)
                {
                    writer.join();
                }
            }
            assertEquals(143, appliance.terminate());
        }
        try (Stream<Path> files = Files.list(backups))
        {
            assertEquals(List.of("under-load"), files.map(path -> path.getFileName().toString()).toList(),
                "no partial copy is left");
        }

        try (ApplianceProcess restored = ApplianceProcess.start(
            TableTraffic.options(backups.resolve("under-load"))))
        {
            for (final UUID id : domainsBefore)
            {
                assertEquals(200, TableTraffic.domainStatus(restored.port("metaverse"), id), id.toString());
            }
            for (final TableTraffic.Client client : clientsBefore)
            {
                assertEquals(200, TableTraffic.clientStatus(restored.port("rendezvous"), client), client.id());
            }
            assertEquals(answer.path("records").path("domains").asLong(),
                TableTraffic.domainCount(restored.port("metaverse")));
            assertEquals(answer.path("records").path("pulse_clients").asLong(),
                Scrape.value(restored.port("admin"), "switchboard_pulse_clients{state=\"online\"}") +
                Scrape.value(restored.port("admin"), "switchboard_pulse_clients{state=\"pending\"}"));
            assertEquals(409, TableTraffic.backup(restored.port("admin"), "again").statusCode(),
                "without --backup-dir backups are refused");
        }
    }

    /** A write that the appliance acknowledged; one cut short by the end of the test was not. */
    @FunctionalInterface
    private interface Write
    {
        void run() throws Exception;
    }

    private static void writeWhile(final AtomicBoolean writing, final Write write)
    {
        while (writing.get())
        {
            try
            {
                write.run();
            }
            catch (final Exception ex)
            {
                throw new AssertionError("a write failed while the appliance ran", ex);
            }
        }
    }
}
