package io.switchboard.engine.pulse;

import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.PulseKeyCommand;
import io.switchboard.engine.command.PulsePeerQueryCommand;
import io.switchboard.engine.command.PulseRegisterCommand;
import io.switchboard.engine.command.TableBackupCommand;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.links.LinkTypes;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.pipeline.EngineTimers;
import io.switchboard.engine.pipeline.UdpProtocol;
import io.switchboard.engine.table.PulseClientRecord;
import io.switchboard.engine.table.PulseClientTable;
import io.switchboard.engine.table.PulseKey;
import io.switchboard.engine.table.PulseKeyMarshaller;
import io.switchboard.engine.table.SlotIndex;
import io.switchboard.engine.table.UuidKey;
import io.switchboard.engine.table.UuidKeyMarshaller;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.MutableInteger;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Socket-Rendezvous rules (rendezvous-and-dop.md §1.5, with §1.9's fixes) on the handler thread. A client
 * registers over HTTP and is ONLINE for the register grace; each pulse (its private key over UDP) records the
 * datagram's source as its public address and, while ONLINE, moves its deadline one pulse TTL ahead. A missed
 * deadline makes it PENDING: pulses still update the address but are answered "must re-verify" until POST /verify
 * brings it back ONLINE; PENDING for the error time forgets the client and its key. HTTP requests arrive as commands
 * in the same ring, so what UDP and HTTP see is always the same state.
 * <p>
 * Each client owns a slot ({@link PulseSlots}): its record's cell in {@link PulseRecords} and one timer on the
 * handler's wheel, never later than the record's deadline. A pulse moves the deadline later without touching the
 * timer; when the timer fires, it re-arms at the deadline the record holds, or applies the rule. Two indexes find
 * the slot by private key (pulses, HTTP auth) and by client id (peer lookups). The persisted table is written
 * behind, by the {@link PulsePersister}'s thread, and read back at start.
 * <p>
 * In a cluster every node holds every registered client (registrations and logouts come through the log), and
 * {@link PulseLocations} says which node owns each: the one that heard its latest pulse, or verified it, runs its
 * deadlines and announces its address and state on change; the others hold that view in the record, run no timer
 * for it and answer peer queries from it. A pulse or a verify that reaches another node moves the client there.
 */
public final class PulseServer implements UdpProtocol
{
    public static final String LISTENER = "pulse";

    private static final Logger LOG = LoggerFactory.getLogger(PulseServer.class);
    /** Deadlines passed while the appliance was down handled per tick at most, so they never stall pulses. */
    private static final int OVERDUE_PER_TICK = 4096;

    private final PulseKey key = new PulseKey();
    private final UuidKey client = new UuidKey();
    private final PulseClientRecord record = new PulseClientRecord();
    private final MutableInteger slot = new MutableInteger();
    private final PulseRecords records;
    private final PulseSlots slots;
    private final EngineTimers.Owner timers;
    /**
     * Slots whose persisted deadline had passed at start, handled at the first ticks: on the wheel they would all
     * fall in one spoke, which the wheel would then size every spoke for.
     */
    private final IntArrayList overdue = new IntArrayList();
    private final SlotIndex<PulseKey> byKey;
    private final SlotIndex<UuidKey> byId;
    private final PulseClientTable file;
    private final PulsePersister persister;
    /** Slots whose latest change the persister's full ring refused, offered again each tick; a bit per slot. */
    private final long[] unsavedSlots;
    /** Client ids (msb, lsb pairs) whose removal the persister's full ring refused. */
    private final LongArrayList unsavedRemovals = new LongArrayList();
    private final PulseClientRecord unsaved = new PulseClientRecord();
    /** An owner's view arriving from another node. */
    private final PulseClientRecord remote = new PulseClientRecord();
    /** The address a client pulsed from before the pulse being handled. */
    private final byte[] wasAddress = new byte[16];
    /** Null on one box. */
    private final PulseLocations locations;
    private final int capacity;
    private final DatagramSender sender;
    private final EngineClock clock;
    private final CommandReplies replies;
    private final PulseCounters counters;
    private final long registerGraceMs;
    private final long pulseTtlMs;
    private final long errorTimeMs;
    /** The latest deadline a node's rules can set from now, with a minute for the nodes' clocks to differ. */
    private final long deadlineHorizonMs;
    private int unsavedSlotCount;
    private long onlineCount;
    private long pendingCount;

    public PulseServer(
        final PulseContext context,
        final Metrics metrics,
        final DatagramSender sender,
        final EngineClock clock,
        final EngineTimers timers,
        final CommandReplies replies,
        final Watch persisterWatch)
    {
        context.conclude();
        final int capacity = context.maxClients();
        this.capacity = capacity;
        this.sender = sender;
        this.clock = clock;
        this.replies = replies;
        this.counters = new PulseCounters(metrics);
        this.registerGraceMs = context.registerGraceMs();
        this.pulseTtlMs = context.pulseTtlMs();
        this.errorTimeMs = context.errorTimeMs();
        this.deadlineHorizonMs = Math.max(registerGraceMs, pulseTtlMs) + errorTimeMs + 60_000;
        this.records = new PulseRecords(capacity);
        this.slots = new PulseSlots(capacity);
        this.timers = timers.register(this::onTimer);
        this.unsavedSlots = new long[(capacity + 63) / 64];
        this.locations = context.linkOutbox() == null ? null :
            new PulseLocations(context.linkOutbox(), records, slots, capacity, metrics, this::orphaned);
        PulseClientTable openedFile = null;
        SlotIndex<PulseKey> openedByKey = null;
        SlotIndex<UuidKey> openedById = null;
        try
        {
            openedFile = PulseClientTable.open(context.tableFiles(), capacity);
            openedByKey = new SlotIndex<>(
                "pulse-keys", PulseKey.class, new PulseKey(), PulseKeyMarshaller.INSTANCE, capacity);
            openedById = new SlotIndex<>(
                "pulse-ids", UuidKey.class, new UuidKey(), UuidKeyMarshaller.INSTANCE, capacity);
            this.file = openedFile;
            this.byKey = openedByKey;
            this.byId = openedById;
            resume();
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(openedById, openedByKey, openedFile);
            throw ex;
        }
        counters.tableBytes.setRelease(
            file.offHeapBytes() + byKey.offHeapBytes() + byId.offHeapBytes() + records.bytes());
        this.persister = new PulsePersister(file, capacity, counters.persisted, counters.persistErrors, persisterWatch);
        persister.start();
    }

    /**
     * Loads the persisted clients into their slots, indexes them and arms their deadlines as persisted; passed ones
     * are handled at the first ticks.
     */
    private void resume()
    {
        final List<UuidKey> duplicates = new ArrayList<>();
        file.forEach((id, stored) ->
        {
            final int s = slots.allocate(id.msb(), id.lsb());
            if (s == PulseSlots.NONE)
            {
                throw new IllegalStateException("the pulse table holds more clients than the configured maximum; " +
                    "raise it to at least " + file.size());
            }
            slot.set(s);
            if (!byKey.insert(stored.key(), slot))
            {
                duplicates.add(id.copy());
                slots.free(s);
                return;
            }
            byId.insert(id, slot);
            records.put(s, stored);
            if (stored.deadlineMs() <= clock.nowMs())
            {
                overdue.addInt(s);
            }
            else
            {
                arm(s, stored.deadlineMs());
            }
            countState(stored.state(), 1);
        });
        // Registration refuses a key in use, so this takes a file written by something else.
        duplicates.forEach(file::remove);
        if (!duplicates.isEmpty())
        {
            LOG.warn("dropped {} pulse clients whose key another client holds", duplicates.size());
        }
        publishCounts();
    }

    @Override
    public void onDatagram(
        final DirectBuffer buffer, final int length, final InetSocketAddress source, final long sourceFingerprint)
    {
        final int form = PulseRequest.decode(buffer, 0, length, key);
        if (form == PulseRequest.MALFORMED)
        {
            counters.droppedMalformed.incrementRelease();
            return;
        }
        (form == PulseRequest.RAW ? counters.inRaw : counters.inHex).incrementRelease();
        if (!byKey.get(key, slot))
        {
            reply(PulseReply.UNKNOWN_CLIENT, source, counters.replyUnknown);
            return;
        }
        final int s = slot.get();
        final long nowMs = clock.nowMs();
        records.get(s, record);
        final byte wasFamily = record.family();
        final int wasPort = record.port();
        if (locations != null)
        {
            System.arraycopy(record.address(), 0, wasAddress, 0, wasAddress.length);
        }
        // The address is learnt from every pulse with a known key, PENDING ones too (§1.4).
        if (SocketAddresses.isIpv4(sourceFingerprint))
        {
            record.addressIpv4(SocketAddresses.ipv4Of(sourceFingerprint), source.getPort());
        }
        else
        {
            record.address(source);
        }
        record.lastPulseMs(nowMs);
        final boolean taking = locations != null && !locations.ownedHere(s);
        if (taking)
        {
            locations.take(s, nowMs);
        }
        final boolean onTime = record.state() == PulseClientRecord.ONLINE;
        if (onTime)
        {
            final long wasDueMs = record.deadlineMs();
            record.state(PulseClientRecord.ONLINE, nowMs + pulseTtlMs);
            deadlineMoved(s, wasDueMs, record.deadlineMs());
        }
        records.put(s, record);
        if (taking && slots.timerId(s) == EngineTimers.NO_TIMER)
        {
            // Its previous owner ran its deadlines: from now on this node does.
            arm(s, record.deadlineMs());
        }
        save(s);
        if (locations != null && (taking || record.family() != wasFamily || record.port() != wasPort ||
            !Arrays.equals(record.address(), 0, wasAddress.length, wasAddress, 0, wasAddress.length)))
        {
            locations.announce(s, record);
        }
        if (onTime)
        {
            reply(PulseReply.ON_TIME, source, counters.replyOnTime);
        }
        else
        {
            reply(PulseReply.MUST_REVERIFY, source, counters.replyMustReverify);
        }
    }

    private void reply(final int code, final InetSocketAddress destination, final AtomicCounter counter)
    {
        if (sender.send(PulseReply.put(sender.buffer(), 0, code), destination))
        {
            counter.incrementRelease();
        }
    }

    @Override
    public boolean onCommand(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (type)
        {
            case CommandType.PULSE_REGISTER:
                if (isComplete(length, PulseRegisterCommand.LENGTH))
                {
                    onRegister(buffer, offset);
                }
                return true;
            case CommandType.PULSE_VERIFY:
                if (isComplete(length, PulseKeyCommand.LENGTH))
                {
                    onVerify(PulseKeyCommand.correlationId(buffer, offset), PulseKeyCommand.key(buffer, offset, key));
                }
                return true;
            case CommandType.PULSE_LOGOUT:
                if (isComplete(length, PulseKeyCommand.LENGTH))
                {
                    onLogout(PulseKeyCommand.correlationId(buffer, offset), PulseKeyCommand.key(buffer, offset, key));
                }
                return true;
            case CommandType.PULSE_PEER_QUERY:
                if (isComplete(length, PulsePeerQueryCommand.LENGTH))
                {
                    onPeerQuery(buffer, offset);
                }
                return true;
            case CommandType.TABLE_BACKUP:
                if (isComplete(length, TableBackupCommand.PATH_OFFSET))
                {
                    onBackup(buffer, offset, length);
                }
                return true;
            default:
                return false;
        }
    }

    private boolean isComplete(final int length, final int expected)
    {
        if (length < expected)
        {
            counters.malformedCommand.incrementRelease();
            return false;
        }
        return true;
    }

    private void onRegister(final DirectBuffer buffer, final int offset)
    {
        final long correlationId = PulseRegisterCommand.correlationId(buffer, offset);
        final long nowMs = clock.nowMs();
        final long givenMs = PulseRegisterCommand.registeredAtMs(buffer, offset);
        final long registeredMs = givenMs == PulseRegisterCommand.NOW ? nowMs : Math.min(givenMs, nowMs);
        client.set(PulseRegisterCommand.clientMsb(buffer, offset), PulseRegisterCommand.clientLsb(buffer, offset));
        PulseRegisterCommand.key(buffer, offset, key);
        if (registeredMs + registerGraceMs <= nowMs)
        {
            // A registration the log replays after its grace ended, never pulsed here: it would expire at once.
            counters.registerLapsed.incrementRelease();
            answer(correlationId, PulseAnswer.DUPLICATE, false, nowMs);
            return;
        }
        if (byId.contains(client) || byKey.contains(key))
        {
            counters.registerDuplicate.incrementRelease();
            answer(correlationId, PulseAnswer.DUPLICATE, false, nowMs);
            return;
        }
        if (!persister.canTakeDurableChange())
        {
            counters.registerBusy.incrementRelease();
            answer(correlationId, PulseAnswer.BUSY, false, nowMs);
            return;
        }
        final int s = slots.allocate(client.msb(), client.lsb());
        if (s == PulseSlots.NONE)
        {
            counters.registerFull.incrementRelease();
            answer(correlationId, PulseAnswer.FULL, false, nowMs);
            return;
        }
        slot.set(s);
        byKey.insert(key, slot);
        byId.insert(client, slot);
        records.put(s, record.registered(key, registeredMs, registeredMs + registerGraceMs));
        arm(s, record.deadlineMs());
        save(s);
        countState(PulseClientRecord.ONLINE, 1);
        publishCounts();
        counters.registered.incrementRelease();
        answerWhenWritten(correlationId, PulseAnswer.OK, nowMs);
    }

    private void onVerify(final long correlationId, final PulseKey verifying)
    {
        final long nowMs = clock.nowMs();
        if (!findByKey(verifying))
        {
            answer(correlationId, PulseAnswer.UNKNOWN_KEY, false, nowMs);
            return;
        }
        final int s = slot.get();
        final boolean wasPending = record.state() == PulseClientRecord.PENDING;
        if (wasPending)
        {
            // Back ONLINE with one pulse TTL to pulse in (§1.5); in a cluster, the client's deadlines move here.
            if (locations != null)
            {
                locations.take(s, nowMs);
            }
            final long wasDueMs = record.deadlineMs();
            records.put(s, record.state(PulseClientRecord.ONLINE, nowMs + pulseTtlMs));
            deadlineMoved(s, wasDueMs, record.deadlineMs());
            if (slots.timerId(s) == EngineTimers.NO_TIMER)
            {
                arm(s, record.deadlineMs());
            }
            save(s);
            if (locations != null)
            {
                locations.announce(s, record);
            }
            countState(PulseClientRecord.PENDING, -1);
            countState(PulseClientRecord.ONLINE, 1);
            publishCounts();
            counters.verifiedOnline.incrementRelease();
        }
        else
        {
            counters.verifiedAlreadyOnline.incrementRelease();
        }
        answer(correlationId, PulseAnswer.OK, wasPending, nowMs);
    }

    private void onLogout(final long correlationId, final PulseKey leaving)
    {
        final long nowMs = clock.nowMs();
        if (!findByKey(leaving))
        {
            answer(correlationId, PulseAnswer.UNKNOWN_KEY, false, nowMs);
            return;
        }
        if (!persister.canTakeDurableChange())
        {
            counters.logoutBusy.incrementRelease();
            answer(correlationId, PulseAnswer.BUSY, false, nowMs);
            return;
        }
        forget(slot.get());
        counters.loggedOut.incrementRelease();
        answerWhenWritten(correlationId, PulseAnswer.OK, nowMs);
    }

    private void onPeerQuery(final DirectBuffer buffer, final int offset)
    {
        final long correlationId = PulsePeerQueryCommand.correlationId(buffer, offset);
        final long nowMs = clock.nowMs();
        if (!findByKey(PulsePeerQueryCommand.key(buffer, offset, key)))
        {
            answer(correlationId, PulseAnswer.UNKNOWN_KEY, false, nowMs);
            return;
        }
        final long peerMsb = PulsePeerQueryCommand.peerMsb(buffer, offset);
        final long peerLsb = PulsePeerQueryCommand.peerLsb(buffer, offset);
        final boolean noPeer = peerMsb == PulsePeerQueryCommand.NO_PEER && peerLsb == PulsePeerQueryCommand.NO_PEER;
        if (noPeer || !byId.get(client.set(peerMsb, peerLsb), slot))
        {
            counters.unknownPeer.incrementRelease();
            answer(correlationId, PulseAnswer.UNKNOWN_PEER, false, nowMs);
            return;
        }
        records.get(slot.get(), record);
        counters.peerQueries.incrementRelease();
        final CommandReplies.Pending pending = replies.claim(correlationId);
        if (pending != null)
        {
            PulseAnswer.putPeer(pending.buffer(), nowMs, peerMsb, peerLsb, record);
            pending.complete();
        }
    }

    /** An operator's backup, a cold path: the persister, the table's writer, copies it after the changes before. */
    private void onBackup(final DirectBuffer buffer, final int offset, final int length)
    {
        final CommandReplies.Pending pending = replies.claim(TableBackupCommand.correlationId(buffer, offset));
        if (pending == null)
        {
            return;
        }
        final String directory = TableBackupCommand.directory(buffer, offset, length);
        if (directory == null || !persister.backupWhenWritten(pending, Path.of(directory)))
        {
            counters.malformedCommand.incrementRelease();
            TableBackupCommand.putAnswer(pending.buffer(), TableBackupCommand.FAILED, 0);
            pending.complete();
        }
    }

    /** Loads the client holding {@code held} into {@link #slot}, {@link #client} and {@link #record}. */
    private boolean findByKey(final PulseKey held)
    {
        if (!byKey.get(held, slot))
        {
            counters.unknownKey.incrementRelease();
            return false;
        }
        final int s = slot.get();
        client.set(slots.clientMsb(s), slots.clientLsb(s));
        records.get(s, record);
        return true;
    }

    private void answer(final long correlationId, final byte outcome, final boolean changed, final long nowMs)
    {
        final CommandReplies.Pending pending = replies.claim(correlationId);
        if (pending != null)
        {
            PulseAnswer.put(pending.buffer(), outcome, changed, nowMs, client.msb(), client.lsb());
            pending.complete();
        }
    }

    /** A registration or logout: answered once its change is in the persisted table, so a killed process keeps it. */
    private void answerWhenWritten(final long correlationId, final byte outcome, final long nowMs)
    {
        final CommandReplies.Pending pending = replies.claim(correlationId);
        if (pending != null)
        {
            PulseAnswer.put(pending.buffer(), outcome, true, nowMs, client.msb(), client.lsb());
            persister.completeWhenWritten(pending);
        }
    }

    @Override
    public boolean onLinkMessage(
        final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!LinkTypes.inBlock(messageType, LinkTypes.PULSE_FIRST))
        {
            return false;
        }
        if (locations == null || originNode == locations.self())
        {
            return true;
        }
        if (messageType == PulseLocationMessage.CLIENT && length >= PulseLocationMessage.CLIENT_LENGTH)
        {
            onOwnerView(originNode, buffer, offset);
        }
        else if (messageType == PulseLocationMessage.GONE && length >= PulseLocationMessage.GONE_LENGTH)
        {
            onOwnerForgot(originNode, buffer, offset);
        }
        else
        {
            locations.malformed();
        }
        return true;
    }

    /** The client's owner says what it holds: this node keeps that view and runs no timer for the client. */
    private void onOwnerView(final int originNode, final DirectBuffer buffer, final int offset)
    {
        client.set(PulseLocationMessage.clientMsb(buffer, offset), PulseLocationMessage.clientLsb(buffer, offset));
        final long claimMs = PulseLocationMessage.claimMs(buffer, offset);
        PulseLocationMessage.record(buffer, offset, remote);
        if ((remote.state() != PulseClientRecord.ONLINE && remote.state() != PulseClientRecord.PENDING) ||
            remote.deadlineMs() > clock.nowMs() + deadlineHorizonMs)
        {
            locations.malformed();
            return;
        }
        if (!byId.get(client, slot))
        {
            holdOwnerView(originNode, claimMs);
            return;
        }
        final int s = slot.get();
        records.get(s, record);
        if (!record.key().equals(remote.key()))
        {
            // Registration refuses an id in use, so this is not the client this node holds.
            locations.malformed();
            return;
        }
        if (!locations.isCurrent(s, originNode, claimMs))
        {
            return;
        }
        timers.cancel(slots.timerId(s));
        slots.timerId(s, EngineTimers.NO_TIMER);
        locations.learnt(s, originNode, claimMs);
        if (record.state() != remote.state())
        {
            countState(record.state(), -1);
            countState(remote.state(), 1);
            publishCounts();
        }
        records.put(s, remote);
        records.get(s, record);
        save(s);
    }

    /** An owner's view of a client this node does not hold (it restarted after the registration's grace). */
    private void holdOwnerView(final int originNode, final long claimMs)
    {
        if (byKey.contains(remote.key()))
        {
            locations.malformed();
            return;
        }
        final int s = slots.allocate(client.msb(), client.lsb());
        if (s == PulseSlots.NONE)
        {
            locations.full();
            return;
        }
        slot.set(s);
        byKey.insert(remote.key(), slot);
        byId.insert(client, slot);
        records.put(s, remote);
        records.get(s, record);
        locations.learnt(s, originNode, claimMs);
        save(s);
        countState(record.state(), 1);
        publishCounts();
    }

    /** The client's owner forgot it at its deadline: so does this node, unless a later claim took it meanwhile. */
    private void onOwnerForgot(final int originNode, final DirectBuffer buffer, final int offset)
    {
        client.set(PulseLocationMessage.clientMsb(buffer, offset), PulseLocationMessage.clientLsb(buffer, offset));
        if (!byId.get(client, slot) || !locations.isCurrent(slot.get(), originNode,
            PulseLocationMessage.claimMs(buffer, offset)))
        {
            return;
        }
        records.get(slot.get(), record);
        locations.learnt(slot.get(), originNode, PulseLocationMessage.claimMs(buffer, offset));
        forget(slot.get());
    }

    /**
     * A node up gets the clients owned here. A node down leaves its clients to the rules on every node: an ONLINE
     * one has one pulse TTL from the moment the node was seen down to pulse to any node (which takes it), a PENDING
     * one keeps the error deadline its owner announced. They are handed back from the next tick on, a bounded number
     * of slots per tick ({@link PulseLocations#ORPHAN_SCAN_PER_TICK}), so a node going down never walks the whole table
     * in one event; a node that comes up again before that finished has the rest handed back in its up event (what it
     * held is gone, and nothing it claims from then on may be handed back), a walk of at most the table once per flap.
     */
    @Override
    public void onPeerNode(final int node, final boolean up, final long incarnation)
    {
        if (locations == null || node == locations.self())
        {
            return;
        }
        if (up)
        {
            locations.nodeUp(node);
        }
        else
        {
            locations.nodeDown(node, clock.nowMs());
        }
    }

    /** The client's owner was seen down at {@code downMs}: the rules run it here from that moment. */
    private void orphaned(final int s, final long downMs)
    {
        records.get(s, record);
        if (record.state() == PulseClientRecord.ONLINE)
        {
            records.put(s, record.state(PulseClientRecord.ONLINE, Math.max(record.deadlineMs(), downMs + pulseTtlMs)));
            save(s);
        }
        arm(s, record.deadlineMs());
    }

    @Override
    public void onTick(final long nowMs)
    {
        if (!overdue.isEmpty())
        {
            expireOverdue(nowMs);
        }
        if (unsavedSlotCount > 0 || !unsavedRemovals.isEmpty())
        {
            saveUnsaved();
        }
        if (locations != null)
        {
            locations.onTick();
        }
    }

    /** Arms the slot's one timer; it has none. */
    private void arm(final int s, final long deadlineMs)
    {
        slots.timerId(s, timers.schedule(deadlineMs, s));
    }

    /** Keeps the timer at or before the deadline: a later one is found when the timer fires, an earlier one re-arms. */
    private void deadlineMoved(final int s, final long fromMs, final long toMs)
    {
        if (toMs < fromMs && slots.timerId(s) != EngineTimers.NO_TIMER)
        {
            timers.cancel(slots.timerId(s));
            arm(s, toMs);
        }
    }

    private void onTimer(final long timerId, final int s, final long nowMs)
    {
        slots.timerId(s, EngineTimers.NO_TIMER);
        expire(s, nowMs);
    }

    /** Handles the clients whose deadline had passed at start, unless one's slot has since been freed or re-armed. */
    private void expireOverdue(final long nowMs)
    {
        for (int handled = 0; handled < OVERDUE_PER_TICK && !overdue.isEmpty(); handled++)
        {
            final int s = overdue.popInt();
            if (!records.isEmpty(s) && slots.timerId(s) == EngineTimers.NO_TIMER &&
                (locations == null || !locations.ownedElsewhere(s)))
            {
                expire(s, nowMs);
            }
        }
    }

    /** The slot's timer fired (it has none now): re-arms at a deadline pulses moved on, or applies §1.5's rule. */
    private void expire(final int s, final long nowMs)
    {
        final boolean ownedHere = locations != null && locations.ownedHere(s);
        client.set(slots.clientMsb(s), slots.clientLsb(s));
        records.get(s, record);
        final long deadlineMs = record.deadlineMs();
        if (nowMs < deadlineMs)
        {
            arm(s, deadlineMs);
            return;
        }
        if (record.state() == PulseClientRecord.ONLINE)
        {
            // From the deadline, not from now: after downtime the PENDING time resumes where it stood.
            records.put(s, record.state(PulseClientRecord.PENDING, deadlineMs + errorTimeMs));
            save(s);
            countState(PulseClientRecord.ONLINE, -1);
            countState(PulseClientRecord.PENDING, 1);
            publishCounts();
            counters.turnedPending.incrementRelease();
            if (ownedHere)
            {
                locations.announce(s, record);
            }
            if (nowMs < record.deadlineMs())
            {
                arm(s, record.deadlineMs());
                return;
            }
        }
        final long claimMs = ownedHere ? locations.claimMs(s) : 0;
        forget(s);
        counters.expired.incrementRelease();
        if (ownedHere)
        {
            locations.announceGone(client.msb(), client.lsb(), claimMs);
        }
    }

    /** Removes the client in {@link #client} / {@link #record}: HTTP auth and pulses no longer know its key. */
    private void forget(final int s)
    {
        byKey.remove(record.key());
        byId.remove(client);
        records.clear(s);
        timers.cancel(slots.timerId(s));
        if (locations != null)
        {
            locations.clear(s);
        }
        slots.free(s);
        if (!persister.removed(client.msb(), client.lsb()))
        {
            counters.persistDeferred.incrementRelease();
            unsavedRemovals.addLong(client.msb());
            unsavedRemovals.addLong(client.lsb());
        }
        countState(record.state(), -1);
        publishCounts();
    }

    /** Hands the slot's record (in {@link #record}) to the persister, or remembers it for the next tick. */
    private void save(final int s)
    {
        if (!persister.changed(s, slots.clientMsb(s), slots.clientLsb(s), record))
        {
            counters.persistDeferred.incrementRelease();
            final long bit = 1L << s;
            if ((unsavedSlots[s >>> 6] & bit) == 0)
            {
                unsavedSlots[s >>> 6] |= bit;
                unsavedSlotCount++;
            }
        }
    }

    /**
     * Offers what the persister's full ring refused again; stops at the first refusal. Order does not matter: each
     * entry is a different client's latest state, and a removed client's slot is empty or another client's.
     */
    private void saveUnsaved()
    {
        for (int last = unsavedRemovals.size() - 2; last >= 0; last -= 2)
        {
            if (!persister.removed(unsavedRemovals.getLong(last), unsavedRemovals.getLong(last + 1)))
            {
                return;
            }
            unsavedRemovals.removeAt(last + 1);
            unsavedRemovals.removeAt(last);
        }
        for (int word = 0; word < unsavedSlots.length && unsavedSlotCount > 0; word++)
        {
            while (unsavedSlots[word] != 0)
            {
                final int s = word * 64 + Long.numberOfTrailingZeros(unsavedSlots[word]);
                if (!records.isEmpty(s) &&
                    !persister.changed(s, slots.clientMsb(s), slots.clientLsb(s), records.get(s, unsaved)))
                {
                    return;
                }
                unsavedSlots[word] &= unsavedSlots[word] - 1;
                unsavedSlotCount--;
            }
        }
    }

    private void countState(final byte state, final int delta)
    {
        if (state == PulseClientRecord.ONLINE)
        {
            onlineCount += delta;
        }
        else
        {
            pendingCount += delta;
        }
    }

    private void publishCounts()
    {
        counters.online.setRelease(onlineCount);
        counters.pending.setRelease(pendingCount);
    }

    /** Writes every queued change into the file, stops the persister, then closes the tables. */
    @Override
    public void close()
    {
        persister.close();
        CloseHelper.closeAll(byId, byKey, file);
    }
}
