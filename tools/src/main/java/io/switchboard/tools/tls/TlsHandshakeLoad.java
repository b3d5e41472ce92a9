package io.switchboard.tools.tls;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.ProcessCpu;
import org.HdrHistogram.Histogram;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code tls-handshake-load}: full TLS handshakes per second against one TLS listener (the metaverse one in the
 * benchmark). Each of {@code --threads} connects, shakes hands with ALPN http/1.1, invalidates the session (so the
 * next handshake is a full one, never a resumption) and closes, as fast as it can for the duration, or together at
 * {@code --rate-per-s} (a burst of new handshakes beside other load); the result line gives the rate, the handshake
 * latency percentiles, and with {@code --server-pid} the server's CPU per handshake.
 */
public final class TlsHandshakeLoad
{
    public static final String COMMAND = "tls-handshake-load";

    private static final List<Flag> FLAGS = List.of(
        new Flag("target", "127.0.0.1:9400", "HOST:PORT of a TLS listener"),
        new Flag("protocol", "TLSv1.3", "TLSv1.3 or TLSv1.2"),
        new Flag("threads", "2", "connections shaking hands at once, one per thread"),
        new Flag("rate-per-s", "0", "handshakes per second begun by all threads together (each its share, evenly " +
            "spaced); 0: as fast as they can"),
        new Flag("warmup-s", "3", "seconds of handshakes before measuring"),
        new Flag("duration-s", "10", "seconds measured"),
        new Flag("ca", "", "PEM file of the CA to trust; empty: trust any certificate (a benchmark, not a check)"),
        new Flag("server-pid", "0", "pid of the appliance, for its CPU time per handshake (Linux /proc); 0: none"),
        new Flag("label", "tls-handshakes", "label of the result line"));

    private TlsHandshakeLoad()
    {
    }

    public static int command(final String[] args) throws Exception
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }
        final String target = flags.string("target");
        final String host = target.substring(0, target.lastIndexOf(':'));
        final int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        final String protocol = flags.string("protocol");
        final int threads = flags.intValue("threads");
        final long serverPid = flags.longValue("server-pid");
        final double ratePerS = Double.parseDouble(flags.string("rate-per-s"));
        final long intervalNs = ratePerS > 0 ? (long)(threads * 1e9 / ratePerS) : 0;
        final SSLContext context = context(flags.string("ca"));

        final Shaker[] shakers = new Shaker[threads];
        final List<Thread> running = new ArrayList<>();
        for (int i = 0; i < threads; i++)
        {
            shakers[i] = new Shaker(context, host, port, protocol, intervalNs);
            final Thread thread = new Thread(shakers[i], COMMAND + "-" + i);
            thread.setDaemon(true);
            thread.start();
            running.add(thread);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(flags.longValue("warmup-s")));
        for (final Shaker shaker : shakers)
        {
            shaker.measuring = true;
        }
        final long cpuBefore = serverPid > 0 ? ProcessCpu.cpuNanos(serverPid) : 0;
        final long startNs = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(flags.longValue("duration-s")));
        for (final Shaker shaker : shakers)
        {
            shaker.stopped = true;
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final long cpuNs = serverPid > 0 ? ProcessCpu.cpuNanos(serverPid) - cpuBefore : 0;
        for (final Thread thread : running)
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }

        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long failures = 0;
        for (final Shaker shaker : shakers)
        {
            latency.add(shaker.latency);
            failures += shaker.failures.get();
        }
        final long handshakes = latency.getTotalCount();
        final double seconds = elapsedNs / 1e9;
        System.out.println(String.format(Locale.ROOT,
            "%s label=%s protocol=%s threads=%d seconds=%.1f handshakes=%d failures=%d rate_per_s=%.0f " +
            "p50_ms=%.2f p99_ms=%.2f server_cpu_us_per_handshake=%s",
            COMMAND, flags.string("label"), protocol, threads, seconds, handshakes, failures, handshakes / seconds,
            latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
            serverPid > 0 && handshakes > 0 ? String.format(Locale.ROOT, "%.0f", cpuNs / 1e3 / handshakes) : "n/a"));
        return handshakes > 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    /** A client context trusting the CA in {@code caFile} (PEM); empty: trusting any certificate (for load). */
    public static SSLContext context(final String caFile) throws Exception
    {
        final TrustManager[] trust;
        if (caFile.isEmpty())
        {
            trust = new TrustManager[] {new AnyCertificate()};
        }
        else
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            try (InputStream in = Files.newInputStream(Path.of(caFile)))
            {
                int i = 0;
                for (final Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in))
                {
                    store.setCertificateEntry("ca" + i++, certificate);
                }
            }
            final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            trust = factory.getTrustManagers();
        }
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
        return context;
    }

    /** One thread's handshakes, one connection at a time. */
    private static final class Shaker implements Runnable
    {
        private final SSLContext context;
        private final String host;
        private final int port;
        private final String protocol;
        /** Between the starts of two of this thread's handshakes; 0: back to back. */
        private final long intervalNs;
        private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private final AtomicLong failures = new AtomicLong();
        private volatile boolean measuring;
        private volatile boolean stopped;

        Shaker(final SSLContext context, final String host, final int port, final String protocol, final long intervalNs)
        {
            this.context = context;
            this.host = host;
            this.port = port;
            this.protocol = protocol;
            this.intervalNs = intervalNs;
        }

        @Override
        public void run()
        {
            long nextNs = System.nanoTime() + (long)(Math.random() * intervalNs); // threads out of step
            while (!stopped)
            {
                if (intervalNs > 0)
                {
                    final long waitNs = nextNs - System.nanoTime();
                    if (waitNs > 0)
                    {
                        LockSupport.parkNanos(waitNs);
                        continue;
                    }
                    nextNs = Math.max(nextNs + intervalNs, System.nanoTime()); // late: no catch-up burst
                }
                final long startNs = System.nanoTime();
                try (SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket(host, port))
                {
                    final SSLParameters parameters = socket.getSSLParameters();
                    parameters.setProtocols(new String[] {protocol});
                    parameters.setApplicationProtocols(new String[] {"http/1.1"});
                    socket.setSSLParameters(parameters);
                    socket.setSoTimeout(10_000);
                    // As browsers do: the JDK writes a TLS 1.2 client's last flight record by record.
                    socket.setTcpNoDelay(true);
                    socket.startHandshake();
                    final long tookNs = System.nanoTime() - startNs;
                    socket.getSession().invalidate();
                    if (measuring && !stopped)
                    {
                        latency.recordValue(Math.min(tookNs, latency.getHighestTrackableValue()));
                    }
                }
                catch (final Exception ex)
                {
                    if (measuring && !stopped)
                    {
                        failures.incrementAndGet();
                    }
                }
            }
        }
    }

    /** Trusts any server: the tool measures handshakes, it does not check who answers them. */
    private static final class AnyCertificate implements X509TrustManager
    {
        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
        {
            throw new UnsupportedOperationException("a client only");
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return new X509Certificate[0];
        }
    }
}
