package io.switchboard.edge.tls;

import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * On a fake clock: the files are read every check interval, never sooner; a changed pair is loaded at the second
 * check that reads it the same, so a renewal writing the two files at different times costs no refusal; a bad pair
 * is refused once, counted, and the pair in use kept.
 */
class CertificateWatcherTest
{
    private static final long INTERVAL_MS = 2_000;

    @TempDir
    Path dir;
    private TestPki pki;
    private Path cert;
    private Path key;
    private Metrics metrics;
    private Watch watch;
    private ServerTls tls;
    private CachedEpochClock clock;
    private CertificateWatcher watcher;
    private TestPki.Issued first;

    @BeforeEach
    void start() throws Exception
    {
        pki = TestPki.ca("EC");
        first = pki.server("first.test", "EC");
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        write(first);
        metrics = new Metrics();
        watch = new Liveness(metrics).register("switchboard-tls-reload");
        // The appliance's own watcher thread checks once an hour here: the test drives its own on a fake clock.
        tls = ServerTls.open(context(3_600_000), metrics, watch);
        clock = new CachedEpochClock();
        clock.update(10_000);
        watcher = new CertificateWatcher(context(INTERVAL_MS), CertificateWatcher.Files.read(cert, key), tls, clock,
            watch);
    }

    @AfterEach
    void stop()
    {
        tls.close();
    }

    @Test
    void aRenewedPairIsServedFromTheSecondCheckThatReadsItAndNotBefore() throws Exception
    {
        final TestPki.Issued renewed = pki.server("renewed.test", "EC");
        write(renewed);

        assertEquals(0, workAt(10_000 + INTERVAL_MS - 1), "no check before the interval");
        assertEquals(1, workAt(10_000 + INTERVAL_MS));
        assertEquals(first.certificate(), tls.leaf(), "seen once: not loaded yet");
        assertEquals(0, workAt(10_000 + 2 * INTERVAL_MS - 1));
        assertEquals(1, workAt(10_000 + 2 * INTERVAL_MS));
        assertEquals(renewed.certificate(), tls.leaf());
        assertEquals(1, value("switchboard_tls_reloads_total{result=\"ok\"}"));
        assertEquals(0, value("switchboard_tls_reloads_total{result=\"failed\"}"));
    }

    @Test
    void aCertificateWrittenOneCheckBeforeItsKeyCostsNoRefusal() throws Exception
    {
        final TestPki.Issued renewed = pki.server("renewed.test", "EC");
        Files.writeString(cert, TestPki.pem(renewed.certificate()));
        workAt(10_000 + INTERVAL_MS);
        Files.writeString(key, TestPki.pkcs8(renewed.keys().getPrivate()));
        workAt(10_000 + 2 * INTERVAL_MS);
        assertEquals(first.certificate(), tls.leaf());
        workAt(10_000 + 3 * INTERVAL_MS);

        assertEquals(renewed.certificate(), tls.leaf());
        assertEquals(0, value("switchboard_tls_reloads_total{result=\"failed\"}"));
    }

    @Test
    void aBadPairIsRefusedOnceCountedAndThePairInUseKept() throws Exception
    {
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        for (int check = 1; check <= 5; check++)
        {
            workAt(10_000 + check * INTERVAL_MS);
        }

        assertEquals(first.certificate(), tls.leaf());
        assertEquals(1, value("switchboard_tls_reloads_total{result=\"failed\"}"), "refused once, not every check");
        assertEquals(0, value("switchboard_tls_reloads_total{result=\"ok\"}"));
        assertFalse(watch.failed());
    }

    @Test
    void aVanishedFileIsRefusedAndItsReturnLoadsAgain() throws Exception
    {
        Files.delete(key);
        workAt(10_000 + INTERVAL_MS);
        workAt(10_000 + 2 * INTERVAL_MS);
        assertEquals(1, value("switchboard_tls_reloads_total{result=\"failed\"}"));

        final TestPki.Issued renewed = pki.server("renewed.test", "EC");
        write(renewed);
        workAt(10_000 + 3 * INTERVAL_MS);
        workAt(10_000 + 4 * INTERVAL_MS);
        assertEquals(renewed.certificate(), tls.leaf());
    }

    private int workAt(final long nowMs)
    {
        clock.update(nowMs);
        return watcher.doWork();
    }

    private TlsContext context(final long intervalMs)
    {
        return new TlsContext().certFile(cert).keyFile(key).listeners("metaverse").checkIntervalMs(intervalMs)
            .conclude();
    }

    private void write(final TestPki.Issued issued) throws Exception
    {
        Files.writeString(cert, TestPki.pem(issued.certificate()));
        Files.writeString(key, TestPki.traditional(issued.keys().getPrivate()));
    }

    private long value(final String series)
    {
        final long[] value = {-1};
        metrics.reader().forEach((id, type, keyBuffer, label) ->
        {
            if (label.equals(series))
            {
                value[0] = metrics.reader().getCounterValue(id);
            }
        });
        return value[0];
    }
}
