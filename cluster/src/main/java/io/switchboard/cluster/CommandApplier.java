package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a command envelope becomes a state change, for the local log and for every cluster member: checks
 * the envelope, answers a retried command id with its remembered result, otherwise applies it to the
 * {@link StateMachine} and remembers the result; and snapshots the state machine together with the de-dup window.
 * Owned by one applying thread.
 */
public final class CommandApplier
{
    private static final Logger LOG = LoggerFactory.getLogger(CommandApplier.class);

    private final StateMachine stateMachine;
    private final DedupWindow dedup;
    private final ClusterCounters counters;
    private final CommandEnvelope envelope = new CommandEnvelope();
    private long lastCommandId;
    private boolean lastDuplicate;

    public CommandApplier(final StateMachine stateMachine, final DedupWindow dedup, final ClusterCounters counters)
    {
        this.stateMachine = stateMachine;
        this.dedup = dedup;
        this.counters = counters;
    }

    /** Whether the bytes carry a command id to answer to (the reply needs one). */
    public static boolean hasCommandId(final int length)
    {
        return length >= CommandEnvelope.ORIGIN_NODE_OFFSET;
    }

    /**
     * Applies one envelope at {@code clusterTimeMs}; answers the state machine's result or a
     * {@link CommandResult} refusal code. {@link #lastCommandId()} and {@link #lastDuplicate()} describe it after.
     */
    public int apply(final DirectBuffer buffer, final int offset, final int length, final long clusterTimeMs)
    {
        envelope.wrap(buffer, offset, length);
        lastDuplicate = false;
        lastCommandId = hasCommandId(length) ? envelope.commandId() : 0;
        if (!envelope.isWellFormed())
        {
            counters.refused.increment();
            return CommandResult.REFUSED_MALFORMED;
        }
        final int origin = envelope.originNode();
        if (!DedupWindow.isValidOrigin(origin))
        {
            counters.refused.increment();
            return CommandResult.REFUSED_ORIGIN;
        }
        final long commandId = envelope.commandId();
        final int seen = dedup.lookup(origin, commandId);
        if (seen == DedupWindow.FORGOTTEN)
        {
            counters.refused.increment();
            return CommandResult.REFUSED_TOO_OLD;
        }
        if (seen != DedupWindow.NOT_SEEN)
        {
            lastDuplicate = true;
            counters.duplicates.increment();
            return seen;
        }
        int result;
        try
        {
            result = stateMachine.apply(commandId, origin, clusterTimeMs, envelope.type(),
                buffer, envelope.bodyOffset(), envelope.bodyLength());
            if (result < 0)
            {
                throw new IllegalStateException("state machine answered a negative result " + result
                    + " (reserved for the log's refusals) to command type " + envelope.type());
            }
        }
        catch (final RuntimeException ex)
        {
            // Deterministic like the rest: every replica fails this command the same way and carries on.
            LOG.error("state machine failed command {} of origin {} type {}", commandId, origin, envelope.type(), ex);
            result = CommandResult.REFUSED_FAILED;
        }
        if (result < 0)
        {
            counters.refused.increment();
            dedup.record(origin, commandId, result);
            return result;
        }
        dedup.record(origin, commandId, result);
        counters.applied.increment();
        return result;
    }

    public long lastCommandId()
    {
        return lastCommandId;
    }

    public boolean lastDuplicate()
    {
        return lastDuplicate;
    }

    public void takeSnapshot(final SnapshotWriter raw)
    {
        final SnapshotSections.Writer writer = new SnapshotSections.Writer(raw);
        dedup.takeSnapshot(writer.section(SnapshotSections.TAG_DEDUP));
        stateMachine.takeSnapshot(writer.section(SnapshotSections.TAG_STATE));
        writer.end();
    }

    public void loadSnapshot(final SnapshotReader raw)
    {
        final SnapshotSections.Reader reader = new SnapshotSections.Reader(raw);
        dedup.loadSnapshot(reader.section(SnapshotSections.TAG_DEDUP));
        stateMachine.loadSnapshot(reader.section(SnapshotSections.TAG_STATE));
        reader.expectEnd();
    }
}
