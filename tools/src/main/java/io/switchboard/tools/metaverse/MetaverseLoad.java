package io.switchboard.tools.metaverse;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.LoadResult;
import io.switchboard.tools.load.ProcessCpu;
import io.switchboard.tools.load.UdpLoadGenerator;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code metaverse-load}: what Vircadia domain servers do to the metaverse domain API. It creates {@code --domains}
 * temporary domains and uploads a public key to each (the server's temporary-domain rate must allow it), then
 * {@code --connections} threads send stock heartbeat PUTs rotating over them, closed loop, one request in flight
 * each. A reply counts when it is 2xx; the result line is {@code udp-load}'s, with requests for datagrams.
 * The run ends by itself and only connects to {@code --target}.
 */
public final class MetaverseLoad
{
    public static final String COMMAND = "metaverse-load";

    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final List<Flag> FLAGS = List.of(
        new Flag("target", "127.0.0.1:9400", "host:port of the metaverse domain API"),
        new Flag("domains", "100", "temporary domains to create, each with a key upload"),
        new Flag("connections", "4", "threads sending heartbeats, one request in flight each"),
        new Flag("warmup-s", "2", "seconds of heartbeats before counting"),
        new Flag("duration-s", "10", "measured seconds"),
        new Flag("server-pid", null, "read this process's CPU over the measured interval"),
        new Flag("label", "metaverse", "tag on the result line"),
        new Flag("json", "false", "print the result as one JSON object"));

    private MetaverseLoad()
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
        final InetSocketAddress target = UdpLoadGenerator.parseTarget(flags.string("target"));
        final int connections = flags.intValue("connections");
        final MetaverseClient client = new MetaverseClient(target);
        final List<MetaverseClient.Domain> domains = setUp(client, Math.max(connections, flags.intValue("domains")));

        final long measureStart = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
            Math.round(flags.doubleValue("warmup-s") * 1000));
        final long durationNanos = TimeUnit.MILLISECONDS.toNanos(Math.round(flags.doubleValue("duration-s") * 1000));
        final Heartbeater[] heartbeaters = new Heartbeater[connections];
        final Thread[] threads = new Thread[connections];
        for (int t = 0; t < connections; t++)
        {
            heartbeaters[t] = new Heartbeater(client, domains.subList(
                t * domains.size() / connections, (t + 1) * domains.size() / connections),
                measureStart, measureStart + durationNanos);
            threads[t] = new Thread(heartbeaters[t], COMMAND + "-" + t);
            threads[t].start();
        }
        final long serverPid = flags.isSet("server-pid") ? flags.longValue("server-pid") : 0;
        long cpuNanos = -1;
        if (serverPid > 0)
        {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, measureStart - System.nanoTime()));
            final long before = ProcessCpu.cpuNanos(serverPid);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, measureStart + durationNanos - System.nanoTime()));
            cpuNanos = ProcessCpu.cpuNanos(serverPid) - before;
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        for (final Heartbeater heartbeater : heartbeaters)
        {
            if (null != heartbeater.firstFailure)
            {
                System.err.println(COMMAND + ": a heartbeat failed: " + heartbeater.firstFailure);
            }
        }

        final LoadResult result = result(heartbeaters, durationNanos, cpuNanos);
        final String label = LoadResult.requirePlainLabel(flags.string("label"));
        System.out.println(flags.booleanValue("json") ? result.toJson(COMMAND, label) : result.toLine(COMMAND, label));
        return result.replies() > 0 && result.badReplies() == 0 && result.lost() == 0 ?
            Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    private static List<MetaverseClient.Domain> setUp(final MetaverseClient client, final int count) throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        final byte[] spki = generator.generateKeyPair().getPublic().getEncoded();
        final List<MetaverseClient.Domain> domains = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final MetaverseClient.Domain domain = client.createTemporary().orElseThrow(() -> new IOException(
                COMMAND + ": temporary domain " + domains.size() + " refused (is --temp-domain-rate high enough?)"));
            final MetaverseClient.Reply upload = client.uploadPublicKey(domain, spki);
            if (!upload.isSuccess())
            {
                throw new IOException(COMMAND + ": key upload answered " + upload.status() + " " + upload.body());
            }
            domains.add(domain);
        }
        return domains;
    }

    private static LoadResult result(final Heartbeater[] heartbeaters, final long durationNanos, final long cpuNanos)
    {
        final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        long sent = 0;
        long ok = 0;
        long failed = 0;
        long refused = 0;
        for (final Heartbeater heartbeater : heartbeaters)
        {
            latency.add(heartbeater.latencyNanos);
            sent += heartbeater.sent;
            ok += heartbeater.ok;
            failed += heartbeater.failed;
            refused += heartbeater.refused;
        }
        return new LoadResult(sent, ok, failed, refused, 0, durationNanos, ok * 1e9 / durationNanos,
            latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
            latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3,
            cpuNanos < 0 ? Double.NaN : cpuNanos / 1e6, cpuNanos < 0 || ok == 0 ? Double.NaN : cpuNanos / 1e3 / ok);
    }

    /** One thread's heartbeats over its share of the domains; its counts are read after it is joined. */
    private static final class Heartbeater implements Runnable
    {
        private final MetaverseClient client;
        private final List<MetaverseClient.Domain> domains;
        private final long measureStart;
        private final long measureEnd;
        private final Histogram latencyNanos = new Histogram(MAX_LATENCY_NANOS, 3);
        private long sent;
        private long ok;
        private long failed;
        private long refused;
        private IOException firstFailure;

        Heartbeater(
            final MetaverseClient client, final List<MetaverseClient.Domain> domains, final long measureStart,
            final long measureEnd)
        {
            this.client = client;
            this.domains = domains;
            this.measureStart = measureStart;
            this.measureEnd = measureEnd;
        }

        @Override
        public void run()
        {
            for (long n = 0, start = System.nanoTime(); start < measureEnd; n++, start = System.nanoTime())
            {
                final boolean measured = start >= measureStart;
                final MetaverseClient.Domain domain = domains.get((int)(n % domains.size()));
                final boolean success;
                try
                {
                    success = client.heartbeat(domain, (int)(n % 100)).isSuccess();
                }
                catch (final IOException ex)
                {
                    // No answer (the connection failed): counted as lost, like a datagram without a reply.
                    sent += measured ? 1 : 0;
                    failed += measured ? 1 : 0;
                    firstFailure = null == firstFailure ? ex : firstFailure;
                    continue;
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (measured)
                {
                    sent++;
                    latencyNanos.recordValue(Math.min(System.nanoTime() - start, MAX_LATENCY_NANOS));
                    ok += success ? 1 : 0;
                    refused += success ? 0 : 1;
                }
            }
        }
    }
}
