package io.switchboard.cluster;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limit of a bounded disk, pinned: three members with snapshots every {@link #INTERVAL_MS} and small archive
 * segments; a follower killed while the others write on, snapshot and purge the log it has not seen yet cannot
 * catch up when restarted (Aeron 1.51 replays the missing log from the leader's archive, and it is gone). Its
 * health says so (not working, no leader: {@code /healthz} answers 503) while the other two keep serving writes.
 * Such a member is re-seeded ({@link ClusterReseed}: the latest snapshot and the log after it copied from the
 * others) and then catches up; one down for less than {@code retainedSnapshots - 1} intervals catches up by itself
 * (ThreeNodeClusterTest restarts one within seconds).
 */
class LaggingFollowerTest
{
    private static final int NODES = 3;
    private static final long TIMEOUT_MS = ClusterContext.DEFAULT_CLIENT_TIMEOUT_MS;
    private static final long INTERVAL_MS = 500;
    private static final int TERM_LENGTH = 64 * 1024;
    private static final int SEGMENT_LENGTH = 4 * TERM_LENGTH;
    private static final long WAIT_MS = 60_000;
    /** Long enough for a catch-up of this little log to have finished, had it been possible. */
    private static final long CATCH_UP_WAIT_MS = 10_000;

    @TempDir
    Path dir;

    private final NodeProcess[] nodes = new NodeProcess[NODES];
    private final List<NodeProcess> everStarted = new ArrayList<>();
    private String members;

    @AfterEach
    void stop() throws InterruptedException
    {
        for (final NodeProcess node : everStarted)
        {
            node.kill();
            System.out.println("--- node " + node.index() + " pid " + node.pid() + "\n" + node.logTail(12));
            IoUtil.delete(node.aeronDir(), true);
        }
    }

    @Test
    void aFollowerWhoseMissingLogThePeersPurgedSaysItIsNotWorkingAndCatchesUpOnceReseeded() throws Exception
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
            node.await("READY", WAIT_MS);
        }
        final int leader = workingLeader();
        final int lagging = (leader + 1) % NODES;
        nodes[leader].send("put first 1");
        nodes[leader].await("ok put first ", TIMEOUT_MS * 2);
        nodes[lagging].kill();

        nodes[leader].send("burst lag 3000 16 700");
        final Map<String, Long> burst = NodeProcess.fields(nodes[leader].await("burst lag ", WAIT_MS));
        assertEquals(3000, burst.get("acked"), "the burst through the two others: " + burst);
        Thread.sleep(4 * INTERVAL_MS);
        assertTrue(nodes[leader].logTail(200).matches("(?s).*purged [1-9][0-9]* log segments.*"),
            "the leader purged log segments the killed follower had not seen:\n" + nodes[leader].logTail(20));

        launch(lagging);
        nodes[lagging].await("READY", WAIT_MS);
        Thread.sleep(CATCH_UP_WAIT_MS);
        final Map<String, Long> stuck = nodes[lagging].state();
        System.out.println("lagging follower " + CATCH_UP_WAIT_MS + " ms after its restart: " + stuck);
        assertEquals(0, stuck.get("working"), "the follower that cannot catch up says so: " + stuck);
        assertEquals(ClusterHealth.NO_LEADER, stuck.get("healthLeader"), stuck.toString());
        assertTrue(stuck.get("size") < 3001, "it did not catch up: " + stuck);

        nodes[leader].send("put after 1");
        nodes[leader].await("ok put after ", TIMEOUT_MS * 2);
        for (int i = 0; i < NODES; i++)
        {
            if (i != lagging)
            {
                final Map<String, Long> state = nodes[i].state();
                assertEquals(1, state.get("working"), "node " + i + " serves on: " + state);
                assertEquals(leader, state.get("healthLeader"), state.toString());
            }
        }

        nodes[lagging].kill();
        final long startNs = System.nanoTime();
        launch(lagging, "reseed");
        assertEquals("RESEEDED true", nodes[lagging].await("RESEEDED", WAIT_MS));
        final long reseededMs = (System.nanoTime() - startNs) / 1_000_000;
        nodes[lagging].await("READY", WAIT_MS);
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        Set<String> seen = Set.of();
        while (System.currentTimeMillis() < deadline)
        {
            seen = new HashSet<>();
            for (final NodeProcess node : nodes)
            {
                final Map<String, Long> state = node.state();
                seen.add(state.get("size") + "/" + state.get("checksum") + "/" + state.get("working"));
            }
            if (seen.size() == 1)
            {
                break;
            }
            Thread.sleep(100);
        }
        System.out.println("lagging follower: re-seeded in " + reseededMs + " ms, converged "
            + (System.nanoTime() - startNs) / 1_000_000 + " ms after the re-seed began: " + seen);
        assertEquals(1, seen.size(), "replicas size/checksum/working: " + seen);
        assertTrue(seen.iterator().next().startsWith("3002/") && seen.iterator().next().endsWith("/1"),
            "all hold the 3002 keys and work: " + seen);
    }

    private void launch(final int index, final String... mode) throws Exception
    {
        final String[] extra = new String[2 + mode.length];
        extra[0] = Integer.toString(TERM_LENGTH);
        extra[1] = Integer.toString(SEGMENT_LENGTH);
        System.arraycopy(mode, 0, extra, 2, mode.length);
        nodes[index] = NodeProcess.start(index, members, dir, TIMEOUT_MS, INTERVAL_MS, extra);
        everStarted.add(nodes[index]);
    }

    private int workingLeader() throws Exception
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            for (final NodeProcess node : nodes)
            {
                final Map<String, Long> state = node.state();
                if (state.get("working") == 1 && state.get("healthLeader") == node.index())
                {
                    return node.index();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no working leader");
    }
}
