package io.switchboard.cluster;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One cluster member in its own JVM, for the multi-node tests: the node, the toy state machine and a
 * {@link ClusterRegistryLog}, driven by line commands on stdin and answering on stdout.
 * <pre>
 *   put KEY VALUE          -> ok put KEY CODE POSITION ELAPSED_MS | fail put KEY ELAPSED_MS MESSAGE
 *   burst PREFIX N WINDOW [VALUE_BYTES]
 *                          -> progress ACKED (every 100) ..., then: burst PREFIX acked=A failed=F maxGapMs=G
 *                             (G: the longest time without an acknowledgement, e.g. across a failover)
 *   verify PREFIX          -> verify PREFIX acked=A missing=M   (acked keys of that burst absent from this replica)
 *   state                  -> state size=S checksum=C role=R leader=L working=W healthLeader=H term=T
 *                             snapshots=N snapshotAgeMs=A   (W 1/0, H and the rest from the node's ClusterHealth)
 * </pre>
 * Args: members node-index cluster-dir timeout-ms snapshot-interval-ms [term-length segment-length [reseed]]; with
 * {@code reseed} the cluster dir is first re-seeded from the others ({@link ClusterReseed}), answering
 * {@code RESEEDED true|false}. Stdin closed (the test JVM gone) stops it.
 */
public final class ClusterNodeProcess
{
    private final ToyMapMachine machine = new ToyMapMachine();
    private final ClusterCounters counters = new ClusterCounters(new Metrics());
    private final Map<String, Set<String>> ackedByBurst = new ConcurrentHashMap<>();
    private ClusterRegistryLog log;
    private ClusterHealth health;

    public static void main(final String[] args) throws Exception
    {
        final ClusterContext context = new ClusterContext();
        if (args.length > 5)
        {
            context.termLength(Integer.parseInt(args[5])).clientTermLength(Integer.parseInt(args[5]))
                .segmentFileLength(Integer.parseInt(args[6]));
        }
        context
            .members(args[0])
            .nodeIndex(Integer.parseInt(args[1]))
            .clusterDir(new File(args[2]))
            .clientTimeoutMs(Long.parseLong(args[3]))
            .snapshotIntervalMs(Long.parseLong(args[4]))
            .conclude();
        if (args.length > 7 && "reseed".equals(args[7]))
        {
            say("RESEEDED " + ClusterReseed.run(context, Throwable::printStackTrace, 60_000));
        }
        new ClusterNodeProcess().run(context);
    }

    private void run(final ClusterContext context) throws Exception
    {
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ClusterNode node = ClusterNode.launch(context,
                new LogService(new CommandApplier(machine, new DedupWindow(), counters), counters),
                Throwable::printStackTrace, barrier::signal);
            ClusterRegistryLog log = new ClusterRegistryLog(
                context, node.aeronDirectoryName(), counters, Throwable::printStackTrace))
        {
            this.log = log;
            this.health = node.health();
            final Thread commands = new Thread(() -> readCommands(barrier), "commands");
            commands.setDaemon(true);
            commands.start();
            say("READY");
            barrier.await();
        }
    }

    private void readCommands(final ShutdownSignalBarrier barrier)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                final String[] word = line.trim().split(" ");
                switch (word[0])
                {
                    case "put" -> put(word[1], word[2]);
                    case "burst" -> burst(word[1], Integer.parseInt(word[2]), Integer.parseInt(word[3]),
                        word.length > 4 ? Integer.parseInt(word[4]) : 0);
                    case "verify" -> verify(word[1]);
                    case "state" -> state();
                    default -> say("unknown " + line);
                }
            }
        }
        catch (final Exception ex)
        {
            ex.printStackTrace();
        }
        barrier.signal();
    }

    private void state()
    {
        final ClusterHealth.View view = health.view(System.currentTimeMillis());
        say("state size=" + machine.size() + " checksum=" + machine.checksum()
            + " role=" + counters.role.get() + " leader=" + counters.leader.get()
            + " working=" + (view.working() ? 1 : 0) + " healthLeader=" + view.leader() + " term=" + view.term()
            + " snapshots=" + view.snapshots() + " snapshotAgeMs=" + view.snapshotAgeMs());
    }

    private void put(final String key, final String value)
    {
        final DirectBuffer body = ToyMapMachine.putBody(key, value);
        final long start = System.nanoTime();
        log.submit(ToyMapMachine.PUT, body, 0, body.capacity()).whenComplete((result, error) ->
        {
            final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            say(error == null
                ? "ok put " + key + " " + result.code() + " " + result.logPosition() + " " + elapsedMs
                : "fail put " + key + " " + elapsedMs + " " + error.getMessage());
        });
    }

    private void burst(final String prefix, final int count, final int window, final int valueBytes)
    {
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        ackedByBurst.put(prefix, acked);
        final Thread thread = new Thread(() ->
        {
            final Semaphore inFlight = new Semaphore(window);
            final AtomicInteger failed = new AtomicInteger();
            final AtomicLong lastAckNs = new AtomicLong(System.nanoTime());
            final AtomicLong maxGapNs = new AtomicLong();
            for (int i = 0; i < count; i++)
            {
                inFlight.acquireUninterruptibly();
                final String key = prefix + "-" + i;
                final DirectBuffer body = ToyMapMachine.putBody(key, "v".repeat(valueBytes) + i);
                log.submit(ToyMapMachine.PUT, body, 0, body.capacity()).whenComplete((result, error) ->
                {
                    if (error == null && result.code() == ToyMapMachine.STORED)
                    {
                        final long nowNs = System.nanoTime();
                        maxGapNs.accumulateAndGet(nowNs - lastAckNs.getAndSet(nowNs), Math::max);
                        acked.add(key);
                        if (acked.size() % 100 == 0)
                        {
                            say("progress " + acked.size());
                        }
                    }
                    else
                    {
                        failed.incrementAndGet();
                    }
                    inFlight.release();
                });
            }
            inFlight.acquireUninterruptibly(window);
            say("burst " + prefix + " acked=" + acked.size() + " failed=" + failed.get()
                + " maxGapMs=" + maxGapNs.get() / 1_000_000);
        }, "burst");
        thread.setDaemon(true);
        thread.start();
    }

    private void verify(final String prefix)
    {
        final Set<String> acked = ackedByBurst.getOrDefault(prefix, Set.of());
        int missing = 0;
        for (final String key : acked)
        {
            if (machine.get(key) == null)
            {
                missing++;
            }
        }
        say("verify " + prefix + " acked=" + acked.size() + " missing=" + missing);
    }

    private static synchronized void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
