package io.switchboard.edge.links;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.switchboard.cluster.ClusterContext;
import io.switchboard.cluster.links.LinkListener;
import io.switchboard.cluster.links.LinkOffer;
import io.switchboard.cluster.links.LinksContext;
import io.switchboard.cluster.links.LinksCounters;
import io.switchboard.cluster.links.NodeLinks;
import io.switchboard.edge.testing.ClusterPorts;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.links.LinkEndpoint;
import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.links.LinkTypes;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A links agent (node 0) beside a peer's bare node links (node 1), each on its own embedded media driver, over UDP
 * on loopback; the test thread is both nodes' one agent. Node 0's engine owns two blocks (ICE and pulses) with one
 * endpoint, as the appliance wires it, and the PeerJS realm a third.
 */
class LinksAgentTest
{
    private static final long WAIT_MS = 15_000;
    private static final int MESSAGES = 60;

    private final String dirPrefix = "/dev/shm/switchboard-links-agent-test-" + UUID.randomUUID() + "-";
    private final List<ClusterContext.Member> members = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Recording engine = new Recording();
    private final Recording realm = new Recording();
    private LinksAgent agent;
    private NodeLinks peer;
    private boolean peerClosed;

    /** An owner's door that records what reaches it and refuses each message's first offer when asked to. */
    private static final class Recording implements LinkEndpoint
    {
        final List<String> peerEvents = new ArrayList<>();
        final List<String> messages = new ArrayList<>();
        boolean refuseFirstOffer;
        /** The next message throws (once), as an owner's bug would. */
        boolean throwNext;
        int refused;
        private boolean refusedThisOne;

        @Override
        public boolean onLinkMessage(
            final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
        {
            if (throwNext)
            {
                throwNext = false;
                throw new IllegalStateException("an owner's bug");
            }
            if (refuseFirstOffer && !refusedThisOne)
            {
                refusedThisOne = true;
                refused++;
                return false;
            }
            refusedThisOne = false;
            messages.add(originNode + ":" + messageType + ":" + buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN));
            return true;
        }

        @Override
        public void onPeerNode(final int node, final boolean up, final long incarnation)
        {
            peerEvents.add((up ? "up " : "down ") + node);
        }
    }

    @AfterEach
    void stop()
    {
        for (int i = closing.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closing.get(i));
        }
    }

    @Test
    void onePeerEventReachesEachEndpointOnceAndARefusedMessageIsOfferedAgainInOrder()
    {
        final String[] list = ClusterPorts.members(2).split(",");
        for (final String member : list)
        {
            final String[] hostPort = member.split(":");
            members.add(new ClusterContext.Member(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        final Metrics metrics = new Metrics();
        final LinksCounters counters = new LinksCounters(metrics, 2, 0);
        final LinkOutbox outbox = new LinkOutbox(0, 2, 64 * 1024, counters.outboxFull);
        final Watch watch = new Liveness(metrics).register(LinksAgent.THREAD);
        agent = new LinksAgent(context(0, driver(0)), counters, outbox,
            Map.of(LinkTypes.ICE_FIRST, engine, LinkTypes.PULSE_FIRST, engine, LinkTypes.PEERJS_FIRST, realm),
            watch);
        closing.add(agent);
        peer = new NodeLinks(context(1, driver(1)), new LinksCounters(new Metrics(), 2, 1), new LinkListener()
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
        closing.add(peer);

        pumpUntil(() -> !engine.peerEvents.isEmpty() && peer.isUp(0), "each node seeing the other up");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        engine.refuseFirstOffer = true;
        final List<String> expected = new ArrayList<>();
        for (int sequence = 0; sequence < MESSAGES; sequence++)
        {
            final int type = sequence % 3 == 0 ? LinkTypes.ICE_FIRST + 1 : sequence % 3 == 1 ?
                LinkTypes.PULSE_FIRST + 1 : LinkTypes.PEERJS_FIRST;
            payload.putInt(0, sequence, ByteOrder.LITTLE_ENDIAN);
            pumpUntil(() -> peer.offer(0, type, payload, 0, payload.capacity()) == LinkOffer.SENT, "a message sent");
            if (type != LinkTypes.PEERJS_FIRST)
            {
                expected.add("1:" + type + ":" + sequence);
            }
        }
        pumpUntil(() -> engine.messages.size() + realm.messages.size() == MESSAGES, "every message delivered");
        assertEquals(expected, engine.messages, "the engine's blocks, each message once and in order");
        assertEquals(MESSAGES / 3, realm.messages.size());
        assertEquals(expected.size(), engine.refused, "each of the engine's messages refused once first");
        assertEquals(List.of("up 1"), engine.peerEvents, "one up for the engine's two blocks");
        assertEquals(List.of("up 1"), realm.peerEvents);

        // An owner that throws on a message: the links' watch hears it (their Aeron image catches it and goes on past
        // that message), and the stream goes on.
        realm.throwNext = true;
        payload.putInt(0, MESSAGES, ByteOrder.LITTLE_ENDIAN);
        pumpUntil(() -> peer.offer(0, LinkTypes.PEERJS_FIRST, payload, 0, payload.capacity()) == LinkOffer.SENT,
            "a message sent");
        final long deadlineMs = System.currentTimeMillis() + WAIT_MS;
        while (watch.errors() == 0 && System.currentTimeMillis() < deadlineMs)
        {
            peer.doWork();
            agent.doWork();
        }
        assertEquals(1, watch.errors(), "the owner's exception reached the links' watch");
        assertEquals("an owner's bug", watch.lastError().getMessage());
        assertFalse(watch.failed(), "an exception is survived");
        payload.putInt(0, MESSAGES + 1, ByteOrder.LITTLE_ENDIAN);
        pumpUntil(() -> peer.offer(0, LinkTypes.PEERJS_FIRST, payload, 0, payload.capacity()) == LinkOffer.SENT,
            "a message sent");
        pumpUntil(() -> realm.messages.size() == MESSAGES / 3 + 1, "the next message delivered after the fault");
        assertEquals("1:" + LinkTypes.PEERJS_FIRST + ":" + (MESSAGES + 1), realm.messages.get(MESSAGES / 3));

        peer.close();
        peerClosed = true;
        pumpUntil(() -> engine.peerEvents.size() > 1, "node 1 seen down");
        pump(20);
        assertEquals(List.of("up 1", "down 1"), engine.peerEvents, "one down for the engine's two blocks");
        assertEquals(List.of("up 1", "down 1"), realm.peerEvents);
    }

    private LinksContext context(final int index, final MediaDriver driver)
    {
        return new LinksContext()
            .members(members)
            .nodeIndex(index)
            .aeronDirectoryName(driver.aeronDirectoryName())
            .conclude();
    }

    private MediaDriver driver(final int index)
    {
        final String directory = dirPrefix + index;
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MILLISECONDS.toNanos(1)))
            .asyncExecutorEnabled(false)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        closing.add(() -> IoUtil.delete(new File(directory), true));
        closing.add(driver);
        return driver;
    }

    private void pump(final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            agent.doWork();
            if (!peerClosed)
            {
                peer.doWork();
                peer.poll((origin, type, buffer, offset, length) -> true, 64);
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
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
            pump(1);
        }
    }
}
