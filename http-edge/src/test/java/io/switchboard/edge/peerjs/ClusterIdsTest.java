package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster rules of PeerJS ids on three realms, one per node, joined by fake links (each node's outbox drained
 * into the others' endpoints by the test) and run on one fake clock: claims ask every node that is up, the lower
 * node index wins concurrent claims, the same token takes over across nodes, relays go to the holder in order,
 * queues follow an id to its node, a node that goes down frees its ids, and a claim's deadline fires on time; a
 * claim a full outbox refuses fails at once, HOLDs a full outbox refused reach their node later, and a node that
 * answered a claim OK routes to the claimer until the claim ends, and a node a relay reaches on a stale route sends
 * it on once to the holder it knows.
 */
class ClusterIdsTest
{
    private static final int NODES = 3;
    private static final long START_MS = 5_000_000;
    private static final long ALIVE_MS = 2_000;
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final String ID_TAKEN = "{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}";
    private static final String CLUSTER_BUSY =
        "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Server is busy claiming ids, try again\"}}";
    private static final int OUTBOX_BYTES = 64 * 1024;
    /** An outbox per peer a few dozen link messages fill. */
    private static final int SMALL_OUTBOX_BYTES = 1024;

    private volatile long nowMs = START_MS;
    private final NanoClock clock = () -> TimeUnit.MILLISECONDS.toNanos(nowMs);
    /** By node, its signaling agents (one realm shard each). */
    private SignalingAgent[][] agents = new SignalingAgent[NODES][];
    private final LinkOutbox[] outboxes = new LinkOutbox[NODES];
    private final Realm[] realms = new Realm[NODES];
    private final PeerJsLinkEndpoint[] endpoints = new PeerJsLinkEndpoint[NODES];
    /** Links that carry nothing (a node cut off): by sender and receiver. */
    private final boolean[][] cut = new boolean[NODES][NODES];

    ClusterIdsTest()
    {
        build(1, OUTBOX_BYTES);
    }

    /** Three nodes of {@code agentsPerNode} signaling agents each, with link outboxes of {@code outboxBytes} a peer. */
    private void build(final int agentsPerNode, final int outboxBytes)
    {
        for (int node = 0; node < NODES; node++)
        {
            final Metrics metrics = new Metrics();
            final AtomicCounter[] full = fullCounters(metrics);
            agents[node] = new SignalingAgent[agentsPerNode];
            for (int i = 0; i < agentsPerNode; i++)
            {
                final String name = "node-" + node + "-" + i;
                agents[node][i] = new SignalingAgent(name, new Liveness(metrics).register(name), clock);
                agents[node][i].onStart();
            }
            outboxes[node] = new LinkOutbox(node, NODES, outboxBytes, full);
            realms[node] = RealmFixture.on(new PeerJsContext()
                .aliveTimeoutMs(ALIVE_MS)
                .linkOutbox(outboxes[node])
                .claimClock(() -> nowMs)
                .conclude(), metrics, agents[node]);
            endpoints[node] = new PeerJsLinkEndpoint(realms[node]);
        }
    }

    /** A link outbox's per-peer full counters. */
    private static AtomicCounter[] fullCounters(final Metrics metrics)
    {
        final AtomicCounter[] full = new AtomicCounter[NODES];
        for (int peer = 0; peer < NODES; peer++)
        {
            full[peer] = metrics.counter("full", "peer=\"" + peer + "\"", "h");
        }
        return full;
    }

    @AfterEach
    void close()
    {
        for (final SignalingAgent[] node : agents)
        {
            for (final SignalingAgent agent : node)
            {
                agent.onClose();
            }
        }
    }

    private void allUp()
    {
        for (int node = 0; node < NODES; node++)
        {
            for (int peer = 0; peer < NODES; peer++)
            {
                if (peer != node)
                {
                    endpoints[node].onPeerNode(peer, true, 1);
                }
            }
        }
        pump();
    }

    /** Duty cycles and link hops until nothing moves. */
    private void pump()
    {
        pumpUntil(() -> false);
    }

    /** Duty cycles and link hops until nothing moves, or until {@code done} holds after an agent's duty cycle. */
    private void pumpUntil(final BooleanSupplier done)
    {
        for (int round = 0; round < 20; round++)
        {
            int moved = 0;
            for (int node = 0; node < NODES; node++)
            {
                for (final SignalingAgent agent : agents[node])
                {
                    try
                    {
                        moved += agent.doWork();
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                    if (done.getAsBoolean())
                    {
                        return;
                    }
                }
            }
            for (int node = 0; node < NODES; node++)
            {
                final int from = node;
                for (int peer = 0; peer < NODES; peer++)
                {
                    if (peer != node && !cut[node][peer])
                    {
                        moved += outboxes[node].drain(peer, (to, type, buffer, offset, length) ->
                            endpoints[to].onLinkMessage(from, type, buffer, offset, length), 1_000);
                    }
                }
            }
            if (moved == 0)
            {
                return;
            }
        }
    }

    private RealmFixture.Recorder admit(final int node, final String id, final String token)
    {
        final RealmFixture.Recorder socket = new RealmFixture.Recorder();
        realms[node].shardFor(id).admit(socket, id, token, "peerjs", null);
        return socket;
    }

    private void send(final int node, final SignalEndpoint from, final String frame)
    {
        final byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        realms[node].shardFor(from.registration().id).onMessage(from, bytes, bytes.length);
    }

    @Test
    void aSecondSocketForAnIdHeldOnAnotherNodeGetsIdTaken()
    {
        allUp();
        final RealmFixture.Recorder first = admit(0, "X", "t1");
        assertEquals(List.of(), first.frames, "no OPEN before the other nodes answered");
        pump();
        assertEquals(List.of(OPEN), first.frames);

        final RealmFixture.Recorder second = admit(1, "X", "t2");
        pump();
        assertEquals(List.of(ID_TAKEN), second.frames);
        assertNull(second.registration());
        assertEquals(1, realms[1].counters().refusedIdTaken.get());
        assertEquals(0, realms[1].counters().registeredClients.get(), "the refused claim gave its place back");
    }

    @Test
    void theSameTokenOnAnotherNodeTakesTheIdOver()
    {
        allUp();
        final RealmFixture.Recorder before = admit(0, "X", "t");
        final RealmFixture.Recorder sender = admit(2, "S", "s");
        pump();
        final RealmFixture.Recorder after = admit(1, "X", "t");
        pump();
        assertEquals(List.of(OPEN), after.frames);
        assertNull(before.registration(), "the first node's socket lost the id");

        send(2, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":1}");
        pump();
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"S\",\"dst\":\"X\",\"payload\":1}"), after.frames);
        assertEquals(List.of(OPEN), before.frames);
    }

    @Test
    void relaysReachAPeerOnAnotherNodeInOrder()
    {
        allUp();
        final RealmFixture.Recorder a = admit(0, "A", "a");
        final RealmFixture.Recorder b = admit(2, "B", "b");
        pump();
        final List<String> expected = new ArrayList<>(List.of(OPEN));
        final String[] types = {"OFFER", "ANSWER", "CANDIDATE"};
        for (int i = 0; i < 300; i++)
        {
            final String type = types[i % types.length];
            send(0, a, "{\"type\":\"" + type + "\",\"dst\":\"B\",\"payload\":" + i + "}");
            expected.add("{\"type\":\"" + type + "\",\"src\":\"A\",\"dst\":\"B\",\"payload\":" + i + "}");
            if (i % 7 == 0)
            {
                pump();
            }
        }
        send(0, a, "{\"type\":\"LEAVE\",\"dst\":\"B\"}");
        expected.add("{\"type\":\"LEAVE\",\"src\":\"A\",\"dst\":\"B\"}");
        pump();
        assertEquals(expected, b.frames);
        assertEquals(301, realms[0].counters().relaySentToNode.get());
    }

    @Test
    void messagesQueuedForAnOfflineIdFollowItToTheNodeItConnectsTo()
    {
        allUp();
        final RealmFixture.Recorder a = admit(0, "A", "a");
        pump();
        send(0, a, "{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":1}");
        send(0, a, "{\"type\":\"CANDIDATE\",\"dst\":\"C\",\"payload\":2}");
        pump();
        assertEquals(2, realms[0].counters().queuedMessages.get());

        final RealmFixture.Recorder c = admit(1, "C", "c");
        pump();
        send(0, a, "{\"type\":\"ANSWER\",\"dst\":\"C\",\"payload\":3}");
        pump();
        assertEquals(List.of(OPEN,
            "{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":1}",
            "{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"C\",\"payload\":2}",
            "{\"type\":\"ANSWER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":3}"), c.frames);
        assertEquals(0, realms[0].counters().queuedMessages.get());
    }

    @Test
    void concurrentClaimsOfOneIdGoToTheLowerNodeIndex()
    {
        allUp();
        final RealmFixture.Recorder onTwo = admit(2, "X", "t2");
        final RealmFixture.Recorder onOne = admit(1, "X", "t1");
        pump();
        assertEquals(List.of(OPEN), onOne.frames);
        assertEquals(List.of(ID_TAKEN), onTwo.frames);
    }

    @Test
    void aNodeThatGoesDownFreesItsIdsAndNoLongerGetsTheirRelays()
    {
        allUp();
        final RealmFixture.Recorder a = admit(0, "A", "a");
        final RealmFixture.Recorder x = admit(2, "X", "old");
        pump();
        assertEquals(1, realms[0].counters().clusterRemoteIds.get(), "node 0 knows A's peer X is on node 2");

        cut[0][2] = cut[2][0] = cut[1][2] = cut[2][1] = true;
        endpoints[0].onPeerNode(2, false, 0);
        endpoints[1].onPeerNode(2, false, 0);
        pump();
        send(0, a, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":1}");
        pump();
        assertEquals(1, realms[0].counters().queuedMessages.get(), "queued here, not sent to the dead node");

        final RealmFixture.Recorder again = admit(1, "X", "new");
        pump();
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"X\",\"payload\":1}"), again.frames);
        assertEquals(List.of(OPEN), x.frames);
    }

    @Test
    void whenTwoNodesHeldOneIdApartTheEarlierClaimKeepsIt()
    {
        final RealmFixture.Recorder early = admit(1, "X", "t1");
        nowMs += 5;
        final RealmFixture.Recorder late = admit(0, "X", "t0");
        assertEquals(List.of(OPEN), early.frames, "no peer up: admitted at once");
        assertEquals(List.of(OPEN), late.frames);
        allUp();
        assertEquals(List.of(OPEN, ID_TAKEN), late.frames);
        assertNull(late.registration());
        assertTrue(early.registration() != null);
        assertEquals(1, realms[0].counters().closedClusterConflict.get());
    }

    @Test
    void aThirdNodeRoutesToTheEarlierClaimWhicheverHoldItHeardLast()
    {
        // Node 1's HOLD reaches node 2 after node 0's: without the winner telling every node again, node 2 would
        // route X to node 1, then forget it when node 1 lets X go.
        final RealmFixture.Recorder early = admit(0, "X", "t0");
        nowMs += 5;
        final RealmFixture.Recorder late = admit(1, "X", "t1");
        final RealmFixture.Recorder sender = admit(2, "S", "s");
        allUp();
        assertEquals(List.of(OPEN, ID_TAKEN), late.frames);

        send(2, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":1}");
        pump();
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"S\",\"dst\":\"X\",\"payload\":1}"), early.frames);
    }

    @Test
    void aClaimNoNodeAnswersIsConfirmedAtTheAliveTimeoutNotBefore()
    {
        allUp();
        for (int node = 1; node < NODES; node++)
        {
            cut[node][0] = true;
        }
        final long claimedAtMs = nowMs;
        final RealmFixture.Recorder socket = admit(0, "X", "t");
        long openedAtMs = -1;
        while (nowMs <= claimedAtMs + 2 * ALIVE_MS && openedAtMs < 0)
        {
            nowMs++;
            pump();
            if (socket.frames.contains(OPEN))
            {
                openedAtMs = nowMs;
            }
        }
        assertTrue(openedAtMs >= claimedAtMs + ALIVE_MS, "not before the alive timeout: " + (openedAtMs - claimedAtMs));
        assertTrue(openedAtMs <= claimedAtMs + ALIVE_MS + SignalingAgent.TICK_MS,
            "at most a tick late: " + (openedAtMs - claimedAtMs));
        assertEquals(1, realms[0].counters().claimsTimedOut.get());
    }

    @Test
    void aClaimWaitingForANodeThatGoesDownIsConfirmedThen()
    {
        allUp();
        cut[2][0] = true;
        final RealmFixture.Recorder socket = admit(0, "X", "t");
        pump();
        assertEquals(List.of(), socket.frames, "node 2 has not answered");
        endpoints[0].onPeerNode(2, false, 0);
        pump();
        assertEquals(List.of(OPEN), socket.frames);
        assertEquals(0, realms[0].counters().claimsTimedOut.get());
    }

    @Test
    void pendingClaimsAreCappedPerShardAndAnAbandonedClaimLeavesNothing()
    {
        allUp();
        cut[1][0] = cut[2][0] = true;
        final List<RealmFixture.Recorder> waiting = new ArrayList<>();
        for (int i = 0; i < RealmShard.MAX_PENDING_CLAIMS; i++)
        {
            waiting.add(admit(0, "id" + i, "t"));
            if (i % 100 == 0)
            {
                pump(); // the claims leave node 0's queues (the answers never come back)
            }
        }
        final RealmFixture.Recorder refused = admit(0, "one-more", "t");
        assertEquals(List.of("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Server is busy claiming ids, try again\"}}"),
            refused.frames);
        assertEquals(1, realms[0].counters().refusedClusterBusy.get());

        realms[0].shardFor("id0").release(waiting.get(0));
        assertEquals(1, realms[0].counters().claimsAbandoned.get());
        final RealmFixture.Recorder again = admit(0, "id0", "other");
        assertEquals(List.of(), again.frames, "a new claim, not ID-TAKEN from the abandoned one");
        assertEquals(0, realms[0].counters().refusedIdTaken.get());
    }

    @Test
    void anIdTooLongToClaimInOneLinksMessageIsRefused()
    {
        allUp();
        final RealmFixture.Recorder socket = admit(0, "x".repeat(20_000), "t");
        assertEquals(List.of("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Id or token is too long\"}}"),
            socket.frames);
        assertEquals(1, realms[0].counters().refusedClusterTooLong.get());
    }

    @Test
    void withSeveralAgentsPerNodeEachShardClaimsRelaysAndFollowsItsOwnIds()
    {
        close();
        build(3, OUTBOX_BYTES);
        allUp();
        final List<RealmFixture.Recorder> senders = new ArrayList<>();
        final List<RealmFixture.Recorder> receivers = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            senders.add(admit(0, "s" + i, "t"));
            receivers.add(admit(2, "r" + i, "t"));
        }
        pump();
        for (int i = 0; i < 12; i++)
        {
            for (int n = 0; n < 20; n++)
            {
                send(0, senders.get(i), "{\"type\":\"CANDIDATE\",\"dst\":\"r" + (11 - i) + "\",\"payload\":" + n + "}");
            }
        }
        send(0, senders.get(0), "{\"type\":\"OFFER\",\"dst\":\"late\",\"payload\":\"queued\"}");
        pump();
        for (int i = 0; i < 12; i++)
        {
            final List<String> expected = new ArrayList<>(List.of(OPEN));
            for (int n = 0; n < 20; n++)
            {
                expected.add("{\"type\":\"CANDIDATE\",\"src\":\"s" + (11 - i) + "\",\"dst\":\"r" + i + "\",\"payload\":" +
                    n + "}");
            }
            assertEquals(expected, receivers.get(i).frames);
        }
        final RealmFixture.Recorder intruder = admit(1, "r3", "other");
        pump();
        assertEquals(List.of(ID_TAKEN), intruder.frames);
        final RealmFixture.Recorder late = admit(1, "late", "t");
        pump();
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"s0\",\"dst\":\"late\",\"payload\":\"queued\"}"),
            late.frames);
    }

    @Test
    void aSocketWaitingForItsClaimIsKeptAliveByItsHeartbeats()
    {
        allUp();
        cut[1][0] = cut[2][0] = true;
        final int[] heartbeats = new int[1];
        final SignalEndpoint socket = new SignalEndpoint()
        {
            private Client client;

            @Override
            public boolean send(final byte[] frame, final int length)
            {
                return true;
            }

            @Override
            public void sendAndClose(final byte[] frame)
            {
            }

            @Override
            public void close(final AtomicCounter cause)
            {
            }

            @Override
            public void heartbeat()
            {
                heartbeats[0]++;
            }

            @Override
            public Client registration()
            {
                return client;
            }

            @Override
            public void registration(final Client client)
            {
                this.client = client;
            }
        };
        realms[0].shardFor("X").admit(socket, "X", "t", "peerjs", null);
        final byte[] heartbeat = "{\"type\":\"HEARTBEAT\"}".getBytes(StandardCharsets.UTF_8);
        realms[0].shardFor("X").onMessage(socket, heartbeat, heartbeat.length);
        assertEquals(1, heartbeats[0]);
        assertEquals(0, realms[0].counters().framesUnregistered.get());
    }

    @Test
    void aClaimWhoseQuestionAFullOutboxRefusesFailsAtOnceAndLeavesNoRouteBehind()
    {
        close();
        build(1, SMALL_OUTBOX_BYTES);
        allUp();
        final RealmFixture.Recorder sender = admit(1, "S", "s");
        pump();
        cut[0][2] = true; // node 0's queue to node 2 fills with claims node 2 never reads; node 1 answers them
        RealmFixture.Recorder refused = null;
        String refusedId = null;
        int waiting = 0;
        for (int i = 0; i < 200 && refused == null; i++)
        {
            final RealmFixture.Recorder socket = admit(0, "id" + i, "t");
            if (socket.frames.isEmpty())
            {
                waiting++;
                pump();
            }
            else
            {
                refused = socket;
                refusedId = "id" + i;
            }
        }
        assertNotNull(refused, "a claim node 2's full queue refused got an answer at once, not at the alive timeout");
        assertEquals(List.of(CLUSTER_BUSY), refused.frames);
        assertNull(refused.registration());
        assertEquals(1, realms[0].counters().claimsUnsent.get());
        assertEquals(1, realms[0].counters().refusedClusterBusy.get());

        pump();
        send(1, sender, "{\"type\":\"OFFER\",\"dst\":\"" + refusedId + "\",\"payload\":1}");
        pump();
        assertEquals(0, realms[1].counters().relaySentToNode.get(), "node 1 answered the claim OK, then heard it end");
        assertEquals(1, realms[1].counters().queuedMessages.get());

        cut[0][2] = false;
        pump();
        assertEquals(waiting, realms[0].counters().claimsConfirmed.get(), "the waiting claims were answered");
        final RealmFixture.Recorder again = admit(0, refusedId, "t2");
        pump();
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"S\",\"dst\":\"" + refusedId + "\",\"payload\":1}"),
            again.frames, "the failed claim left the id free, and its queue follows it");
    }

    @Test
    void holdsAFullOutboxRefusedWhenANodeCameUpReachItAtTheNextTicks()
    {
        close();
        build(1, SMALL_OUTBOX_BYTES);
        final int held = 200;
        for (int i = 0; i < held; i++)
        {
            admit(0, "h" + i, "t");
        }
        allUp();
        assertTrue(realms[0].counters().clusterOutboxFull.get() >= 2, "the announcement overflowed both queues");
        assertTrue(realms[1].counters().clusterRemoteIds.get() < held);

        // Node 1 goes down and up again half way: its announcement starts over.
        nowMs += SignalingAgent.TICK_MS;
        pump();
        endpoints[0].onPeerNode(1, false, 1);
        endpoints[1].onPeerNode(0, false, 1);
        pump();
        assertEquals(0, realms[1].counters().clusterRemoteIds.get());
        endpoints[0].onPeerNode(1, true, 2);
        endpoints[1].onPeerNode(0, true, 2);
        pump();

        final long startMs = nowMs;
        while (nowMs < startMs + 100 * SignalingAgent.TICK_MS &&
            (realms[1].counters().clusterRemoteIds.get() < held || realms[2].counters().clusterRemoteIds.get() < held))
        {
            nowMs += SignalingAgent.TICK_MS;
            pump();
        }
        assertEquals(held, realms[1].counters().clusterRemoteIds.get());
        assertEquals(held, realms[2].counters().clusterRemoteIds.get());
        final RealmFixture.Recorder sender = admit(2, "S", "s");
        pump();
        send(2, sender, "{\"type\":\"OFFER\",\"dst\":\"h" + (held - 1) + "\",\"payload\":1}");
        pump();
        assertEquals(1, realms[2].counters().relaySentToNode.get(), "the last id announced routes to node 0");
    }

    @Test
    void relaysSentTheInstantOpenArrivesGoStraightToTheNewIdsNodeNoneLost()
    {
        allUp();
        final RealmFixture.Recorder a = admit(0, "A", "a");
        pump();
        final RealmFixture.Recorder b = admit(2, "B", "b");
        pumpUntil(() -> b.frames.contains(OPEN));
        assertEquals(List.of(OPEN), b.frames);
        assertEquals(0, realms[0].counters().clusterRemoteIds.get(), "node 0 has not heard B's HOLD yet");

        final List<String> expected = new ArrayList<>(List.of(OPEN));
        // More than an offline queue keeps, all before node 0 hears anything more (they fit its outbox to node 2).
        final int frames = new PeerJsContext().maxQueuedPerId() + 100;
        for (int i = 0; i < frames; i++)
        {
            send(0, a, "{\"type\":\"CANDIDATE\",\"dst\":\"B\",\"payload\":" + i + "}");
            expected.add("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"B\",\"payload\":" + i + "}");
        }
        pump();
        assertEquals(expected, b.frames);
        assertEquals(0, realms[0].counters().relayDroppedQueueFull.get());
        assertEquals(0, realms[0].counters().relayQueued.get(), "sent to node 2, not queued for its HOLD");
    }

    @Test
    void aLosingConcurrentClaimLeavesTheRouteToTheWinner()
    {
        allUp();
        final RealmFixture.Recorder sender = admit(0, "S", "s");
        pump();
        final RealmFixture.Recorder onTwo = admit(2, "X", "t2");
        final RealmFixture.Recorder onOne = admit(1, "X", "t1");
        pumpUntil(() -> onOne.frames.contains(OPEN));
        cut[1][0] = true; // node 0 routes X from the claims it answered alone, never from node 1's HOLD
        send(0, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":1}");
        pump();
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"S\",\"dst\":\"X\",\"payload\":1}"), onOne.frames);
        assertEquals(List.of(ID_TAKEN), onTwo.frames);
        send(0, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":2}");
        pump();
        assertEquals(3, onOne.frames.size(), "still routed to node 1 once node 2's claim ended");
        assertEquals(0, realms[2].counters().relaySentToNode.get(), "straight to node 1, never by way of node 2");
    }

    @Test
    void anAbandonedClaimLeavesNoRouteBehind()
    {
        allUp();
        final RealmFixture.Recorder sender = admit(1, "S", "s");
        pump();
        cut[2][0] = true; // node 2 never answers: node 0's claim of X waits
        final RealmFixture.Recorder x = admit(0, "X", "t");
        pump();
        send(1, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":1}");
        pump();
        assertEquals(1, realms[1].counters().relaySentToNode.get(), "node 1 answered OK: X is routed to node 0");

        realms[0].shardFor("X").release(x);
        pump();
        send(1, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":2}");
        pump();
        assertEquals(1, realms[1].counters().relaySentToNode.get(), "the claim ended: not routed to node 0 any more");
        assertEquals(1, realms[1].counters().queuedMessages.get());
    }

    @Test
    void aClaimWhoseEndNeverArrivesStopsRoutingAtTwiceTheAliveTimeout()
    {
        allUp();
        final RealmFixture.Recorder sender = admit(1, "S", "s");
        pump();
        cut[2][0] = true;
        final long answeredMs = nowMs;
        final RealmFixture.Recorder x = admit(0, "X", "t");
        pump();
        cut[0][1] = true; // node 0's RELEASE never reaches node 1
        realms[0].shardFor("X").release(x);
        pump();

        nowMs = answeredMs + 2 * ALIVE_MS - 1;
        pump(); // the agents read the clock
        send(1, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":1}");
        assertEquals(1, realms[1].counters().relaySentToNode.get(), "the answer still stands");
        nowMs = answeredMs + 2 * ALIVE_MS;
        pump();
        send(1, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":2}");
        assertEquals(1, realms[1].counters().relaySentToNode.get(), "the answer is too old to route");
        assertEquals(1, realms[1].counters().queuedMessages.get());
    }

    @Test
    void aRelayToTheOldHolderOfAnIdTakenOverOnAnotherNodeReachesTheNewOne()
    {
        allUp();
        final RealmFixture.Recorder sender = admit(0, "S", "s");
        final RealmFixture.Recorder before = admit(1, "X", "t");
        pump();
        cut[1][0] = true; // node 0 hears neither node 1's RELEASE of X nor (below) node 2's HOLD yet
        final RealmFixture.Recorder after = admit(2, "X", "t");
        pumpUntil(() -> after.frames.contains(OPEN));
        cut[2][0] = true;
        pump();
        assertEquals(List.of(OPEN), after.frames);
        assertEquals(List.of(OPEN), before.frames);
        assertNull(before.registration());
        send(0, sender, "{\"type\":\"OFFER\",\"dst\":\"X\",\"payload\":1}");
        pump();
        cut[1][0] = cut[2][0] = false;
        pump();
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"S\",\"dst\":\"X\",\"payload\":1}"), after.frames);
    }

    @Test
    void aFrameAlreadySentOnIsDeliveredOrQueuedWhereItLandsNeverSentOnAgain()
    {
        allUp();
        final RealmFixture.Recorder before = admit(1, "X", "t");
        pump();
        final RealmFixture.Recorder after = admit(2, "X", "t"); // taken over: node 1 now routes X to node 2
        pumpUntil(() -> after.frames.contains(OPEN));
        pump();
        assertNull(before.registration());
        final String offer = "{\"type\":\"OFFER\",\"src\":\"S\",\"dst\":\"X\",\"payload\":1}";

        // A frame node 0 sent on a stale route (never sent on before) goes on from node 1 to X's holder, once.
        arriveAtNode1FromNode0(offer, false);
        assertEquals(1, realms[1].counters().relaySentToNode.get());
        assertEquals(List.of(OPEN, offer), after.frames);

        // The same frame marked as sent on already: node 1 keeps it (queued for X, an OFFER) whatever its route says.
        arriveAtNode1FromNode0(offer, true);
        assertEquals(1, realms[1].counters().relaySentToNode.get(), "not sent on a second time");
        assertEquals(1, realms[1].counters().queuedMessages.get(), "queued on the node it landed on");
        assertEquals(List.of(OPEN, offer), after.frames);
    }

    /** Node 0's RELAY of {@code frame} for X reaching node 1, flagged as already sent on or not. */
    private void arriveAtNode1FromNode0(final String frame, final boolean sentOn)
    {
        final Metrics metrics = new Metrics();
        final LinkOutbox wire = new LinkOutbox(0, NODES, OUTBOX_BYTES, fullCounters(metrics));
        final byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        assertTrue(new ClusterIds(wire, new PeerJsCounters(metrics), 4, ALIVE_MS)
            .relay(1, MessageType.OFFER, "S", "X", bytes, bytes.length, sentOn));
        assertEquals(1, wire.drain(1, (to, type, buffer, offset, length) ->
            endpoints[to].onLinkMessage(0, type, buffer, offset, length), 1_000));
        pump();
    }
}
