package io.switchboard.edge;

import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The appliance as a process, started on data files damaged the ways disks and botched copies damage them: it
 * refuses with one line and exit code 1, or, asked to, moves the file aside and starts with what could be read.
 * A kill -9 during writes is not damage.
 */
class DamagedDataFilesTest
{
    private static final int DOMAINS = 600;
    private static final String HINT = "; start with --recover-data=true to move it aside and recover what can be read";

    /** How a file gets damaged, and the start of the problem the refusal names. */
    enum Damage
    {
        TRUNCATED("is truncated: "),
        EMPTIED("is empty (0 bytes)"),
        FIRST_MIB_ZEROED("has no header: its first "),
        GARBAGE("has a corrupt header (");

        final String problem;

        Damage(final String problem)
        {
            this.problem = problem;
        }

        void apply(final Path file) throws Exception
        {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                switch (this)
                {
                    case TRUNCATED -> raf.setLength(raf.length() / 2);
                    case EMPTIED -> raf.setLength(0);
                    case FIRST_MIB_ZEROED -> raf.write(new byte[1 << 20]);
                    case GARBAGE ->
                    {
                        final byte[] garbage = new byte[(int)raf.length()];
                        new Random(42).nextBytes(garbage);
                        raf.write(garbage);
                    }
                }
            }
        }
    }

    @TempDir
    static Path shared;
    private static Path written;
    private static final List<UUID> DOMAIN_IDS = new ArrayList<>();

    @TempDir
    Path dir;

    /** One appliance writes the domains and stops cleanly; each test damages a copy of its data dir. */
    @BeforeAll
    static void writeDomains() throws Exception
    {
        written = shared.resolve("written");
        try (ApplianceProcess appliance = ApplianceProcess.start(TableTraffic.options(written)))
        {
            for (int i = 0; i < DOMAINS; i++)
            {
                DOMAIN_IDS.add(TableTraffic.createDomain(appliance.port("metaverse")));
            }
            assertEquals(143, appliance.terminate());
        }
        assertTrue(Files.size(written.resolve("domains.cm3")) > 2 << 20, "larger than the MiB that is zeroed");
    }

    private Path copyOfWritten() throws Exception
    {
        final Path copy = dir.resolve("data");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(written))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, copy.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return copy;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedRegistryRefusesTheStartWithOneLineAndRecoveryStartsWithWhatCouldBeRead(final Damage damage)
        throws Exception
    {
        final Path data = copyOfWritten();
        final Path file = data.toAbsolutePath().resolve("domains.cm3");
        damage.apply(file);
        final long damagedSize = Files.size(file);

        final Path stderr = dir.resolve("refused.err");
        final long start = System.nanoTime();
        final Process refused = ApplianceProcess.launch(
            ProcessBuilder.Redirect.to(stderr.toFile()), TableTraffic.options(data));
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS), "the start ends, it does not hang");
        assertEquals(1, refused.exitValue());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60));
        final List<String> lines = Files.readAllLines(stderr).stream()
            .filter(line -> line.startsWith("switchboard:")).toList();
        assertEquals(1, lines.size(), String.join("\n", Files.readAllLines(stderr)));
        final String prefix = "switchboard: cannot start: data file " + file + " " + damage.problem;
        assertTrue(lines.get(0).startsWith(prefix) && lines.get(0).endsWith(HINT), lines.get(0));
        if (damage == Damage.TRUNCATED)
        {
            assertTrue(lines.get(0).matches("\\Q" + prefix + damagedSize + "\\E bytes where its header says \\d+" +
                "\\Q" + HINT + "\\E"), lines.get(0));
        }
        if (damage == Damage.EMPTIED)
        {
            assertEquals(prefix + HINT, lines.get(0));
        }
        assertEquals(damagedSize, Files.size(file), "a refused file is left as it is");

        final Path recoveredErr = dir.resolve("recovered.err");
        try (ApplianceProcess recovered = ApplianceProcess.start(ProcessBuilder.Redirect.to(recoveredErr.toFile()),
            TableTraffic.options(data, "--recover-data=true")))
        {
            final long count = Scrape.value(recovered.port("admin"),
                "switchboard_data_recovered_records_total{table=\"domains\"}");
            int found = 0;
            for (final UUID id : DOMAIN_IDS)
            {
                final int status = TableTraffic.domainStatus(recovered.port("metaverse"), id);
                assertTrue(status == 200 || status == 404, "status " + status);
                found += status == 200 ? 1 : 0;
            }
            assertEquals(count, found, "every record counted as recovered is served, and only those");
            switch (damage)
            {
                case TRUNCATED, FIRST_MIB_ZEROED -> assertTrue(count > 0 && count < DOMAINS, count + " of " + DOMAINS);
                case EMPTIED, GARBAGE -> assertEquals(0, count);
            }
            final String report = Files.readAllLines(recoveredErr).stream()
                .filter(line -> line.contains("recovered " + count + " records into a fresh table")).findFirst()
                .orElseThrow(() -> new AssertionError("no recovery line"));
            assertTrue(report.contains("data file " + file + " " + damage.problem), report);
            try (Stream<Path> files = Files.list(data))
            {
                final List<Path> aside = files.filter(path -> path.getFileName().toString()
                    .matches("domains\\.cm3\\.damaged-\\d{8}T\\d{6}Z")).toList();
                assertEquals(1, aside.size());
                assertEquals(damagedSize, Files.size(aside.get(0)), "the damaged file is kept as it was");
            }
            assertEquals(143, recovered.terminate());
        }
    }

    @Test
    void aDamagedPulseClientTableRefusesTheStartToo() throws Exception
    {
        final Path data = copyOfWritten();
        final Path file = data.toAbsolutePath().resolve("pulse-clients-20000.dat");
        Damage.EMPTIED.apply(file);
        final Path stderr = dir.resolve("refused.err");
        final Process refused = ApplianceProcess.launch(
            ProcessBuilder.Redirect.to(stderr.toFile()), TableTraffic.options(data));
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, refused.exitValue());
        assertEquals(List.of("switchboard: cannot start: data file " + file + " is empty (0 bytes)" + HINT),
            Files.readAllLines(stderr).stream().filter(line -> line.startsWith("switchboard:")).toList());
    }

    @Test
    void anOpenThatCannotFinishInTimeRefusesTheStartWithOneLine() throws Exception
    {
        final Path data = copyOfWritten();
        final Path stderr = dir.resolve("refused.err");
        final long start = System.nanoTime();
        final Process refused = ApplianceProcess.launch(
            ProcessBuilder.Redirect.to(stderr.toFile()), TableTraffic.options(data, "--data-open-timeout-ms=1"));
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, refused.exitValue());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60));
        assertEquals(List.of("switchboard: cannot start: data file " + data.toAbsolutePath().resolve(
            "pulse-clients-20000.dat") + " did not open within 1 ms (--data-open-timeout-ms); if it is damaged, " +
            "start with --recover-data=true to move it aside and recover what can be read"),
            Files.readAllLines(stderr).stream().filter(line -> line.startsWith("switchboard:")).toList());
    }

    @Test
    void aKillDuringWritesLeavesAStaleCountAndStartsWithEveryAcknowledgedRecord() throws Exception
    {
        final Path data = dir.resolve("killed");
        final List<UUID> domains = new ArrayList<>();
        final List<TableTraffic.Client> clients = new ArrayList<>();
        try (ApplianceProcess appliance = ApplianceProcess.start(TableTraffic.options(data)))
        {
            final AtomicBoolean writing = new AtomicBoolean(true);
            final Thread domainWriter = new Thread(() ->
            {
                try
                {
                    while (writing.get())
                    {
                        final UUID id = TableTraffic.createDomain(appliance.port("metaverse"));
                        synchronized (domains)
                        {
                            domains.add(id);
                        }
                    }
                }
                catch (final Exception ex)
                {
                    // The kill cuts the last request short: it was never acknowledged.
                }
            });
            domainWriter.start();
            try
            {
                while (clients.size() < 300)
                {
                    clients.add(TableTraffic.register(appliance.port("rendezvous")));
                }
                appliance.kill();
            }
            finally
            {
                writing.set(false);
                domainWriter.join();
            }
        }
        assertTrue(Files.readString(data.resolve("domains.cm3.count")).startsWith("state open\n"),
            "the count a kill leaves says the table was open");
        try (ApplianceProcess restarted = ApplianceProcess.start(TableTraffic.options(data)))
        {
            for (final UUID id : domains)
            {
                assertEquals(200, TableTraffic.domainStatus(restarted.port("metaverse"), id), id.toString());
            }
            for (final TableTraffic.Client client : clients)
            {
                assertEquals(200, TableTraffic.clientStatus(restarted.port("rendezvous"), client), client.id());
            }
        }
    }
}
