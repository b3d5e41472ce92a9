package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The realm partitioned over two signaling agents, whose duty cycles the test runs: each id's shard lives on the agent
 * that owns it, and what one agent's ids send to another agent's ids travels on that agent's relay inbox, in order,
 * with the same rules as a relay on one agent (delivery, the offline queue and its EXPIRE, LEAVE after a failed
 * delivery), within the inbox's budget.
 */
class RealmAcrossAgentsTest
{
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final long START_MS = 3_000_000;
    private static final long EXPIRE_MS = 2_000;

    private volatile long nowMs = START_MS;
    private final NanoClock clock = () -> TimeUnit.MILLISECONDS.toNanos(nowMs);
    private final Metrics metrics = new Metrics();
    private final SignalingAgent first = agent("realm-agent-0");
    private final SignalingAgent second = agent("realm-agent-1");
    private final Realm realm = RealmFixture.on(
        new PeerJsContext().expireTimeoutMs(EXPIRE_MS).relayInboxBytes(64 * 1024).conclude(), metrics, first, second);

    @AfterEach
    void close()
    {
        first.onClose();
        second.onClose();
    }

    @Test
    void idsAreSpreadOverTheAgentsByAStableHash()
    {
        final int[] owned = new int[2];
        for (int i = 0; i < 1000; i++)
        {
            final String id = "peer-" + i;
            assertEquals(realm.owner(id), realm.owner(new String(id.toCharArray())), "stable");
            owned[realm.owner(id)]++;
        }
        assertTrue(owned[0] > 400 && owned[1] > 400, "spread: " + owned[0] + "/" + owned[1]);
    }

    @Test
    void framesToAnIdOfAnotherAgentArriveThereInOrder() throws Exception
    {
        final String a = idOf(0, "a");
        final String b = idOf(1, "b");
        final RealmFixture.Recorder alice = admit(a);
        final RealmFixture.Recorder bob = admit(b);
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":" + i + "}");
            expected.add("{\"type\":\"OFFER\",\"src\":\"" + a + "\",\"dst\":\"" + b + "\",\"payload\":" + i + "}");
            if (i % 100 == 99)
            {
                cycle(); // some on the ring while others are read
            }
        }
        cycle();
        assertEquals(expected, bob.frames.subList(1, bob.frames.size()));
        assertEquals(500, realm.counters().relayDelivered.get());
    }

    @Test
    void aFrameTooLargeForARecordTravelsBesideTheRingInItsPlace() throws Exception
    {
        final String a = idOf(0, "a");
        final String b = idOf(1, "b");
        final RealmFixture.Recorder alice = admit(a);
        final RealmFixture.Recorder bob = admit(b);
        final String big = "x".repeat(20_000); // above an eighth of the 64 KiB inbox
        send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":1}");
        send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":\"" + big + "\"}");
        send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":3}");
        cycle();
        assertEquals(4, bob.frames.size());
        assertTrue(bob.frames.get(1).endsWith("\"payload\":1}"));
        assertTrue(bob.frames.get(2).contains(big));
        assertTrue(bob.frames.get(3).endsWith("\"payload\":3}"));
    }

    @Test
    void whatAFullInboxCannotTakeWaitsWithTheSenderInOrderAndPastItsBudgetIsCountedAndDropped() throws Exception
    {
        final String a = idOf(0, "a");
        final String b = idOf(1, "b");
        final RealmFixture.Recorder alice = admit(a);
        final RealmFixture.Recorder bob = admit(b);
        final String payload = "y".repeat(1_000);
        final int sent = 200; // about 200 KB for a 64 KiB ring that nobody reads meanwhile: most wait with the sender
        for (int i = 0; i < sent; i++)
        {
            send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":\"" + i + payload + "\"}");
        }
        assertEquals(0, realm.counters().relayDroppedInboxFull.get(), "within the sender's budget");
        cycle();
        assertEquals(sent, bob.frames.size() - 1);
        for (int i = 1; i < bob.frames.size(); i++)
        {
            assertTrue(bob.frames.get(i).contains("\"payload\":\"" + (i - 1) + "y"), "in order: " + i);
        }

        final int budgetFrames = (int)(PeerJsContext.DEFAULT_MAX_SEND_BUFFER_BYTES / 1_050);
        for (int i = 0; i < budgetFrames + 200; i++) // the receiver is stuck: past the budget, frames go
        {
            send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":\"" + i + payload + "\"}");
        }
        assertTrue(realm.counters().relayDroppedInboxFull.get() >= 200, "counted and dropped past the budget");
    }

    @Test
    void theInboxTakesWhatFitsTheSenderHoldsItsBudgetAndTheRestIsDroppedCounted() throws Exception
    {
        final int holdBudget = 16 * 1024;
        final Realm small = RealmFixture.on(new PeerJsContext().relayInboxBytes(64 * 1024)
            .maxSendBufferBytes(holdBudget).conclude(), new Metrics(), first, second);
        final String a = idOf(0, "a");
        final String b = idOf(1, "b");
        final RealmFixture.Recorder alice = new RealmFixture.Recorder();
        small.shardFor(a).admit(alice, a, "t", PeerJsContext.DEFAULT_KEY, null);
        final RealmFixture.Recorder bob = new RealmFixture.Recorder();
        small.shardFor(b).admit(bob, b, "t", PeerJsContext.DEFAULT_KEY, null);
        final String payload = "z".repeat(1_000);
        final byte[] frame = ("{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":\"" + payload + "\"}")
            .getBytes(StandardCharsets.UTF_8);
        final int relayed = ("{\"type\":\"OFFER\",\"src\":\"" + a + "\",\"dst\":\"" + b + "\",\"payload\":\"" +
            payload + "\"}").getBytes(StandardCharsets.UTF_8).length;
        // An inbox record: Agrona's 8-byte header, then type, src and dst lengths (4 bytes each), the ids and the
        // frame, aligned to 8 bytes; a fresh 64 KiB ring takes as many whole records as fit.
        final int record = align(8 + 12 + a.length() + b.length() + relayed, 8);
        final int inRing = 64 * 1024 / record;
        final int held = holdBudget / relayed;
        final int sent = inRing + held + 7;
        for (int i = 0; i < sent; i++)
        {
            small.shardFor(a).onMessage(alice, frame, frame.length);
        }
        assertEquals(7, small.counters().relayDroppedInboxFull.get(), "dropped past the ring and the hold budget");
        cycle();
        assertEquals(inRing + held, bob.frames.size() - 1, "the ring's and the held frames, delivered");
    }

    private static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    @Test
    void aMessageForAnOfflineIdOfAnotherAgentIsQueuedThereAndItsExpireComesBack() throws Exception
    {
        final String a = idOf(0, "a");
        final String c = idOf(1, "c");
        final RealmFixture.Recorder alice = admit(a);
        send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + c + "\",\"payload\":1}");
        cycle();
        final long queuedMs = nowMs;
        assertEquals(1, realm.counters().queuedMessages.get());

        final String expire = "{\"type\":\"EXPIRE\",\"src\":\"" + c + "\",\"dst\":\"" + a + "\"}";
        long expiredMs = -1;
        while (expiredMs < 0 && nowMs < queuedMs + 2 * EXPIRE_MS)
        {
            nowMs++;
            cycle();
            if (alice.frames.contains(expire))
            {
                expiredMs = nowMs;
            }
        }
        assertEquals(queuedMs + EXPIRE_MS, expiredMs, "EXPIRE at the first cycle at or after the deadline");
        assertEquals(0, realm.counters().queuedMessages.get());
    }

    @Test
    void aQueuedMessageIsDeliveredWhenItsIdConnectsOnItsAgent() throws Exception
    {
        final String a = idOf(0, "a");
        final String c = idOf(1, "c");
        final RealmFixture.Recorder alice = admit(a);
        send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + c + "\",\"payload\":1}");
        cycle();
        final RealmFixture.Recorder carol = new RealmFixture.Recorder();
        realm.shardFor(c).admit(carol, c, "token-c", PeerJsContext.DEFAULT_KEY, null);
        assertEquals(List.of(OPEN, "{\"type\":\"OFFER\",\"src\":\"" + a + "\",\"dst\":\"" + c + "\",\"payload\":1}"),
            carol.frames);
        nowMs += 2 * EXPIRE_MS;
        cycle();
        assertEquals(List.of(OPEN), alice.frames, "no EXPIRE for a drained queue");
    }

    @Test
    void aFailedDeliveryOnAnotherAgentSendsLeaveBackToTheSender() throws Exception
    {
        final String a = idOf(0, "a");
        final String b = idOf(1, "b");
        final RealmFixture.Recorder alice = admit(a);
        final RealmFixture.Recorder bob = admit(b);
        bob.refuse();
        send(alice, "{\"type\":\"OFFER\",\"dst\":\"" + b + "\",\"payload\":1}");
        cycle();
        assertEquals(List.of(OPEN, "{\"type\":\"LEAVE\",\"src\":\"" + b + "\",\"dst\":\"" + a + "\"}"), alice.frames);
        assertEquals(List.of(a), realm.registeredIds(), "b is forgotten");
    }

    @Test
    void idsPerHostAreCountedOverBothAgents() throws Exception
    {
        final Realm capped = RealmFixture.on(new PeerJsContext().maxIdsPerHost(2).conclude(), new Metrics(), first,
            second);
        final InetAddress host = InetAddress.getByName("192.0.2.7");
        final String a = idOf(0, "a");
        final String b = idOf(1, "b");
        final String c = idOf(1, "c");
        final RealmFixture.Recorder alice = new RealmFixture.Recorder();
        capped.shardFor(a).admit(alice, a, "t", PeerJsContext.DEFAULT_KEY, host);
        capped.shardFor(b).admit(new RealmFixture.Recorder(), b, "t", PeerJsContext.DEFAULT_KEY, host);
        final RealmFixture.Recorder third = new RealmFixture.Recorder();
        capped.shardFor(c).admit(third, c, "t", PeerJsContext.DEFAULT_KEY, host);
        assertEquals(List.of(new String(SignalFrame.HOST_LIMIT, StandardCharsets.UTF_8)), third.frames);
        final RealmFixture.Recorder elsewhere = new RealmFixture.Recorder();
        capped.shardFor(c).admit(elsewhere, c, "t", PeerJsContext.DEFAULT_KEY, InetAddress.getByName("192.0.2.8"));
        assertEquals(List.of(OPEN), elsewhere.frames, "another host has its own share");
        capped.shardFor(a).release(alice);
        final RealmFixture.Recorder again = new RealmFixture.Recorder();
        capped.shardFor(c + "x").admit(again, c + "x", "t", PeerJsContext.DEFAULT_KEY, host);
        assertEquals(List.of(OPEN), again.frames, "a freed id makes room");
        assertEquals(1, capped.counters().refusedHostLimit.get());
    }

    @Test
    void theDirectoryListsEveryAgentsIdsInRegistrationOrder()
    {
        final String b = idOf(1, "b");
        final String a = idOf(0, "a");
        final String c = idOf(1, "c");
        admit(b);
        admit(a);
        admit(c);
        assertEquals(List.of(b, a, c), realm.registeredIds());
        assertTrue(realm.isRegistered(a) && !realm.isRegistered("nobody"));
        final RealmFixture.Recorder again = new RealmFixture.Recorder();
        realm.shardFor(a).admit(again, a, "other-token", PeerJsContext.DEFAULT_KEY, null);
        assertEquals(List.of(new String(SignalFrame.ID_TAKEN, StandardCharsets.UTF_8)), again.frames);
    }

    // ---------------------------------------------------------------- helpers

    private SignalingAgent agent(final String name)
    {
        final SignalingAgent agent = new SignalingAgent(name, new Liveness(metrics).register(name), clock);
        agent.onStart();
        return agent;
    }

    /** The first id starting with {@code prefix} that agent {@code agent} owns. */
    private String idOf(final int agent, final String prefix)
    {
        for (int i = 0; ; i++)
        {
            final String id = prefix + i;
            if (realm.owner(id) == agent)
            {
                assertNotEquals(1 - agent, realm.owner(id));
                return id;
            }
        }
    }

    private RealmFixture.Recorder admit(final String id)
    {
        final RealmFixture.Recorder party = new RealmFixture.Recorder();
        realm.shardFor(id).admit(party, id, "token-" + id, PeerJsContext.DEFAULT_KEY, null);
        assertEquals(List.of(OPEN), party.frames);
        return party;
    }

    private void send(final RealmFixture.Recorder from, final String frame)
    {
        final byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        realm.shardFor(from.registration().id).onMessage(from, bytes, bytes.length);
    }

    /** A duty cycle of each agent, until neither has anything left to do. */
    private void cycle() throws Exception
    {
        while (first.doWork() + second.doWork() > 0)
        {
            Thread.onSpinWait();
        }
    }
}
