package io.switchboard.edge.registry;

import io.switchboard.cluster.SnapshotReader;
import io.switchboard.cluster.SnapshotWriter;
import io.switchboard.cluster.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable registry's one state machine, for the local log and every cluster member alike: each command goes to
 * the {@link RegistryPart} whose block holds its type; a snapshot is every part's records, each prefixed by its
 * part's first type (int32, little-endian). Parts are attached before the log starts; then only the log's applying
 * thread calls it.
 */
public final class RegistryMachine implements StateMachine
{
    /** A command type no part owns: refused, nothing changed (the same on every replica). */
    public static final int UNKNOWN_TYPE = 999_999;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int PREFIX = 4;

    private final List<RegistryPart> parts = new ArrayList<>();
    private final MutableDirectBuffer scratch = new ExpandableArrayBuffer(1024);

    /** Adds a part; its block must not overlap another's. */
    public void attach(final RegistryPart part)
    {
        if (part.firstType() < RegistryPart.BLOCK || part.firstType() % RegistryPart.BLOCK != 0 ||
            find(part.firstType()) != null)
        {
            throw new IllegalArgumentException("registry part block " + part.firstType() + " is taken or malformed");
        }
        parts.add(part);
    }

    /** Forgets every part's records: a cluster replica starts empty and is rebuilt from the snapshot and log. */
    public void clear()
    {
        for (final RegistryPart part : parts)
        {
            part.clear();
        }
    }

    @Override
    public int apply(
        final long commandId, final int originNode, final long clusterTimeMs, final int type,
        final DirectBuffer body, final int offset, final int length)
    {
        final RegistryPart part = find(type);
        if (part == null)
        {
            return UNKNOWN_TYPE;
        }
        return part.apply(commandId, originNode, clusterTimeMs, type, body, offset, length);
    }

    @Override
    public void takeSnapshot(final SnapshotWriter writer)
    {
        for (final RegistryPart part : parts)
        {
            final int tag = part.firstType();
            part.takeSnapshot((buffer, offset, length) ->
            {
                scratch.putInt(0, tag, ORDER);
                scratch.putBytes(PREFIX, buffer, offset, length);
                writer.write(scratch, 0, PREFIX + length);
            });
        }
    }

    @Override
    public void loadSnapshot(final SnapshotReader reader)
    {
        clear();
        while (reader.next())
        {
            if (reader.length() < PREFIX)
            {
                throw new IllegalStateException("registry snapshot record shorter than its part tag");
            }
            final int tag = reader.buffer().getInt(reader.offset(), ORDER);
            final RegistryPart part = find(tag);
            if (part == null)
            {
                throw new IllegalStateException("registry snapshot holds records of an unknown part " + tag);
            }
            part.loadSnapshotRecord(reader.buffer(), reader.offset() + PREFIX, reader.length() - PREFIX);
        }
    }

    private RegistryPart find(final int type)
    {
        for (final RegistryPart part : parts)
        {
            if (type >= part.firstType() && type < part.firstType() + RegistryPart.BLOCK)
            {
                return part;
            }
        }
        return null;
    }
}
