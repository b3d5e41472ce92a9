package io.switchboard.edge.metaverse;

import io.switchboard.cluster.SnapshotWriter;
import io.switchboard.edge.registry.RegistryPart;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;
import java.util.UUID;

/**
 * The domains' part of the registry's state machine: applies {@link DomainCommands} to this box's
 * {@link DomainRegistry} (the read path every endpoint reads) and keeps the ICE engine's keys in the registry's
 * order, on the log's applying thread. A change is written only over the revision it was made from, so each result
 * follows from the command and the durable fields alone, the same on every replica; heartbeat times and user counts
 * (soft, written in place by each node's heartbeats) never decide a result.
 */
final class DomainMachine implements RegistryPart
{
    private final DomainRegistry registry;
    private final EngineKeys engineKeys;
    private final MetaverseCounters counters;
    private final MutableDirectBuffer snapshotRecord = new ExpandableArrayBuffer(1024);

    DomainMachine(final DomainRegistry registry, final EngineKeys engineKeys, final MetaverseCounters counters)
    {
        this.registry = registry;
        this.engineKeys = engineKeys;
        this.counters = counters;
    }

    @Override
    public int firstType()
    {
        return DomainCommands.FIRST_TYPE;
    }

    @Override
    public int apply(
        final long commandId, final int originNode, final long clusterTimeMs, final int type,
        final DirectBuffer body, final int offset, final int length)
    {
        switch (type)
        {
            case DomainCommands.PUT:
                return length > DomainCommands.RECORD_OFFSET ? put(body, offset, length) : DomainCommands.MALFORMED;
            case DomainCommands.REMOVE:
                return length == DomainCommands.REMOVE_LENGTH ?
                    remove(DomainCommands.id(body, offset), DomainCommands.revision(body, offset)) :
                    DomainCommands.MALFORMED;
            case DomainCommands.SOFT:
                if (length != DomainCommands.SOFT_LENGTH)
                {
                    return DomainCommands.MALFORMED;
                }
                return registry.mergeSoft(DomainCommands.id(body, offset),
                    body.getLong(offset + DomainCommands.LAST_HEARTBEAT_OFFSET, DomainCommands.ORDER),
                    body.getInt(offset + DomainCommands.NUM_USERS_OFFSET, DomainCommands.ORDER),
                    body.getInt(offset + DomainCommands.ANON_USERS_OFFSET, DomainCommands.ORDER)) ?
                    DomainCommands.APPLIED : DomainCommands.UNKNOWN_DOMAIN;
            default:
                return DomainCommands.MALFORMED;
        }
    }

    private int put(final DirectBuffer body, final int offset, final int length)
    {
        final UUID id = DomainCommands.id(body, offset);
        final long expected = DomainCommands.revision(body, offset);
        final byte[] encoded = new byte[length - DomainCommands.RECORD_OFFSET];
        body.getBytes(offset + DomainCommands.RECORD_OFFSET, encoded);
        final DomainRecord record;
        try
        {
            record = DomainRecord.decode(id, encoded);
        }
        catch (final IllegalStateException ex)
        {
            return DomainCommands.MALFORMED;
        }
        if (record.publicKey != null && !engineKeys.fits(record.publicKey))
        {
            return DomainCommands.BAD_KEY;
        }
        final DomainRecord current = registry.get(id);
        if (expected == DomainRecord.NO_REVISION)
        {
            if (current != null)
            {
                return DomainCommands.CONFLICT;
            }
            record.revision = DomainRecord.FIRST_REVISION;
            if (!insert(record))
            {
                return DomainCommands.FULL;
            }
            if (record.publicKey != null)
            {
                engineKeys.publishKey(id, record.publicKey);
            }
            counters.domains.set(registry.size());
            return DomainCommands.APPLIED;
        }
        if (current == null)
        {
            return DomainCommands.UNKNOWN_DOMAIN;
        }
        if (current.revision != expected)
        {
            return DomainCommands.CONFLICT;
        }
        record.revision = expected + 1;
        registry.replaceDurable(record);
        if (record.publicKey != null && !Arrays.equals(record.publicKey, current.publicKey))
        {
            engineKeys.publishKey(id, record.publicKey);
        }
        return DomainCommands.APPLIED;
    }

    private boolean insert(final DomainRecord record)
    {
        try
        {
            return registry.insert(record);
        }
        catch (final IllegalStateException ex)
        {
            // Chronicle ran out of room in one segment before the registry reached its configured size.
            return false;
        }
    }

    private int remove(final UUID id, final long expected)
    {
        final DomainRecord current = registry.get(id);
        if (current == null)
        {
            return DomainCommands.UNKNOWN_DOMAIN;
        }
        if (expected != DomainCommands.ANY_REVISION && current.revision != expected)
        {
            return DomainCommands.CONFLICT;
        }
        registry.remove(id);
        engineKeys.publishRemoved(id);
        counters.domains.set(registry.size());
        return DomainCommands.APPLIED;
    }

    @Override
    public void clear()
    {
        registry.clear();
        counters.domains.set(0);
    }

    @Override
    public void takeSnapshot(final SnapshotWriter writer)
    {
        for (final DomainRecord record : registry.all())
        {
            final byte[] encoded = record.encode();
            final int length = DomainCommands.putPut(snapshotRecord, record, encoded, record.revision);
            writer.write(snapshotRecord, 0, length);
        }
    }

    @Override
    public void loadSnapshotRecord(final DirectBuffer buffer, final int offset, final int length)
    {
        final UUID id = DomainCommands.id(buffer, offset);
        final byte[] encoded = new byte[length - DomainCommands.RECORD_OFFSET];
        buffer.getBytes(offset + DomainCommands.RECORD_OFFSET, encoded);
        final DomainRecord record = DomainRecord.decode(id, encoded);
        record.revision = DomainCommands.revision(buffer, offset);
        if (!insert(record))
        {
            throw new IllegalStateException("the domain registry is too small for the cluster's snapshot: raise "
                + "--max-domains on this node");
        }
        if (record.publicKey != null)
        {
            engineKeys.publishKey(id, record.publicKey);
        }
        counters.domains.set(registry.size());
    }
}
