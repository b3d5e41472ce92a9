package io.switchboard.engine.pulse;

import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.PulseKeyCommand;
import io.switchboard.engine.command.PulsePeerQueryCommand;
import io.switchboard.engine.command.PulseRegisterCommand;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.links.LinkTypes;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.pipeline.EngineTimers;
import io.switchboard.engine.table.PulseClientRecord;
import io.switchboard.engine.table.PulseKey;
import io.switchboard.engine.table.TableFiles;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A client's deadlines across cluster nodes (PulseLocations), on one fake clock: each node is a pulse server with its
 * own table, wheel and link queues, and what one node's queues hold is handed to the other nodes at every
 * millisecond, as the links would. Each test says at which clock value a client turned PENDING, and on which node
 * (the owner's deadline fires, nobody else's does), and what the other nodes answer about the client.
 */
class PulseOwnershipTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final long GRACE_MS = 10_000;
    private static final long TTL_MS = 3_000;
    private static final long ERROR_MS = 5_000;
    private static final long CLIENT_MSB = 11;
    private static final long CLIENT_LSB = 12;
    private static final String PENDING = "switchboard_pulse_deadlines_total{result=\"pending\"}";
    private static final String EXPIRED = "switchboard_pulse_deadlines_total{result=\"expired\"}";

    @TempDir
    Path directory;

    private final CachedEpochClock time = new CachedEpochClock();
    private final EngineClock clock = new EngineClock(time);
    private final PulseKey key = new PulseKey().set(1, 2, 3, 4);
    private final UnsafeBuffer pulse = new UnsafeBuffer(ByteBuffer.allocateDirect(PulseKey.LENGTH));
    private final ByteBuffer reply = ByteBuffer.allocate(64);
    private final List<Node> nodes = new ArrayList<>();
    private final List<DatagramChannel> clients = new ArrayList<>();
    private long lastPolledMs;

    /** One cluster node's pulse server, as the appliance builds it with the links' outbox. */
    private final class Node
    {
        final int index;
        final Metrics metrics = new Metrics();
        final EngineTimers timers;
        final LinkOutbox outbox;
        final CommandReplies replies = new CommandReplies();
        final DatagramChannel socket;
        final PulseServer server;

        Node(final int index, final int members) throws IOException
        {
            this(index, members, 64 * 1024);
        }

        Node(final int index, final int members, final int queueBytes) throws IOException
        {
            this(index, members, queueBytes, 16);
        }

        Node(final int index, final int members, final int queueBytes, final int maxClients) throws IOException
        {
            this.index = index;
            timers = new EngineTimers(clock.nowMs());
            final AtomicCounter[] full = new AtomicCounter[members];
            for (int node = 0; node < members; node++)
            {
                full[node] = metrics.counter("test_outbox_full_total", "peer=\"" + node + "\"", "Full.");
            }
            outbox = new LinkOutbox(index, members, queueBytes, full);
            socket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            final DatagramSender sender = new DatagramSender(socket, 2048,
                metrics.counter("test_sent_total", "", "Sent."), metrics.counter("test_failed_total", "", "Failed."));
            final Path tables = Files.createDirectories(directory.resolve("node-" + index));
            server = new PulseServer(
                new PulseContext().port(0).maxClients(maxClients).registerGraceMs(GRACE_MS).pulseTtlMs(TTL_MS)
                    .errorTimeMs(ERROR_MS).tableFiles(new TableFiles(tables)).linkOutbox(outbox),
                metrics, sender, clock, timers, replies, new Liveness(metrics).register("persister"));
        }

        void register(final long registeredMs)
        {
            register(CLIENT_LSB, key, registeredMs);
        }

        void register(final long clientLsb, final PulseKey clientKey, final long registeredMs)
        {
            final UnsafeBuffer command = new UnsafeBuffer(new byte[PulseRegisterCommand.LENGTH]);
            PulseRegisterCommand.put(command, 0, 0, CLIENT_MSB, clientLsb, clientKey, registeredMs);
            server.onCommand(CommandType.PULSE_REGISTER, command, 0, PulseRegisterCommand.LENGTH);
        }

        /** The pulse reply's code; the pulse comes from {@code client}'s address. */
        int pulse(final DatagramChannel client) throws IOException
        {
            return pulse(client, key);
        }

        int pulse(final DatagramChannel client, final PulseKey clientKey) throws IOException
        {
            clientKey.putRaw(pulse, 0);
            final InetSocketAddress source = (InetSocketAddress)client.getLocalAddress();
            server.onDatagram(pulse, PulseKey.LENGTH, source, SocketAddresses.fingerprint(source));
            reply.clear();
            assertNotNull(client.receive(reply), "a reply");
            return PulseReply.code(new UnsafeBuffer(reply.flip()), 0);
        }

        void verify()
        {
            final UnsafeBuffer verify = new UnsafeBuffer(new byte[PulseKeyCommand.LENGTH]);
            PulseKeyCommand.put(verify, 0, CommandType.PULSE_VERIFY, 0, key);
            server.onCommand(CommandType.PULSE_VERIFY, verify, 0, PulseKeyCommand.LENGTH);
        }

        /** What GET /peer/{id}/udp asks this node's engine: the answer's copy. */
        UnsafeBuffer peerQuery() throws Exception
        {
            return peerQuery(CLIENT_LSB, key);
        }

        UnsafeBuffer peerQuery(final long clientLsb, final PulseKey clientKey) throws Exception
        {
            try (CommandReplies.Pending pending = replies.open())
            {
                final UnsafeBuffer query = new UnsafeBuffer(new byte[PulsePeerQueryCommand.LENGTH]);
                PulsePeerQueryCommand.put(query, 0, pending.correlationId(), clientKey, CLIENT_MSB, clientLsb);
                server.onCommand(CommandType.PULSE_PEER_QUERY, query, 0, PulsePeerQueryCommand.LENGTH);
                final DirectBuffer answer = pending.await(0);
                final UnsafeBuffer copy = new UnsafeBuffer(new byte[PulseAnswer.LENGTH]);
                copy.putBytes(0, answer, 0, PulseAnswer.LENGTH);
                return copy;
            }
        }

        long counter(final String series)
        {
            final long[] value = {Long.MIN_VALUE};
            metrics.reader().forEach((id, label) ->
            {
                if (label.equals(series))
                {
                    value[0] = metrics.reader().getCounterValue(id);
                }
            });
            assertNotEquals(Long.MIN_VALUE, value[0], "no counter " + series);
            return value[0];
        }
    }

    @AfterEach
    void close() throws IOException
    {
        for (final Node node : nodes)
        {
            node.server.close();
            node.socket.close();
        }
        for (final DatagramChannel client : clients)
        {
            client.close();
        }
    }

    /** {@code count} nodes that all hold the registration (from the log at {@link #START_MS}) and see each other up. */
    private void cluster(final int count) throws IOException
    {
        cluster(count, 64 * 1024);
    }

    /** As {@link #cluster(int)}, node 0's link queues {@code node0QueueBytes} each. */
    private void cluster(final int count, final int node0QueueBytes) throws IOException
    {
        setTime(START_MS);
        lastPolledMs = START_MS - 1;
        key.putRaw(pulse, 0);
        for (int i = 0; i < count; i++)
        {
            nodes.add(i == 0 ? new Node(i, count, node0QueueBytes) : new Node(i, count));
        }
        for (final Node node : nodes)
        {
            node.register(START_MS);
            for (final Node peer : nodes)
            {
                if (peer != node)
                {
                    node.server.onPeerNode(peer.index, true, 1);
                }
            }
        }
        tickAt(START_MS);
    }

    private DatagramChannel client() throws IOException
    {
        final DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client.configureBlocking(false);
        clients.add(client);
        return client;
    }

    @Test
    void aPulseToOneNodeMakesItTheOwnerAndTheOthersAnswerWithItsAddressAndRunNoTimer() throws Exception
    {
        cluster(3);
        final DatagramChannel client = client();
        tickTo(START_MS + 1_000);
        assertEquals(PulseReply.ON_TIME, nodes.get(2).pulse(client));
        tickAt(lastPolledMs + 1);
        for (final Node node : List.of(nodes.get(0), nodes.get(1)))
        {
            final UnsafeBuffer answer = node.peerQuery();
            assertEquals(PulseAnswer.OK, PulseAnswer.outcome(answer));
            assertEquals(PulseClientRecord.ONLINE, PulseAnswer.state(answer));
            assertEquals(((InetSocketAddress)client.getLocalAddress()).getPort(), PulseAnswer.port(answer));
            assertEquals(START_MS + 1_000, PulseAnswer.lastPulseMs(answer));
            assertEquals(0, node.timers.timerCount(), "node " + node.index + " runs no deadline of the client");
        }
        assertEquals(1, nodes.get(2).counter("switchboard_pulse_owned_clients"));
        // Turns PENDING on its owner one TTL after the pulse, to the millisecond; the others learn it then.
        assertEquals(START_MS + 1_000 + TTL_MS, runUntilChanged(nodes.get(2), PENDING, START_MS + GRACE_MS));
        tickAt(lastPolledMs + 1);
        for (final Node node : List.of(nodes.get(0), nodes.get(1)))
        {
            assertEquals(PulseClientRecord.PENDING, PulseAnswer.state(node.peerQuery()));
            assertEquals(1, node.counter("switchboard_pulse_clients{state=\"pending\"}"));
            assertEquals(0, node.counter(PENDING), "no deadline fired on node " + node.index);
        }
        // Forgotten by its owner after the error time, and with it everywhere.
        assertEquals(START_MS + 1_000 + TTL_MS + ERROR_MS,
            runUntilChanged(nodes.get(2), EXPIRED, START_MS + GRACE_MS + ERROR_MS));
        tickAt(lastPolledMs + 1);
        for (final Node node : nodes)
        {
            assertEquals(PulseAnswer.UNKNOWN_KEY, PulseAnswer.outcome(node.peerQuery()));
            assertEquals(0, node.counter("switchboard_pulse_clients{state=\"pending\"}"));
        }
        assertEquals(0, nodes.get(0).counter(EXPIRED) + nodes.get(1).counter(EXPIRED));
    }

    @Test
    void aClientWhosePulsesMoveToAnotherNodeKeepsOneStateAndItsOldOwnersDeadlineNeverFires() throws Exception
    {
        cluster(3);
        final DatagramChannel first = client();
        final DatagramChannel second = client();
        tickTo(START_MS + 1_000);
        assertEquals(PulseReply.ON_TIME, nodes.get(2).pulse(first));
        tickTo(START_MS + 2_000);
        assertEquals(PulseReply.ON_TIME, nodes.get(1).pulse(second));
        tickAt(lastPolledMs + 1);
        assertEquals(0, nodes.get(2).timers.timerCount(), "the old owner cancelled the client's timer");
        assertEquals(0, nodes.get(2).counter("switchboard_pulse_owned_clients"));
        assertEquals(1, nodes.get(1).counter("switchboard_pulse_owned_clients"));
        for (final Node node : nodes)
        {
            final UnsafeBuffer answer = node.peerQuery();
            assertEquals(((InetSocketAddress)second.getLocalAddress()).getPort(), PulseAnswer.port(answer));
            assertEquals(1, node.counter("switchboard_pulse_clients{state=\"online\"}"), "one client on " + node.index);
        }
        // The old owner's deadline (1 s + TTL) passes without a change anywhere; the new owner's fires on time.
        assertEquals(START_MS + 2_000 + TTL_MS, runUntilChanged(nodes.get(1), PENDING, START_MS + GRACE_MS));
        assertEquals(0, nodes.get(0).counter(PENDING) + nodes.get(2).counter(PENDING));
    }

    @Test
    void twoNodesHearingPulsesInTheSameMillisecondAgreeOnOneOwnerTheHigherNode() throws Exception
    {
        cluster(2);
        final DatagramChannel first = client();
        final DatagramChannel second = client();
        tickTo(START_MS + 1_000);
        nodes.get(0).pulse(first);
        nodes.get(1).pulse(second);
        tickAt(lastPolledMs + 1);
        assertEquals(0, nodes.get(0).timers.timerCount());
        assertEquals(1, nodes.get(1).timers.timerCount());
        for (final Node node : nodes)
        {
            assertEquals(((InetSocketAddress)second.getLocalAddress()).getPort(),
                PulseAnswer.port(node.peerQuery()), "node " + node.index);
        }
        assertEquals(1, nodes.get(0).counter("switchboard_pulse_locations_total{event=\"stale\"}") +
            nodes.get(1).counter("switchboard_pulse_locations_total{event=\"stale\"}"));
    }

    @Test
    void aVerifyOnAnotherNodeTakesThePendingClientThereAndItsTtlRunsFromTheVerify() throws Exception
    {
        cluster(2);
        final DatagramChannel client = client();
        tickTo(START_MS + 1_000);
        nodes.get(0).pulse(client);
        assertEquals(START_MS + 1_000 + TTL_MS, runUntilChanged(nodes.get(0), PENDING, START_MS + GRACE_MS));
        tickTo(START_MS + 5_000);
        nodes.get(1).verify();
        assertEquals(1, nodes.get(1).counter("switchboard_pulse_commands_total{command=\"verify\",result=\"online\"}"));
        tickAt(lastPolledMs + 1);
        assertEquals(PulseClientRecord.ONLINE, PulseAnswer.state(nodes.get(0).peerQuery()));
        assertEquals(0, nodes.get(0).timers.timerCount());
        assertEquals(START_MS + 5_000 + TTL_MS, runUntilChanged(nodes.get(1), PENDING, START_MS + GRACE_MS));
        assertEquals(1, nodes.get(0).counter(PENDING), "only the pending it had as owner");
    }

    @Test
    void whenTheOwnerGoesDownItsOnlineClientHasOneTtlFromThenToPulseElseItTurnsPendingOnEveryNode() throws Exception
    {
        cluster(3);
        final DatagramChannel client = client();
        tickTo(START_MS + 1_000);
        nodes.get(2).pulse(client);
        tickTo(START_MS + 2_000);
        nodes.get(0).server.onPeerNode(2, false, 1);
        nodes.get(1).server.onPeerNode(2, false, 1);
        final Node dead = nodes.remove(2);
        dead.server.close();
        dead.socket.close();
        assertEquals(0, nodes.get(0).counter("switchboard_pulse_locations_total{event=\"orphaned\"}"),
            "handed back from the next tick, not inside the event");
        tickAt(lastPolledMs + 1);
        assertEquals(1, nodes.get(0).counter("switchboard_pulse_locations_total{event=\"orphaned\"}"));
        assertEquals(START_MS + 2_000 + TTL_MS, runUntilChanged(nodes.get(0), PENDING, START_MS + GRACE_MS));
        assertEquals(1, nodes.get(1).counter(PENDING), "the same rule on every survivor");
        // Still known with the address its dead owner announced, PENDING until the error time.
        assertEquals(((InetSocketAddress)client.getLocalAddress()).getPort(),
            PulseAnswer.port(nodes.get(1).peerQuery()));
        assertEquals(START_MS + 2_000 + TTL_MS + ERROR_MS,
            runUntilChanged(nodes.get(0), EXPIRED, START_MS + GRACE_MS + ERROR_MS));
    }

    @Test
    void anOrphanedClientThatPulsesToASurvivorIsTakenThereAndTheOtherSurvivorStopsItsTimer() throws Exception
    {
        cluster(3);
        final DatagramChannel client = client();
        final DatagramChannel moved = client();
        tickTo(START_MS + 1_000);
        nodes.get(2).pulse(client);
        tickTo(START_MS + 2_000);
        nodes.get(0).server.onPeerNode(2, false, 1);
        nodes.get(1).server.onPeerNode(2, false, 1);
        final Node dead = nodes.remove(2);
        dead.server.close();
        dead.socket.close();
        tickTo(START_MS + 2_500);
        assertEquals(PulseReply.ON_TIME, nodes.get(1).pulse(moved));
        tickAt(lastPolledMs + 1);
        assertEquals(0, nodes.get(0).timers.timerCount());
        assertEquals(((InetSocketAddress)moved.getLocalAddress()).getPort(),
            PulseAnswer.port(nodes.get(0).peerQuery()));
        assertEquals(START_MS + 2_500 + TTL_MS, runUntilChanged(nodes.get(1), PENDING, START_MS + GRACE_MS));
        assertEquals(0, nodes.get(0).counter(PENDING));
    }

    @Test
    void aNodeThatComesUpIsSentTheClientsOwnedHereEvenOnesItNeverHeardRegister() throws Exception
    {
        setTime(START_MS);
        lastPolledMs = START_MS - 1;
        key.putRaw(pulse, 0);
        nodes.add(new Node(0, 2));
        nodes.add(new Node(1, 2));
        nodes.get(0).register(START_MS);
        final DatagramChannel client = client();
        tickTo(START_MS + 1_000);
        nodes.get(0).pulse(client);
        tickTo(START_MS + 1_500);
        assertEquals(PulseAnswer.UNKNOWN_KEY, PulseAnswer.outcome(nodes.get(1).peerQuery()), "not yet");
        nodes.get(0).server.onPeerNode(1, true, 1);
        nodes.get(1).server.onPeerNode(0, true, 1);
        tickAt(lastPolledMs + 1);
        tickAt(lastPolledMs + 1);
        final UnsafeBuffer answer = nodes.get(1).peerQuery();
        assertEquals(PulseAnswer.OK, PulseAnswer.outcome(answer));
        assertEquals(((InetSocketAddress)client.getLocalAddress()).getPort(), PulseAnswer.port(answer));
        assertEquals(0, nodes.get(1).timers.timerCount());
        // Its next pulse, to node 1, finds the key there and moves the client.
        assertEquals(PulseReply.ON_TIME, nodes.get(1).pulse(client));
        tickAt(lastPolledMs + 1);
        assertEquals(0, nodes.get(0).timers.timerCount());
    }

    @Test
    void aPulseFromTheSameAddressToItsOwnerAnnouncesNothing() throws Exception
    {
        cluster(2);
        final DatagramChannel client = client();
        tickTo(START_MS + 1_000);
        nodes.get(0).pulse(client);
        final long announced = nodes.get(0).counter("switchboard_pulse_locations_total{event=\"sent_client\"}");
        for (long at = START_MS + 2_000; at < START_MS + 8_000; at += 1_000)
        {
            tickTo(at);
            assertEquals(PulseReply.ON_TIME, nodes.get(0).pulse(client));
        }
        tickAt(lastPolledMs + 1);
        assertEquals(1, announced);
        assertEquals(announced, nodes.get(0).counter("switchboard_pulse_locations_total{event=\"sent_client\"}"));
    }

    @Test
    void aNewAddressHeardByTheOwnerIsAnnouncedAndTheOthersAnswerWithIt() throws Exception
    {
        cluster(2);
        final DatagramChannel first = client();
        final DatagramChannel second = client();
        tickTo(START_MS + 1_000);
        nodes.get(0).pulse(first);
        tickTo(START_MS + 2_000);
        assertEquals(((InetSocketAddress)first.getLocalAddress()).getPort(),
            PulseAnswer.port(nodes.get(1).peerQuery()));
        nodes.get(0).pulse(second);
        tickAt(lastPolledMs + 1);
        assertEquals(((InetSocketAddress)second.getLocalAddress()).getPort(),
            PulseAnswer.port(nodes.get(1).peerQuery()));
        assertEquals(START_MS + 2_000, PulseAnswer.lastPulseMs(nodes.get(1).peerQuery()));
        assertEquals(2, nodes.get(0).counter("switchboard_pulse_locations_total{event=\"sent_client\"}"));
    }

    @Test
    void announcementsAFullLinkQueueRefusedAreCountedAndTheClientsLatestViewIsSentOnceItHasRoom() throws Exception
    {
        setTime(START_MS);
        lastPolledMs = START_MS - 1;
        key.putRaw(pulse, 0);
        // Room for 9 announcements of 112 bytes, framed.
        nodes.add(new Node(0, 2, 1024));
        nodes.add(new Node(1, 2));
        for (final Node node : nodes)
        {
            node.register(START_MS);
            node.server.onPeerNode(1 - node.index, true, 1);
        }
        final List<DatagramChannel> addresses = List.of(client(), client());
        final List<Node> all = List.copyOf(nodes);
        nodes.remove(1);
        for (int i = 0; i < 12; i++)
        {
            tickTo(START_MS + 1_000 + i);
            all.get(0).pulse(addresses.get(i % 2));
        }
        assertTrue(all.get(0).counter("switchboard_pulse_locations_total{event=\"refused\"}") > 0);
        assertEquals(5, all.get(0).counter("switchboard_pulse_locations_total{event=\"refused\"}"),
            "12 announcements, room for 9: the last 3 refused, and the re-send tried at the 2 ticks between them");
        nodes.add(all.get(1));
        tickAt(lastPolledMs + 1);
        tickAt(lastPolledMs + 1);
        assertEquals(((InetSocketAddress)addresses.get(1).getLocalAddress()).getPort(),
            PulseAnswer.port(all.get(1).peerQuery()), "the last address, sent again");
        assertEquals(START_MS + 1_011, PulseAnswer.lastPulseMs(all.get(1).peerQuery()));
    }

    @Test
    void anAnnouncementAFullLinkQueueRefusedIsSentAgainAloneNotWithEveryClientAfterIt() throws Exception
    {
        setTime(START_MS);
        lastPolledMs = START_MS - 1;
        // Room for 9 announcements of 112 bytes, framed.
        nodes.add(new Node(0, 2, 1024));
        nodes.add(new Node(1, 2));
        final int count = 10;
        for (final Node node : nodes)
        {
            for (int c = 0; c < count; c++)
            {
                node.register(c, keyOf(c), START_MS);
            }
            node.server.onPeerNode(1 - node.index, true, 1);
        }
        tickAt(START_MS);
        final List<Node> all = List.copyOf(nodes);
        nodes.remove(1);
        final DatagramChannel address = client();
        tickTo(START_MS + 1_000);
        // Clients 1..9 fill the queue (slots 1..9), then client 0's announcement (slot 0) is refused.
        for (int c = 1; c < count; c++)
        {
            assertEquals(PulseReply.ON_TIME, all.get(0).pulse(address, keyOf(c)));
        }
        assertEquals(PulseReply.ON_TIME, all.get(0).pulse(address, keyOf(0)));
        final String sent = "switchboard_pulse_locations_total{event=\"sent_client\"}";
        assertEquals(count - 1, all.get(0).counter(sent));
        assertEquals(1, all.get(0).counter("switchboard_pulse_locations_total{event=\"refused\"}"));
        nodes.add(all.get(1));
        tickAt(lastPolledMs + 1);
        tickAt(lastPolledMs + 1);
        assertEquals(count, all.get(0).counter(sent), "client 0 sent again, and none of the clients after it");
        assertEquals(((InetSocketAddress)address.getLocalAddress()).getPort(),
            PulseAnswer.port(all.get(1).peerQuery(0, keyOf(0))));
        assertEquals(0, all.get(1).timers.timerCount(), "node 1 runs none of node 0's clients");
    }

    @Test
    void aGoneOneNodesFullQueueRefusedNeverHoldsBackAnotherNodesGone() throws Exception
    {
        cluster(3, 1024); // room for 9 announcements of 112 bytes, framed, in each of node 0's queues
        final List<Node> all = List.copyOf(nodes);
        nodes.retainAll(List.of(all.get(0)));
        final List<DatagramChannel> addresses = List.of(client(), client());
        for (int i = 0; i < 12; i++)
        {
            tickTo(START_MS + 1_000 + i);
            all.get(0).pulse(addresses.get(i % 2));
        }
        // Both queues full: the owner forgets the client at its deadline, and both refuse the GONE.
        assertEquals(START_MS + 1_011 + TTL_MS + ERROR_MS,
            runUntilChanged(all.get(0), EXPIRED, START_MS + GRACE_MS));
        final String sentGone = "switchboard_pulse_locations_total{event=\"sent_gone\"}";
        assertEquals(0, all.get(0).counter(sentGone));
        nodes.add(all.get(2));
        tickAt(lastPolledMs + 1);
        tickAt(lastPolledMs + 1);
        assertEquals(1, all.get(0).counter(sentGone), "to node 2, once its queue had room");
        assertEquals(PulseAnswer.UNKNOWN_KEY, PulseAnswer.outcome(all.get(2).peerQuery()), "node 2 forgot it");
        assertEquals(PulseAnswer.OK, PulseAnswer.outcome(all.get(1).peerQuery()), "node 1's queue is still full");
    }

    @Test
    void aNodeDownHandsItsClientsBackAFixedNumberOfSlotsPerTickEachWithOneTtlFromWhenItWasSeenDown()
        throws Exception
    {
        assertEquals(16_384, PulseLocations.ORPHAN_SCAN_PER_TICK, "a million-slot table in 62 ticks");
        final int count = PulseLocations.ORPHAN_SCAN_PER_TICK + 2;
        final Node node = holdingClientsOfNode1(count);
        final String orphaned = "switchboard_pulse_locations_total{event=\"orphaned\"}";
        node.server.onPeerNode(1, false, 1);
        assertEquals(0, node.counter(orphaned), "nothing walked inside the event");
        tickAt(lastPolledMs + 1);
        assertEquals(PulseLocations.ORPHAN_SCAN_PER_TICK, node.counter(orphaned), "one tick's slots");
        tickAt(lastPolledMs + 1);
        assertEquals(count, node.counter(orphaned), "the last two slots at the next tick");
        assertEquals(count, node.timers.timerCount());
        // Every client, handed back at either tick, has one TTL from when node 1 was seen down: none turns PENDING
        // before, and the wheel, which expires a bounded number per poll, has turned them all by the next ticks.
        assertEquals(START_MS + 1_000 + TTL_MS, runUntilChanged(node, PENDING, START_MS + GRACE_MS));
        tickAt(lastPolledMs + 1);
        tickAt(lastPolledMs + 1);
        assertEquals(count, node.counter(PENDING), "all of them");
    }

    @Test
    void aNodeBackUpBeforeItsClientsAreAllHandedBackHasTheRestHandedBackInThatEvent() throws Exception
    {
        final int count = PulseLocations.ORPHAN_SCAN_PER_TICK + 2;
        final Node node = holdingClientsOfNode1(count);
        final String orphaned = "switchboard_pulse_locations_total{event=\"orphaned\"}";
        node.server.onPeerNode(1, false, 1);
        tickAt(lastPolledMs + 1);
        assertEquals(PulseLocations.ORPHAN_SCAN_PER_TICK, node.counter(orphaned));
        // What node 1 held before it went down is gone: all of it goes back to the rules before node 1 counts as up,
        // so nothing node 1 claims from now on is handed back by a scan still under way.
        node.server.onPeerNode(1, true, 2);
        assertEquals(count, node.counter(orphaned), "the last two slots in the up event");
        tickAt(lastPolledMs + 1);
        assertEquals(count, node.counter(orphaned), "and none again");
        assertEquals(count, node.timers.timerCount());
    }

    /** A node of two that learnt {@code count} ONLINE clients owned by node 1, at {@code START_MS + 1000}. */
    private Node holdingClientsOfNode1(final int count) throws IOException
    {
        setTime(START_MS);
        lastPolledMs = START_MS - 1;
        final Node node = new Node(0, 2, 64 * 1024, count);
        nodes.add(node);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[PulseLocationMessage.CLIENT_LENGTH]);
        final PulseClientRecord view = new PulseClientRecord();
        for (int c = 0; c < count; c++)
        {
            view.registered(keyOf(c), START_MS, START_MS + GRACE_MS).addressIpv4(0x7F000001, 9);
            view.state(PulseClientRecord.ONLINE, START_MS + TTL_MS);
            PulseLocationMessage.putClient(message, CLIENT_MSB, c, START_MS, view);
            assertTrue(node.server.onLinkMessage(1, PulseLocationMessage.CLIENT, message, 0, message.capacity()));
        }
        assertEquals(count, node.counter("switchboard_pulse_clients{state=\"online\"}"), "node 1 owns them all");
        tickTo(START_MS + 1_000);
        return node;
    }

    private static PulseKey keyOf(final int client)
    {
        return new PulseKey().set(1, 2, 3, 100 + client);
    }

    @Test
    void linkMessagesThatAreShortUnknownOrOutOfRangeAreCountedAndChangeNothing() throws Exception
    {
        cluster(2);
        final PulseServer server = nodes.get(0).server;
        final UnsafeBuffer message = new UnsafeBuffer(new byte[PulseLocationMessage.CLIENT_LENGTH]);
        final PulseClientRecord record = new PulseClientRecord().registered(key, START_MS, START_MS + GRACE_MS);
        record.addressIpv4(0x7F000001, 9);
        assertFalse(server.onLinkMessage(1, LinkTypes.ICE_FIRST, message, 0, 10), "not the pulse block");
        assertTrue(server.onLinkMessage(1, PulseLocationMessage.CLIENT, message, 0, 10));
        assertTrue(server.onLinkMessage(1, LinkTypes.PULSE_FIRST + 50, message, 0, message.capacity()));
        PulseLocationMessage.putClient(message, CLIENT_MSB, CLIENT_LSB, START_MS, record.state((byte)7, START_MS));
        server.onLinkMessage(1, PulseLocationMessage.CLIENT, message, 0, message.capacity());
        PulseLocationMessage.putClient(message, CLIENT_MSB, CLIENT_LSB, START_MS,
            record.state(PulseClientRecord.PENDING, Long.MAX_VALUE));
        server.onLinkMessage(1, PulseLocationMessage.CLIENT, message, 0, message.capacity());
        assertEquals(4, nodes.get(0).counter("switchboard_pulse_locations_total{event=\"malformed\"}"));
        assertEquals(PulseClientRecord.NO_ADDRESS, PulseAnswer.family(nodes.get(0).peerQuery()));
        assertEquals(1, nodes.get(0).timers.timerCount(), "still the registration's grace");
        PulseLocationMessage.putClient(message, CLIENT_MSB, CLIENT_LSB, START_MS,
            record.state(PulseClientRecord.ONLINE, START_MS + TTL_MS));
        server.onLinkMessage(1, PulseLocationMessage.CLIENT, message, 0, message.capacity());
        assertEquals(9, PulseAnswer.port(nodes.get(0).peerQuery()), "a well-formed one is taken");
    }

    /** Ticks every millisecond up to {@code limitMs}; the tick at which {@code node}'s counter moved, if it did. */
    private long runUntilChanged(final Node node, final String counter, final long limitMs)
    {
        final long before = node.counter(counter);
        while (lastPolledMs < limitMs)
        {
            tickAt(lastPolledMs + 1);
            if (node.counter(counter) != before)
            {
                return lastPolledMs;
            }
        }
        return fail(counter + " unchanged on node " + node.index + " by " + (limitMs - START_MS) + " ms");
    }

    private void tickTo(final long nowMs)
    {
        while (lastPolledMs < nowMs)
        {
            tickAt(lastPolledMs + 1);
        }
    }

    /** What each node's handler does at a batch whose clock moved, then what the links carry between them. */
    private void tickAt(final long nowMs)
    {
        setTime(nowMs);
        for (final Node node : nodes)
        {
            node.timers.poll(nowMs);
            node.server.onTick(nowMs);
        }
        deliver();
        lastPolledMs = nowMs;
    }

    private void deliver()
    {
        boolean moved = true;
        while (moved)
        {
            moved = false;
            for (final Node from : nodes)
            {
                for (final Node to : nodes)
                {
                    // A drain that only skips the ring's padding at its end takes no message but frees room.
                    final int queued = to == from ? 0 : from.outbox.queuedBytes(to.index);
                    if (queued > 0 && (from.outbox.drain(to.index, (node, type, buffer, offset, length) ->
                        to.server.onLinkMessage(from.index, type, buffer, offset, length), 1024) > 0 ||
                        from.outbox.queuedBytes(to.index) < queued))
                    {
                        moved = true;
                    }
                }
            }
        }
    }

    private void setTime(final long nowMs)
    {
        time.update(nowMs);
        clock.update();
    }
}
