package io.switchboard.edge.tls;

import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Xnio;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The appliance's server certificate: the pair read at start, then whichever valid pair the files hold since (a
 * {@link CertificateWatcher} on its own thread re-reads them). It owns the one {@link SSLContext} every TLS listener
 * takes its engines from ({@link #sslContext()}, {@link #newEngine()}), the reload counters, the crypto CPU budget
 * every listener's handshakes draw on ({@link HandshakeBudget}, through each listener's {@link TlsHandshakes}) and the
 * threads the PeerJS port's handshake tasks run on ({@link #handshakeTasks()}).
 */
public final class ServerTls implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final String RELOADS = "switchboard_tls_reloads_total";
    private static final String NOT_AFTER = "switchboard_tls_certificate_not_after_seconds";
    private static final String IN_PROGRESS = "switchboard_tls_handshakes_in_progress";
    private static final String THREAD = "switchboard-tls-reload";
    /** Only ever in memory: the key store exists to hand the pair to the JDK's key manager. */
    private static final char[] STORE_PASSWORD = "switchboard".toCharArray();
    private static final long MAX_IDLE_SLEEP_MS = 100;

    private final TlsContext context;
    private final Metrics metrics;
    private final AtomicCounter reloadsOk;
    private final AtomicCounter reloadsFailed;
    private final AtomicCounter notAfter;
    private final SSLContext sslContext;
    private final HandshakeBudget budget;
    private HandshakeTasks tasks;
    private volatile Served current;
    private final TlsReleases releases;
    private AgentRunner runner;

    private ServerTls(final TlsContext context, final Metrics metrics, final CertifiedKey first)
    {
        this.context = context;
        this.metrics = metrics;
        final String help = "Certificate reloads after a change of --tls-cert or --tls-key: ok, the new pair is " +
            "served to new connections; failed, it was refused (see the log) and the pair in use kept.";
        this.reloadsOk = metrics.counter(RELOADS, "result=\"ok\"", help);
        this.reloadsFailed = metrics.counter(RELOADS, "result=\"failed\"", help);
        this.notAfter = metrics.gauge(NOT_AFTER, "",
            "End of validity (Unix seconds) of the TLS certificate served now.");
        this.current = new Served(first, contextFor(first));
        this.sslContext = ReloadableSslContext.over(() -> current.context(), current.context());
        notAfter.set(TimeUnit.MILLISECONDS.toSeconds(first.leaf().getNotAfter().getTime()));
        this.releases = new TlsReleases(context.releaseEngine(), metrics);
        this.budget = new HandshakeBudget(context.maxHandshakes(), context.maxHandshakesPerHost(),
            metrics.gauge(IN_PROGRESS, "", "TLS handshakes in progress over every TLS listener (at most " +
                "--tls-max-handshakes): from accept, or the PROXY header, until completed or failed."));
    }

    /**
     * Reads the pair (a refusal is one line naming the file) and starts watching the files for a change.
     *
     * @param watch the TLS threads' report to the appliance's liveness: the watcher's and the handshake tasks'
     */
    public static ServerTls open(final TlsContext context, final Metrics metrics, final Watch watch)
    {
        final CertificateWatcher.Files files = CertificateWatcher.Files.read(context.certFile(), context.keyFile());
        final CertifiedKey pair = files.parse();
        final ServerTls tls = new ServerTls(context, metrics, pair);
        if (context.handshakeThreads() > 0)
        {
            tls.tasks = new HandshakeTasks(context.handshakeThreads(), context.maxHandshakes(), watch);
        }
        LOG.info("TLS on {}: {} valid until {}", String.join(",", context.listeners()),
            pair.leaf().getSubjectX500Principal().getName(), pair.leaf().getNotAfter().toInstant());
        final CertificateWatcher watcher =
            new CertificateWatcher(context, files, tls, new SystemEpochClock(), watch);
        tls.runner = new AgentRunner(
            new SleepingMillisIdleStrategy(Math.min(MAX_IDLE_SLEEP_MS, context.checkIntervalMs())), watch, null,
            watcher);
        AgentRunner.startOnThread(tls.runner, runnable ->
        {
            final Thread thread = new Thread(runnable, THREAD);
            thread.setDaemon(true);
            return thread;
        });
        return tls;
    }

    /** True when {@code listener} speaks TLS. */
    public boolean appliesTo(final String listener)
    {
        return context.appliesTo(listener);
    }

    /** The context every TLS listener takes its engines from: always the current certificate. */
    public SSLContext sslContext()
    {
        return sslContext;
    }

    /**
     * A server engine for one new connection, with the current certificate, TLS 1.3 and 1.2 and ALPN
     * {@code http/1.1}: for an acceptor of our own (the PeerJS listener's) to drive.
     */
    public SSLEngine newEngine()
    {
        return sslContext.createSSLEngine();
    }

    /**
     * The handshakes of the listener called {@code name} that drives its own engines ({@link #newEngine}), in the
     * budget; once per listener.
     */
    public TlsHandshakes handshakes(final String name)
    {
        return TlsHandshakes.of(name, metrics, budget);
    }

    /**
     * Where that listener runs its engines' delegated tasks (the handshake's expensive steps), handing each connection
     * back to the thread that owns it when they are done; null under {@code --tls-handshake-threads=0}: on that thread.
     */
    public Executor handshakeTasks()
    {
        return tasks;
    }

    /** Whether and how the PeerJS/dop port's connections let their engine go after the handshake. */
    public TlsReleases releases()
    {
        return releases;
    }

    /** The TLS side of one listener, counting its handshakes in the budget; created when the listener starts. */
    public TlsListener listener(final String name, final Xnio xnio)
    {
        return new TlsListener(sslContext, xnio, handshakes(name));
    }

    /** The leaf certificate new handshakes get. */
    X509Certificate leaf()
    {
        return current.pair().leaf();
    }

    /** A new valid pair, for the next handshakes. */
    void use(final CertifiedKey pair)
    {
        current = new Served(pair, contextFor(pair));
        notAfter.set(TimeUnit.MILLISECONDS.toSeconds(pair.leaf().getNotAfter().getTime()));
        reloadsOk.increment();
    }

    /** A changed pair that was refused; the one in use is kept. */
    void refused(final String reason)
    {
        reloadsFailed.increment();
        LOG.warn("TLS certificate not reloaded, the one in use is kept: {}", reason);
    }

    private SSLContext contextFor(final CertifiedKey pair)
    {
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", pair.key(), STORE_PASSWORD, pair.chain());
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, STORE_PASSWORD);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw new IllegalArgumentException(context.certFile() + ": the JDK refuses the pair (" +
                ex.getMessage() + ")", ex);
        }
    }

    /** A pair and the JDK context serving it, swapped together. */
    private record Served(CertifiedKey pair, SSLContext context)
    {
    }

    /** Stops watching the files and the handshake threads. */
    @Override
    public void close()
    {
        CloseHelper.close(runner);
        CloseHelper.close(tasks);
    }
}
