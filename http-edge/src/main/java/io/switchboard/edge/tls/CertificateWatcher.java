package io.switchboard.edge.tls;

import io.switchboard.engine.health.Watch;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Re-reads the certificate and key files every check interval. A pair that differs from the one last loaded (or
 * refused) and reads the same at two checks in a row, so that a renewal writing the two files one after the other
 * is seen whole, is parsed: valid, it is served to the next handshakes; refused, the reason is logged once and
 * counted and the pair in use stays. Open connections keep the certificate they shook hands with either way.
 */
final class CertificateWatcher implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);

    private final TlsContext context;
    private final ServerTls tls;
    private final EpochClock clock;
    private final Watch watch;
    /** The files as last loaded or refused. */
    private Files loaded;
    /** The files as read at the last check, when they differed from {@link #loaded}. */
    private Files pending;
    private long nextCheckMs;

    CertificateWatcher(
        final TlsContext context, final Files loaded, final ServerTls tls, final EpochClock clock, final Watch watch)
    {
        this.context = context;
        this.loaded = loaded;
        this.tls = tls;
        this.clock = clock;
        this.watch = watch;
        this.nextCheckMs = clock.time() + context.checkIntervalMs();
    }

    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        if (nowMs < nextCheckMs)
        {
            return 0;
        }
        nextCheckMs = nowMs + context.checkIntervalMs();
        try
        {
            check();
        }
        catch (final RuntimeException ex)
        {
            // One check failing must not end the next ones; an Error still fails the thread.
            watch.onError(ex);
        }
        return 1;
    }

    /** One check of the files. */
    void check()
    {
        final Files read = Files.read(context.certFile(), context.keyFile());
        if (read.equals(loaded))
        {
            pending = null;
            return;
        }
        if (!read.equals(pending))
        {
            pending = read; // changed since the last check: load it once it holds still
            return;
        }
        pending = null;
        loaded = read;
        final CertifiedKey pair;
        try
        {
            pair = read.parse();
            tls.use(pair);
        }
        catch (final IllegalArgumentException ex)
        {
            tls.refused(ex.getMessage());
            return;
        }
        LOG.info("TLS certificate reloaded from {}: {} valid until {}", context.certFile(),
            pair.leaf().getSubjectX500Principal().getName(), pair.leaf().getNotAfter().toInstant());
    }

    @Override
    public String roleName()
    {
        return "switchboard-tls-reload";
    }

    /** What the two files held at one read, or why they could not be read. */
    static final class Files
    {
        private final Path certFile;
        private final Path keyFile;
        private final byte[] cert;
        private final byte[] key;
        private final String error;

        private Files(final Path certFile, final Path keyFile, final byte[] cert, final byte[] key, final String error)
        {
            this.certFile = certFile;
            this.keyFile = keyFile;
            this.cert = cert;
            this.key = key;
            this.error = error;
        }

        static Files read(final Path certFile, final Path keyFile)
        {
            try
            {
                return new Files(certFile, keyFile, CertifiedKey.readAll(certFile), CertifiedKey.readAll(keyFile),
                    null);
            }
            catch (final IllegalArgumentException ex)
            {
                return new Files(certFile, keyFile, null, null, ex.getMessage());
            }
        }

        /** The pair they hold; a refusal is one line naming the file. */
        CertifiedKey parse()
        {
            if (error != null)
            {
                throw new IllegalArgumentException(error);
            }
            return CertifiedKey.parse(certFile, cert, keyFile, key);
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Files files && Arrays.equals(cert, files.cert) && Arrays.equals(key, files.key) &&
                Objects.equals(error, files.error);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(cert) * 31 + Arrays.hashCode(key);
        }
    }
}
