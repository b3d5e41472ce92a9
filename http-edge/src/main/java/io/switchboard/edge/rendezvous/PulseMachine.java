package io.switchboard.edge.rendezvous;

import io.switchboard.cluster.SnapshotWriter;
import io.switchboard.edge.registry.RegistryPart;
import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.PulseKeyCommand;
import io.switchboard.engine.command.PulseRegisterCommand;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The pulse registrations' part of the registry's state machine. Every registration and logout, committed in the
 * registry's order, is handed to this node's pulse engine (which holds the client, its deadlines and its pulses, and
 * persists them); the registration carries the log's time, so its register grace ends at the same moment on every
 * node. The machine itself remembers the registrations younger than the register grace: enough to refuse a duplicate
 * id or key and to bound them ({@code --pulse-max-clients}) the same way on every replica, and to hand a node that
 * restarts from a snapshot every registration still in its grace. Pulses are not logged: the engine that hears a
 * client's latest pulse owns its deadlines and tells the other nodes' engines over the node links (the engine's
 * {@code PulseLocations}).
 * Called on the registry's applying thread only.
 */
final class PulseMachine implements RegistryPart
{
    /** A registration younger than the retention: its key, client id and the log time it was applied at. */
    private record Recent(Key key, long clientMsb, long clientLsb, long registeredMs)
    {
    }

    private record Key(long k0, long k1, long k2, long k3)
    {
        static Key of(final PulseKey key)
        {
            return new Key(key.k0(), key.k1(), key.k2(), key.k3());
        }
    }

    private record Client(long msb, long lsb)
    {
    }

    private final CommandPublisher commands;
    private final long nonce;
    private final long retainMs;
    private final int maxRecent;
    private final Map<Key, Recent> byKey = new HashMap<>();
    private final Map<Client, Recent> byClient = new HashMap<>();
    /** In the order applied, which is log-time order: the oldest are pruned first. */
    private final ArrayDeque<Recent> byAge = new ArrayDeque<>();
    private final PulseKey key = new PulseKey();
    private final MutableDirectBuffer snapshotRecord = new UnsafeBuffer(new byte[PulseCommands.REGISTER_LENGTH + 8]);

    /**
     * @param nonce     this process's, drawn at its start: commands carrying it were submitted here, and their
     *                  correlation id names a caller waiting for the engine's answer
     * @param retainMs  the register grace
     * @param maxRecent the most registrations in their grace at once
     */
    PulseMachine(final CommandPublisher commands, final long nonce, final long retainMs, final int maxRecent)
    {
        this.commands = commands;
        this.nonce = nonce;
        this.retainMs = retainMs;
        this.maxRecent = maxRecent;
    }

    @Override
    public int firstType()
    {
        return PulseCommands.FIRST_TYPE;
    }

    @Override
    public int apply(
        final long commandId, final int originNode, final long clusterTimeMs, final int type,
        final DirectBuffer body, final int offset, final int length)
    {
        prune(clusterTimeMs);
        switch (type)
        {
            case PulseCommands.REGISTER:
                return length == PulseCommands.REGISTER_LENGTH ? register(clusterTimeMs, body, offset) :
                    PulseCommands.MALFORMED;
            case PulseCommands.FORGET:
                return length == PulseCommands.FORGET_LENGTH ? forget(body, offset) : PulseCommands.MALFORMED;
            default:
                return PulseCommands.MALFORMED;
        }
    }

    private int register(final long clusterTimeMs, final DirectBuffer body, final int offset)
    {
        final long msb = PulseCommands.getLong(body, offset, PulseCommands.CLIENT_MSB_OFFSET);
        final long lsb = PulseCommands.getLong(body, offset, PulseCommands.CLIENT_LSB_OFFSET);
        key.wrapRaw(body, offset + PulseCommands.REGISTER_KEY_OFFSET);
        final Key held = Key.of(key);
        final Client client = new Client(msb, lsb);
        if (byKey.containsKey(held) || byClient.containsKey(client))
        {
            return PulseCommands.DUPLICATE;
        }
        if (byKey.size() >= maxRecent)
        {
            return PulseCommands.FULL;
        }
        if (byAge.size() >= 2 * maxRecent)
        {
            // Registrations logged out within their grace: drop them from the age order now, not at its end.
            byAge.removeIf(recent -> byKey.get(recent.key()) != recent);
        }
        remember(new Recent(held, msb, lsb, clusterTimeMs));
        final long correlationId = waiting(body, offset + PulseCommands.REGISTER_NONCE_OFFSET);
        publishRegister(correlationId, msb, lsb, clusterTimeMs);
        return PulseCommands.APPLIED;
    }

    private int forget(final DirectBuffer body, final int offset)
    {
        key.wrapRaw(body, offset + PulseCommands.FORGET_KEY_OFFSET);
        final Recent recent = byKey.remove(Key.of(key));
        if (recent != null)
        {
            byClient.remove(new Client(recent.clientMsb(), recent.clientLsb()));
        }
        final long correlationId = waiting(body, offset + PulseCommands.FORGET_NONCE_OFFSET);
        commands.publish((buffer, capacity, id) -> PulseKeyCommand.put(buffer, 0, CommandType.PULSE_LOGOUT, id, key),
            correlationId);
        return recent == null ? PulseCommands.UNKNOWN : PulseCommands.APPLIED;
    }

    /** The correlation id when this process submitted the command (its nonce), else 0: nobody waits. */
    private long waiting(final DirectBuffer body, final int nonceAt)
    {
        return body.getLong(nonceAt, PulseCommands.ORDER) == nonce ?
            body.getLong(nonceAt + 8, PulseCommands.ORDER) : 0;
    }

    private void publishRegister(final long correlationId, final long msb, final long lsb, final long registeredMs)
    {
        commands.publish((buffer, capacity, id) ->
            PulseRegisterCommand.put(buffer, 0, id, msb, lsb, key, registeredMs), correlationId);
    }

    private void remember(final Recent recent)
    {
        byKey.put(recent.key(), recent);
        byClient.put(new Client(recent.clientMsb(), recent.clientLsb()), recent);
        byAge.addLast(recent);
    }

    /** Forgets the registrations whose grace ended by {@code clusterTimeMs}: their engines decide from now on. */
    private void prune(final long clusterTimeMs)
    {
        Recent oldest;
        while ((oldest = byAge.peekFirst()) != null && oldest.registeredMs() + retainMs <= clusterTimeMs)
        {
            byAge.pollFirst();
            if (byKey.get(oldest.key()) == oldest)
            {
                byKey.remove(oldest.key());
                byClient.remove(new Client(oldest.clientMsb(), oldest.clientLsb()));
            }
        }
    }

    @Override
    public void clear()
    {
        byKey.clear();
        byClient.clear();
        byAge.clear();
    }

    @Override
    public void takeSnapshot(final SnapshotWriter writer)
    {
        for (final Recent recent : byAge)
        {
            if (byKey.get(recent.key()) != recent)
            {
                continue;
            }
            key.set(recent.key().k0(), recent.key().k1(), recent.key().k2(), recent.key().k3());
            PulseCommands.putRegister(snapshotRecord, recent.clientMsb(), recent.clientLsb(), key, 0, 0);
            snapshotRecord.putLong(PulseCommands.REGISTER_LENGTH, recent.registeredMs(), PulseCommands.ORDER);
            writer.write(snapshotRecord, 0, PulseCommands.REGISTER_LENGTH + 8);
        }
    }

    /** A registration still in its grace when the snapshot was taken: remembered, and handed to this engine. */
    @Override
    public void loadSnapshotRecord(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != PulseCommands.REGISTER_LENGTH + 8)
        {
            throw new IllegalStateException("pulse registration snapshot record of " + length + " bytes");
        }
        final long msb = PulseCommands.getLong(buffer, offset, PulseCommands.CLIENT_MSB_OFFSET);
        final long lsb = PulseCommands.getLong(buffer, offset, PulseCommands.CLIENT_LSB_OFFSET);
        key.wrapRaw(buffer, offset + PulseCommands.REGISTER_KEY_OFFSET);
        final long registeredMs = buffer.getLong(offset + PulseCommands.REGISTER_LENGTH, PulseCommands.ORDER);
        remember(new Recent(Key.of(key), msb, lsb, registeredMs));
        publishRegister(0, msb, lsb, registeredMs);
    }
}
