package io.switchboard.edge.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A cluster of real appliances on loopback for black-box tests: every listener on a free port, each node's stderr
 * in {@code dir/node-N.log}, started together and returned once every node is ready and hears every other on the
 * node links. Kill and restart single nodes; close kills what is left.
 */
public final class ClusterNodes implements AutoCloseable
{
    private final Path dir;
    private final long aliveTimeoutMs;
    private final String members;
    private final List<String> extraArgs;
    private final ApplianceProcess[] nodes;

    private ClusterNodes(final Path dir, final int count, final long aliveTimeoutMs, final List<String> extraArgs)
    {
        this.dir = dir;
        this.aliveTimeoutMs = aliveTimeoutMs;
        this.members = ClusterPorts.members(count);
        this.extraArgs = extraArgs;
        this.nodes = new ApplianceProcess[count];
    }

    /**
     * Starts {@code count} nodes with {@code --peerjs-alive-timeout-ms=aliveTimeoutMs} (also the links' down timeout)
     * and {@code extraArgs}, and waits until all are ready and linked.
     */
    public static ClusterNodes start(
        final Path dir, final int count, final long aliveTimeoutMs, final String... extraArgs) throws Exception
    {
        final ClusterNodes cluster = new ClusterNodes(dir, count, aliveTimeoutMs, List.of(extraArgs));
        try
        {
            final List<Process> launched = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                launched.add(cluster.launch(i));
            }
            for (int i = 0; i < count; i++)
            {
                cluster.nodes[i] = ApplianceProcess.awaitReady(launched.get(i));
            }
            for (int i = 0; i < count; i++)
            {
                cluster.awaitLinked(i);
            }
        }
        catch (final Exception | AssertionError ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    public int size()
    {
        return nodes.length;
    }

    public ApplianceProcess node(final int index)
    {
        return nodes[index];
    }

    public int port(final int index, final String listener)
    {
        return nodes[index].port(listener);
    }

    public long aliveTimeoutMs()
    {
        return aliveTimeoutMs;
    }

    /** kill -9 of one node. */
    public void kill(final int index) throws InterruptedException
    {
        nodes[index].kill();
        nodes[index] = null;
    }

    /** Starts a killed node again on its data and cluster directories; returns once it is ready and linked. */
    public ApplianceProcess restart(final int index) throws Exception
    {
        nodes[index] = ApplianceProcess.awaitReady(launch(index));
        awaitLinked(index);
        return nodes[index];
    }

    /** A series' value on a node's /metrics, -1 when the node does not answer. */
    public long metric(final int index, final String series)
    {
        try
        {
            return Scrape.value(nodes[index].port("admin"), series);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    /** Waits until {@code node} hears every other live node on the links (and they hear it). */
    public void awaitLinked(final int index) throws InterruptedException
    {
        for (int peer = 0; peer < nodes.length; peer++)
        {
            if (peer != index && nodes[peer] != null)
            {
                final int other = peer;
                awaitTrue("node " + index + " and node " + other + " hear each other on the links", 30_000, () ->
                    metric(index, "switchboard_links_peer_up{peer=\"" + other + "\"}") == 1 &&
                    metric(other, "switchboard_links_peer_up{peer=\"" + index + "\"}") == 1);
            }
        }
    }

    /** Polls {@code condition} every 10 ms; fails after {@code timeoutMs}. */
    public static void awaitTrue(final String what, final long timeoutMs, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("not within " + timeoutMs + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }

    private Process launch(final int index) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of(
            "--data-dir=" + dir.resolve("data-" + index), "--cluster-members=" + members,
            "--cluster-node=" + index, "--peerjs-alive-timeout-ms=" + aliveTimeoutMs, "--ice-port=0",
            "--pulse-port=0", "--rendezvous-port=0", "--metaverse-port=0", "--peerjs-port=0", "--admin-port=0",
            "--bind-address=127.0.0.1"));
        args.addAll(extraArgs);
        return ApplianceProcess.launch(List.of("-Xmx256m"),
            ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + index + ".log").toFile()),
            args.toArray(String[]::new));
    }

    @Override
    public void close() throws InterruptedException
    {
        for (int i = 0; i < nodes.length; i++)
        {
            if (nodes[i] != null)
            {
                nodes[i].close();
                nodes[i] = null;
            }
        }
    }
}
