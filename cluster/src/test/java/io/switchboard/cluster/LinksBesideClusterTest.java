package io.switchboard.cluster;

import io.switchboard.cluster.links.LinkListener;
import io.switchboard.cluster.links.LinkOffer;
import io.switchboard.cluster.links.LinksContext;
import io.switchboard.cluster.links.LinksCounters;
import io.switchboard.cluster.links.NodeLinks;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Links share each member's consensus endpoint (another stream id on the node's own driver): a three-member cluster
 * in one JVM keeps committing and replicating registry commands while every node's links run saturated.
 */
class LinksBesideClusterTest
{
    private static final int NODES = 3;
    private static final int COMMANDS = 300;
    private static final int WINDOW = 16;
    private static final long WAIT_MS = 45_000;
    private static final int FLOOD = 1;

    @TempDir
    Path dir;

    private final String aeronPrefix = "/dev/shm/switchboard-links-cluster-test-" + UUID.randomUUID() + "-";
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> linkEvents = new CopyOnWriteArrayList<>();

    @AfterEach
    void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        for (int i = 0; i < NODES; i++)
        {
            IoUtil.delete(new File(aeronPrefix + i), true);
        }
    }

    @Test
    void registryCommandsCommitAndReplicateWhileEveryNodesLinksAreSaturated() throws Exception
    {
        final int base = FreePorts.base(NODES * ClusterContext.PORTS_PER_MEMBER);
        final StringBuilder members = new StringBuilder();
        for (int i = 0; i < NODES; i++)
        {
            members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(base + i * ClusterContext.PORTS_PER_MEMBER);
        }
        final ToyMapMachine[] machines = new ToyMapMachine[NODES];
        final NodeLinks[] links = new NodeLinks[NODES];
        final LinksCounters[] linkCounters = new LinksCounters[NODES];
        ClusterContext first = null;
        for (int i = 0; i < NODES; i++)
        {
            final ClusterContext context = new ClusterContext()
                .members(members.toString())
                .nodeIndex(i)
                .clusterDir(dir.resolve("node" + i).toFile())
                .aeronDir(aeronPrefix + i)
                .clientTimeoutMs(WAIT_MS)
                .conclude();
            first = first == null ? context : first;
            machines[i] = new ToyMapMachine();
            final ClusterCounters counters = new ClusterCounters(new Metrics());
            final ClusterNode node = ClusterNode.launch(context,
                new LogService(new CommandApplier(machines[i], new DedupWindow(), counters), counters),
                Throwable::printStackTrace, () -> {});
            closeables.add(node);
            linkCounters[i] = new LinksCounters(new Metrics(), NODES, i);
            links[i] = new NodeLinks(new LinksContext()
                .cluster(context)
                .aeronDirectoryName(node.aeronDirectoryName())
                .conclude(), linkCounters[i], listener(i));
            closeables.add(links[i]);
        }
        final ClusterRegistryLog log = new ClusterRegistryLog(
            first, aeronPrefix + 0, new ClusterCounters(new Metrics()), Throwable::printStackTrace);
        closeables.add(log);

        pumpUntil(links, () -> allUp(links), "every node's links seeing the other two");
        final int eventsWhenUp = linkEvents.size();

        final UnsafeBuffer flood = new UnsafeBuffer(new byte[1_200]);
        final List<CompletableFuture<CommandResult>> inFlight = new ArrayList<>();
        int submitted = 0;
        int acknowledged = 0;
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (acknowledged < COMMANDS)
        {
            assertTrue(System.currentTimeMillis() < deadline, "only " + acknowledged + " commands acknowledged");
            while (submitted < COMMANDS && inFlight.size() < WINDOW)
            {
                final DirectBuffer body = ToyMapMachine.putBody("k" + submitted, "v" + submitted);
                inFlight.add(log.submit(ToyMapMachine.PUT, body, 0, body.capacity()));
                submitted++;
            }
            for (int i = inFlight.size() - 1; i >= 0; i--)
            {
                if (inFlight.get(i).isDone())
                {
                    assertEquals(ToyMapMachine.STORED, inFlight.remove(i).get().code());
                    acknowledged++;
                }
            }
            for (final NodeLinks node : links)
            {
                for (int peer = 0; peer < NODES; peer++)
                {
                    boolean sent = peer != node.nodeIndex();
                    while (sent)
                    {
                        sent = node.offer(peer, FLOOD, flood, 0, flood.capacity()) == LinkOffer.SENT;
                    }
                }
            }
            pump(links);
        }

        pumpUntil(links, () -> machines[1].checksum() == machines[0].checksum()
            && machines[2].checksum() == machines[0].checksum() && machines[0].size() == COMMANDS,
            "every replica holding the " + COMMANDS + " commands");
        for (int i = 0; i < NODES; i++)
        {
            for (int peer = 0; peer < NODES; peer++)
            {
                if (peer != i)
                {
                    assertTrue(linkCounters[i].messagesReceived[peer].get() > 0, i + " heard nothing from " + peer);
                    assertTrue(linkCounters[i].backPressured[peer].get() > 0, i + " never saturated " + peer);
                }
            }
        }
        assertEquals(eventsWhenUp, linkEvents.size(), "links peers flapped: " + linkEvents);
    }

    private LinkListener listener(final int node)
    {
        return new LinkListener()
        {
            @Override
            public void onPeerUp(final int peer, final long incarnation)
            {
                linkEvents.add(node + " sees " + peer + " up");
            }

            @Override
            public void onPeerDown(final int peer)
            {
                linkEvents.add(node + " sees " + peer + " down");
            }
        };
    }

    private static boolean allUp(final NodeLinks[] links)
    {
        for (final NodeLinks node : links)
        {
            for (int peer = 0; peer < NODES; peer++)
            {
                if (peer != node.nodeIndex() && !node.isUp(peer))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static void pump(final NodeLinks[] links) throws InterruptedException
    {
        for (final NodeLinks node : links)
        {
            node.doWork();
            node.poll((origin, type, buffer, offset, length) -> true, 256);
        }
        Thread.sleep(1);
    }

    private static void pumpUntil(final NodeLinks[] links, final BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            pump(links);
        }
    }
}
