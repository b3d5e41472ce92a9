package io.switchboard.cluster.links;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.switchboard.cluster.ClusterContext;
import io.switchboard.cluster.FreePorts;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes' links in one JVM, each on its own embedded media driver, over UDP on loopback. The test thread owns
 * all three (it is their one agent) and drives a manual clock that never runs ahead of the wall clock, so liveness
 * deadlines are asserted to the tick while Aeron's own timers run on real time.
 */
class NodeLinksTest
{
    private static final int NODES = 3;
    private static final long TICK_MS = 5;
    private static final long TIMEOUT_MS = LinksContext.DEFAULT_TIMEOUT_MS;
    private static final long HEARTBEAT_MS = LinksContext.DEFAULT_HEARTBEAT_INTERVAL_MS;
    private static final long WAIT_MS = 15_000;
    private static final int DATA = 1;
    private static final int GREETING = 9;
    private static final int LARGEST = 10;

    private final ManualClock clock = new ManualClock();
    private final String dirPrefix = "/dev/shm/switchboard-links-test-" + UUID.randomUUID() + "-";
    private final Node[] nodes = new Node[NODES];
    private final List<Node> started = new ArrayList<>();
    private List<ClusterContext.Member> members;

    @BeforeEach
    void start()
    {
        final int base = FreePorts.base(NODES * ClusterContext.PORTS_PER_MEMBER);
        final List<ClusterContext.Member> list = new ArrayList<>();
        for (int i = 0; i < NODES; i++)
        {
            list.add(new ClusterContext.Member("127.0.0.1", base + i * ClusterContext.PORTS_PER_MEMBER));
        }
        members = list;
        for (int i = 0; i < NODES; i++)
        {
            nodes[i] = new Node(i, started.size());
            started.add(nodes[i]);
        }
        pumpUntil(this::allUp, "every node seeing the other two up");
    }

    @AfterEach
    void stop()
    {
        for (final Node node : started)
        {
            node.close();
        }
    }

    @Test
    void messagesArriveWholeAndInOrderPerSenderAndABroadcastReachesEveryPeer()
    {
        final int count = 2_000;
        final int[] next = new int[NODES];
        final Node receiver = nodes[1];
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4_000]);
        long bytesFromZero = 0;
        while (next[0] < count || next[2] < count)
        {
            for (final int sender : new int[] {0, 2})
            {
                for (int burst = 0; burst < 50 && next[sender] < count; burst++)
                {
                    final int length = fill(payload, next[sender]);
                    if (nodes[sender].links.offer(1, DATA, payload, 0, length) != LinkOffer.SENT)
                    {
                        break;
                    }
                    bytesFromZero += sender == 0 ? LinkHeader.LENGTH + length : 0;
                    next[sender]++;
                }
            }
            pump();
        }
        pumpUntil(() -> receiver.expectedSequence[0] == count && receiver.expectedSequence[2] == count,
            "node 1 receiving every message of nodes 0 and 2");
        assertEquals(0, receiver.outOfOrder, "messages out of order or corrupt");
        assertEquals(count, nodes[0].counters.messagesSent[1].get());
        assertEquals(count, receiver.counters.messagesReceived[0].get());
        assertEquals(count, receiver.counters.messagesReceived[2].get());
        assertEquals(bytesFromZero, nodes[0].counters.bytesSent[1].get());
        assertEquals(bytesFromZero, receiver.counters.bytesReceived[0].get());

        payload.putStringWithoutLengthAscii(0, "hello");
        assertEquals(2, nodes[2].links.broadcast(GREETING, payload, 0, 5));
        pumpUntil(() -> nodes[0].greetings.contains(2) && nodes[1].greetings.contains(2), "the broadcast at 0 and 1");
        assertEquals(0, nodes[2].greetings.size());
        assertEquals(0, nodes[1].counters.droppedLength.get() + nodes[1].counters.droppedShort.get()
            + nodes[1].counters.droppedType.get() + nodes[1].counters.droppedOrigin.get()
            + nodes[1].counters.droppedStale.get());
        assertTrue(nodes[1].counters.heartbeatsReceived[0].get() > 0);
    }

    @Test
    void aMessageTheReceiverRefusesIsOfferedAgainAtTheNextPollInOrderAndNothingIsLost()
    {
        final int count = 600;
        final Node receiver = nodes[1];
        // Every seventh message is refused twice before it is taken: whole messages of one to three fragments.
        receiver.refusalsPerSeventh = 2;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4_000]);
        int next = 0;
        while (next < count)
        {
            for (int burst = 0; burst < 20 && next < count; burst++)
            {
                final int length = fill(payload, next);
                if (nodes[0].links.offer(1, DATA, payload, 0, length) != LinkOffer.SENT)
                {
                    break;
                }
                next++;
            }
            pump();
        }
        pumpUntil(() -> receiver.expectedSequence[0] == count, "node 1 taking every message of node 0");
        assertEquals(0, receiver.outOfOrder, "a message out of order, corrupt or lost");
        assertEquals(count, receiver.counters.messagesReceived[0].get(), "each message taken once");
        assertEquals(2L * ((count + 6) / 7), receiver.counters.receiverFull[0].get(), "every refusal counted");
        assertEquals(2 * ((count + 6) / 7), receiver.refused);
    }

    @Test
    void theLargestPayloadTheContextDecidesCrossesInOneMessageAndOneByteMoreIsRefusedBeforeSending()
    {
        final int largest = LinksContext.maxPayloadLength(LinksContext.DEFAULT_TERM_LENGTH);
        assertEquals(LinksContext.DEFAULT_TERM_LENGTH / 8 - LinkHeader.LENGTH, largest);
        assertEquals(largest, nodes[0].links.maxPayloadLength());
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[largest + 1]);
        payload.setMemory(0, largest + 1, (byte)7);
        pumpUntil(() -> nodes[0].links.offer(1, LARGEST, payload, 0, largest) == LinkOffer.SENT, "the largest sent");
        pumpUntil(() -> !nodes[1].largest.isEmpty(), "the largest at node 1");
        assertEquals(List.of(largest), nodes[1].largest);
        assertThrows(IllegalArgumentException.class, () -> nodes[0].links.offer(1, LARGEST, payload, 0, largest + 1));
    }

    @Test
    void everyNodeHeartbeatsEveryPeerOnceAnIntervalOnItsClock()
    {
        final long[] sentBefore =
            {nodes[0].counters.heartbeatsSent[1].get(), nodes[0].counters.heartbeatsSent[2].get()};
        final long span = 10 * HEARTBEAT_MS;
        final long endMs = clock.nowMs + span;
        while (clock.nowMs < endMs)
        {
            pump();
        }
        for (final int peer : new int[] {1, 2})
        {
            final long sent = nodes[0].counters.heartbeatsSent[peer].get() - sentBefore[peer - 1];
            assertTrue(sent >= span / HEARTBEAT_MS - 1 && sent <= span / HEARTBEAT_MS + 1,
                sent + " heartbeats to " + peer + " in " + span + " ms");
        }
        assertTrue(nodes[1].counters.heartbeatsReceived[0].get() >= nodes[0].counters.heartbeatsSent[1].get() - 2);
    }

    @Test
    void aPeerThatStopsPollingBackPressuresItsSendersWithinOneWindowAndEverythingSentArrivesLater()
    {
        final Node receiver = nodes[1];
        receiver.polling = false;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1_000]);
        int sent = 0;
        int refusedPumps = 0;
        while (refusedPumps < 20)
        {
            boolean refused = false;
            for (int burst = 0; burst < 20; burst++)
            {
                payload.putInt(0, sent, ByteOrder.LITTLE_ENDIAN);
                final LinkOffer offer = nodes[0].links.offer(1, DATA, payload, 0, payload.capacity());
                if (offer != LinkOffer.SENT)
                {
                    assertEquals(LinkOffer.BACK_PRESSURED, offer);
                    refused = true;
                    break;
                }
                sent++;
            }
            refusedPumps = refused ? refusedPumps + 1 : 0;
            pump();
        }
        assertTrue(sent > 0);
        assertTrue((long)sent * (LinkHeader.LENGTH + payload.capacity()) <= LinksContext.DEFAULT_TERM_LENGTH,
            "more in flight than a term: " + sent);
        assertTrue(nodes[0].counters.backPressured[1].get() >= 20);
        assertEquals(0, receiver.counters.messagesReceived[0].get());

        receiver.polling = true;
        final int total = sent;
        pumpUntil(() -> receiver.expectedSequence[0] == total, "node 1 catching up on what node 0 sent");
        assertEquals(0, receiver.outOfOrder);
        payload.putInt(0, total, ByteOrder.LITTLE_ENDIAN);
        pumpUntil(() -> nodes[0].links.offer(1, DATA, payload, 0, payload.capacity()) == LinkOffer.SENT,
            "node 0 sending again");
        assertTrue(receiver.events.stream().noneMatch(event -> event.startsWith("down")), receiver.events.toString());
    }

    @Test
    void aSilentPeerIsDownAtItsDeadlineNotEarlierAndAtMostATickLateThenUpAgainAsTheSameProcess()
    {
        final Node silent = nodes[2];
        final long incarnation = silent.links.incarnation();
        silent.frozen = true;
        final long frozenAtMs = clock.nowMs;
        final long[] deadlineMs = new long[NODES];
        final long[] downAtMs = {-1, -1, -1};
        while (downAtMs[0] < 0 || downAtMs[1] < 0)
        {
            for (final int watcher : new int[] {0, 1})
            {
                if (nodes[watcher].links.isUp(2))
                {
                    deadlineMs[watcher] = nodes[watcher].links.downDeadlineMs(2);
                }
            }
            pump();
            for (final int watcher : new int[] {0, 1})
            {
                if (downAtMs[watcher] < 0 && !nodes[watcher].links.isUp(2))
                {
                    downAtMs[watcher] = nodes[watcher].lastDownAtMs[2];
                }
            }
            assertTrue(clock.nowMs - frozenAtMs < 3 * TIMEOUT_MS, "no down within three timeouts");
        }
        for (final int watcher : new int[] {0, 1})
        {
            assertTrue(downAtMs[watcher] >= deadlineMs[watcher], "early at node " + watcher);
            assertTrue(downAtMs[watcher] < deadlineMs[watcher] + TICK_MS, "more than a tick late at " + watcher);
            assertTrue(downAtMs[watcher] - frozenAtMs <= TIMEOUT_MS + HEARTBEAT_MS + 2 * TICK_MS,
                "down " + (downAtMs[watcher] - frozenAtMs) + " ms after the peer went silent");
            assertEquals(1, nodes[watcher].counters.downs[2].get());
            assertEquals(0, nodes[watcher].counters.up[2].get());
        }

        silent.frozen = false;
        pumpUntil(this::allUp, "node 2 up again");
        for (final int watcher : new int[] {0, 1})
        {
            assertEquals("up 2 " + incarnation, nodes[watcher].lastEvent());
            assertEquals(2, nodes[watcher].counters.ups[2].get());
        }
    }

    @Test
    void aClosedPeerIsDownWithinTheTimeoutAndComesBackAsANewIncarnation()
    {
        final long oldIncarnation = nodes[2].links.incarnation();
        final long closedAtMs = clock.nowMs;
        nodes[2].close();
        pumpUntil(() -> !nodes[0].links.isUp(2) && !nodes[1].links.isUp(2), "nodes 0 and 1 seeing node 2 down");
        for (final int watcher : new int[] {0, 1})
        {
            assertTrue(nodes[watcher].lastDownAtMs[2] - closedAtMs <= TIMEOUT_MS + TICK_MS,
                "down " + (nodes[watcher].lastDownAtMs[2] - closedAtMs) + " ms after the close");
        }

        nodes[2] = new Node(2, started.size());
        started.add(nodes[2]);
        final long newIncarnation = nodes[2].links.incarnation();
        assertNotEquals(oldIncarnation, newIncarnation);
        pumpUntil(this::allUp, "node 2 back");
        for (final int watcher : new int[] {0, 1})
        {
            assertEquals("up 2 " + newIncarnation, nodes[watcher].lastEvent());
            assertEquals(newIncarnation, nodes[watcher].links.peerIncarnation(2));
        }

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final int length = fill(payload, 0);
        pumpUntil(() -> nodes[0].links.offer(2, DATA, payload, 0, length) == LinkOffer.SENT, "0 sending to 2");
        pumpUntil(() -> nodes[2].expectedSequence[0] == 1, "node 2 receiving from node 0");
        assertEquals(0, nodes[2].outOfOrder);
    }

    @Test
    void malformedFramesAreCountedByReasonAndReachNeitherTheHandlerNorLiveness()
    {
        final Node target = nodes[1];
        try (Aeron stranger = Aeron.connect(new Aeron.Context().aeronDirectoryName(nodes[0].aeronDir));
            ExclusivePublication publication = stranger.addExclusivePublication(
                "aeron:udp?endpoint=" + members.get(1).endpoint(LinksContext.PORT_OFFSET),
                LinksContext.DEFAULT_STREAM_ID))
        {
            pumpUntil(publication::isConnected, "the stranger's publication connected");
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[LinkHeader.LENGTH + 8]);
            final LinkHeader header = new LinkHeader().wrap(frame, 0);
            final int whole = LinkHeader.LENGTH + 8;
            header.messageType(DATA).originNode(2).length(8).incarnation(4242);
            offerUntilSent(publication, frame, LinkHeader.LENGTH - 1);
            header.length(9);
            offerUntilSent(publication, frame, whole);
            header.length(8).messageType(-3);
            offerUntilSent(publication, frame, whole);
            header.messageType(LinkHeader.TYPE_HEARTBEAT);
            offerUntilSent(publication, frame, whole);
            header.messageType(DATA).originNode(1);
            offerUntilSent(publication, frame, whole);
            header.originNode(NODES);
            offerUntilSent(publication, frame, whole);
            pumpUntil(() -> target.counters.droppedShort.get() == 1 && target.counters.droppedLength.get() == 1
                && target.counters.droppedType.get() == 2 && target.counters.droppedOrigin.get() == 2,
                "every malformed frame counted by its reason");
        }
        assertEquals(0, target.counters.messagesReceived[2].get());
        assertEquals(0, target.expectedSequence[2]);
        assertNotEquals(4242, target.links.peerIncarnation(2), "a malformed frame moved node 2's incarnation");
        assertTrue(target.events.stream().noneMatch(event -> event.startsWith("down")), target.events.toString());
    }

    private void offerUntilSent(final ExclusivePublication publication, final UnsafeBuffer frame, final int length)
    {
        pumpUntil(() -> publication.offer(frame, 0, length) > 0, "a frame sent");
    }

    private boolean allUp()
    {
        for (int i = 0; i < NODES; i++)
        {
            for (int j = 0; j < NODES; j++)
            {
                if (i != j && !nodes[i].links.isUp(j))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** One duty cycle of every running node, then one tick: the manual clock never runs ahead of real time. */
    private void pump()
    {
        for (final Node node : nodes)
        {
            if (!node.frozen && !node.closed)
            {
                node.links.doWork();
                if (node.polling)
                {
                    node.links.poll(node, 64);
                }
            }
        }
        try
        {
            Thread.sleep(TICK_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        clock.nowMs += TICK_MS;
    }

    private void pumpUntil(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            pump();
        }
    }

    /** Message {@code sequence}: the sequence number, then a pattern, 4 to 3003 bytes (often several frames). */
    private static int fill(final UnsafeBuffer payload, final int sequence)
    {
        final int length = 4 + (sequence * 37) % 3_000;
        payload.putInt(0, sequence, ByteOrder.LITTLE_ENDIAN);
        for (int i = 4; i < length; i++)
        {
            payload.putByte(i, (byte)(sequence + i));
        }
        return length;
    }

    private static final class ManualClock implements EpochClock
    {
        long nowMs = 1_000_000;

        @Override
        public long time()
        {
            return nowMs;
        }
    }

    private final class Node implements LinkListener, LinkMessageHandler, AutoCloseable
    {
        final int index;
        final String aeronDir;
        final MediaDriver driver;
        final LinksCounters counters;
        final NodeLinks links;
        final List<String> events = new ArrayList<>();
        final long[] lastDownAtMs = new long[NODES];
        final int[] expectedSequence = new int[NODES];
        final List<Integer> greetings = new ArrayList<>();
        final List<Integer> largest = new ArrayList<>();
        /** How many times each message whose sequence is a multiple of 7 is refused before it is taken. */
        int refusalsPerSeventh;
        int refusedThisOne;
        int refused;
        int outOfOrder;
        boolean polling = true;
        boolean frozen;
        boolean closed;

        Node(final int index, final int generation)
        {
            this.index = index;
            aeronDir = dirPrefix + index + "-" + generation;
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MILLISECONDS.toNanos(1)))
                .asyncExecutorEnabled(false)
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            counters = new LinksCounters(new Metrics(), NODES, index);
            links = new NodeLinks(new LinksContext()
                .members(members)
                .nodeIndex(index)
                .aeronDirectoryName(driver.aeronDirectoryName())
                .clock(clock)
                .conclude(), counters, this);
        }

        @Override
        public void onPeerUp(final int node, final long incarnation)
        {
            events.add("up " + node + " " + incarnation);
        }

        @Override
        public void onPeerDown(final int node)
        {
            events.add("down " + node);
            lastDownAtMs[node] = clock.nowMs;
        }

        String lastEvent()
        {
            return events.get(events.size() - 1);
        }

        @Override
        public boolean onMessage(
            final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
        {
            if (messageType == GREETING)
            {
                assertEquals("hello", buffer.getStringWithoutLengthAscii(offset, length));
                greetings.add(originNode);
                return true;
            }
            if (messageType == LARGEST)
            {
                boolean intact = true;
                for (int i = 0; i < length && intact; i++)
                {
                    intact = buffer.getByte(offset + i) == 7;
                }
                largest.add(intact ? length : -length);
                return true;
            }
            final int sequence = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            if (sequence % 7 == 0 && refusedThisOne < refusalsPerSeventh)
            {
                refusedThisOne++;
                refused++;
                return false;
            }
            refusedThisOne = 0;
            boolean intact = sequence == expectedSequence[originNode];
            if (length != 1_000)
            {
                intact &= length == 4 + (sequence * 37) % 3_000;
                for (int i = 4; i < length && intact; i++)
                {
                    intact = buffer.getByte(offset + i) == (byte)(sequence + i);
                }
            }
            if (!intact)
            {
                outOfOrder++;
            }
            expectedSequence[originNode] = sequence + 1;
            return true;
        }

        @Override
        public void close()
        {
            if (!closed)
            {
                closed = true;
                CloseHelper.closeAll(links, driver);
                IoUtil.delete(new File(aeronDir), true);
            }
        }
    }
}
