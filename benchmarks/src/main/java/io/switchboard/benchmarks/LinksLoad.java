package io.switchboard.benchmarks;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.switchboard.cluster.ClusterContext;
import io.switchboard.cluster.links.LinkListener;
import io.switchboard.cluster.links.LinkMessageHandler;
import io.switchboard.cluster.links.LinkOffer;
import io.switchboard.cluster.links.LinksContext;
import io.switchboard.cluster.links.LinksCounters;
import io.switchboard.cluster.links.NodeLinks;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import com.sun.management.OperatingSystemMXBean;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.SocketException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Two nodes' links on loopback in one JVM, each on its own media driver configured as a cluster node's (SHARED
 * threading, backoff to {@link ClusterContext#DEFAULT_MAX_PARK_US}): messages/s one way as fast as the sender may go
 * with the process's CPU time per message (both nodes' drivers and threads: the figure a loaded machine disturbs
 * least), and one-way latency p50/p99 at a fixed rate. The reference, measured in the same run in alternating rounds,
 * is a plain Aeron exclusive publication and subscription between the same two drivers on another stream (no link
 * header, no liveness), so the difference is what the links add; the links' own duty (heartbeats, liveness) runs in
 * both.
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.switchboard.benchmarks.LinksLoad [ROUNDS] [SECONDS] [RATE] [BYTES]
 *   (defaults 3 rounds of 3 s per case, latency at 10000 messages/s, 64-byte payloads)
 * </pre>
 */
public final class LinksLoad
{
    private static final int REFERENCE_STREAM_ID = LinksContext.DEFAULT_STREAM_ID + 1;
    private static final int TYPE = 1;
    private static final int FRAGMENT_LIMIT = 256;

    private final int seconds;
    private final int rate;
    private final int bytes;
    private final NodeLinks sender;
    private final NodeLinks receiver;
    private final ExclusivePublication referencePublication;
    private final Subscription referenceSubscription;
    private final long[] latencies;
    private final LinkMessageHandler linksHandler = (origin, type, buffer, offset, length) ->
    {
        onMessage(buffer, offset);
        return true;
    };
    private final FragmentHandler referenceHandler = (buffer, offset, length, header) -> onMessage(buffer, offset);
    private final LinkMessageHandler ignore = (origin, type, buffer, offset, length) -> true;
    private final OperatingSystemMXBean os = (OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    private boolean paced;
    private double cpuUsPerMessage;
    private int latencyCount;
    private long received;
    private long firstNs;
    private long lastNs;

    private LinksLoad(
        final int seconds, final int rate, final int bytes, final NodeLinks sender, final NodeLinks receiver,
        final ExclusivePublication referencePublication, final Subscription referenceSubscription)
    {
        this.seconds = seconds;
        this.rate = rate;
        this.bytes = bytes;
        this.sender = sender;
        this.receiver = receiver;
        this.referencePublication = referencePublication;
        this.referenceSubscription = referenceSubscription;
        latencies = new long[rate * (seconds + 2)];
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final int rate = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        final int bytes = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        final String prefix = "/dev/shm/switchboard-links-load-" + UUID.randomUUID() + "-";
        final List<ClusterContext.Member> members = List.of(
            new ClusterContext.Member("127.0.0.1", freePort()), new ClusterContext.Member("127.0.0.1", freePort()));
        final List<AutoCloseable> closeables = new ArrayList<>();
        try
        {
            final MediaDriver[] drivers = new MediaDriver[2];
            final NodeLinks[] links = new NodeLinks[2];
            for (int i = 0; i < 2; i++)
            {
                drivers[i] = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .aeronDirectoryName(prefix + i)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new ClusterContext().newIdleStrategy())
                    .asyncExecutorEnabled(false)
                    .termBufferSparseFile(true)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                closeables.add(drivers[i]);
                links[i] = new NodeLinks(new LinksContext()
                    .members(members)
                    .nodeIndex(i)
                    .aeronDirectoryName(drivers[i].aeronDirectoryName())
                    .conclude(), new LinksCounters(new Metrics(), 2, i), new LinkListener()
                    {
                        @Override
                        public void onPeerUp(final int node, final long incarnation)
                        {
                        }

                        @Override
                        public void onPeerDown(final int node)
                        {
                        }
                    });
                closeables.add(links[i]);
            }
            final Aeron senderClient = Aeron.connect(new Aeron.Context().aeronDirectoryName(prefix + 0));
            closeables.add(senderClient);
            final Aeron receiverClient = Aeron.connect(new Aeron.Context().aeronDirectoryName(prefix + 1));
            closeables.add(receiverClient);
            final String endpoint = members.get(1).endpoint(LinksContext.PORT_OFFSET);
            final Subscription subscription =
                receiverClient.addSubscription("aeron:udp?endpoint=" + endpoint, REFERENCE_STREAM_ID);
            final ExclusivePublication publication = senderClient.addExclusivePublication(
                "aeron:udp?endpoint=" + endpoint + "|term-length=" + LinksContext.DEFAULT_TERM_LENGTH + "|mtu="
                    + LinksContext.DEFAULT_MTU_LENGTH, REFERENCE_STREAM_ID);
            new LinksLoad(seconds, rate, bytes, links[0], links[1], publication, subscription).run(rounds);
        }
        finally
        {
            for (int i = closeables.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(closeables.get(i));
            }
            IoUtil.delete(new File(prefix + 0), true);
            IoUtil.delete(new File(prefix + 1), true);
        }
    }

    private void run(final int rounds) throws InterruptedException
    {
        System.out.printf(Locale.ROOT, "links load: %d rounds of %d s per case, %d-byte payloads, latency at %d/s, "
            + "%d cores, load average %s%n", rounds, seconds, bytes, rate,
            Runtime.getRuntime().availableProcessors(), loadAverage());
        final double[][] results = new double[4][rounds];
        final double[][] p50 = new double[2][rounds];
        final double[][] p99 = new double[2][rounds];
        final double[][] cpu = new double[2][rounds];
        for (int reference = 0; reference < 2; reference++)
        {
            measure(reference == 1, false);
            measure(reference == 1, true);
        }
        for (int round = 0; round < rounds; round++)
        {
            for (int reference = 0; reference < 2; reference++)
            {
                results[reference][round] = measure(reference == 1, false);
                cpu[reference][round] = cpuUsPerMessage;
                measure(reference == 1, true);
                p50[reference][round] = percentileUs(0.50);
                p99[reference][round] = percentileUs(0.99);
                System.out.printf(Locale.ROOT,
                    "round %d %-9s %,12.0f msgs/s %6.2f us CPU/msg   p50 %8.1f us   p99 %8.1f us%n",
                    round + 1, reference == 1 ? "reference" : "links", results[reference][round],
                    cpu[reference][round], p50[reference][round], p99[reference][round]);
            }
        }
        for (int reference = 0; reference < 2; reference++)
        {
            System.out.printf(Locale.ROOT,
                "median  %-9s %,12.0f msgs/s %6.2f us CPU/msg   p50 %8.1f us   p99 %8.1f us%n",
                reference == 1 ? "reference" : "links", median(results[reference]), median(cpu[reference]),
                median(p50[reference]), median(p99[reference]));
        }
        System.out.printf(Locale.ROOT, "links / reference: throughput %.2f, CPU/msg %.2f, p50 %.2f, p99 %.2f%n",
            median(results[0]) / median(results[1]), median(cpu[0]) / median(cpu[1]), median(p50[0]) / median(p50[1]),
            median(p99[0]) / median(p99[1]));
    }

    /** One case: the receiver on its own thread, the sender on this one; returns messages/s received. */
    private double measure(final boolean reference, final boolean paced) throws InterruptedException
    {
        awaitLinksUp();
        this.paced = paced;
        received = 0;
        latencyCount = 0;
        firstNs = 0;
        lastNs = 0;
        final AtomicBoolean stop = new AtomicBoolean();
        final long cpuBeforeNs = os.getProcessCpuTime();
        final Thread thread = new Thread(() -> receive(reference, stop), "links-load-receiver");
        thread.start();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[bytes]);
        final IdleStrategy idle = new ClusterContext().newIdleStrategy();
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        long nowNs;
        while ((nowNs = System.nanoTime()) < endNs)
        {
            int work = sender.doWork();
            sender.poll(ignore, FRAGMENT_LIMIT);
            final long due = paced ? (nowNs - startNs) * rate / 1_000_000_000L : Long.MAX_VALUE;
            for (int burst = 0; burst < 64 && sent < due; burst++)
            {
                payload.putLong(0, System.nanoTime(), ByteOrder.LITTLE_ENDIAN);
                final boolean ok = reference
                    ? referencePublication.offer(payload, 0, bytes) > 0
                    : sender.offer(1, TYPE, payload, 0, bytes) == LinkOffer.SENT;
                if (!ok)
                {
                    break;
                }
                sent++;
                work++;
            }
            if (paced)
            {
                LockSupport.parkNanos(50_000);
            }
            else
            {
                idle.idle(work);
            }
        }
        Thread.sleep(200);
        stop.set(true);
        thread.join();
        cpuUsPerMessage = received == 0 ? Double.NaN : (os.getProcessCpuTime() - cpuBeforeNs) / 1_000.0 / received;
        return lastNs > firstNs ? received * 1e9 / (lastNs - firstNs) : 0;
    }

    private void receive(final boolean reference, final AtomicBoolean stop)
    {
        final IdleStrategy idle = new ClusterContext().newIdleStrategy();
        while (!stop.get())
        {
            int work = receiver.doWork();
            work += receiver.poll(linksHandler, FRAGMENT_LIMIT);
            if (reference)
            {
                work += referenceSubscription.poll(referenceHandler, FRAGMENT_LIMIT);
            }
            idle.idle(work);
        }
    }

    private void onMessage(final DirectBuffer buffer, final int offset)
    {
        final long nowNs = System.nanoTime();
        if (received++ == 0)
        {
            firstNs = nowNs;
        }
        lastNs = nowNs;
        if (paced && latencyCount < latencies.length)
        {
            latencies[latencyCount++] = nowNs - buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        }
    }

    private void awaitLinksUp() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sender.isUp(1) || !receiver.isUp(0))
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("links not up");
            }
            sender.doWork();
            receiver.doWork();
            sender.poll(ignore, FRAGMENT_LIMIT);
            receiver.poll(ignore, FRAGMENT_LIMIT);
            Thread.sleep(1);
        }
    }

    private double percentileUs(final double fraction)
    {
        if (latencyCount == 0)
        {
            return Double.NaN;
        }
        Arrays.sort(latencies, 0, latencyCount);
        return latencies[Math.min(latencyCount - 1, (int)(fraction * latencyCount))] / 1_000.0;
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage()
    {
        try
        {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    /** A free UDP port whose successor (the links' consensus endpoint) is free too. */
    private static int freePort() throws IOException
    {
        while (true)
        {
            final int port;
            try (DatagramSocket socket = new DatagramSocket(0))
            {
                port = socket.getLocalPort();
            }
            if (port < 65_000)
            {
                try (DatagramSocket next = new DatagramSocket(port + LinksContext.PORT_OFFSET))
                {
                    return port;
                }
                catch (final SocketException ex)
                {
                    continue;
                }
            }
        }
    }
}
