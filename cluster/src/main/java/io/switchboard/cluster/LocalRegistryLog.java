package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * The single-node registry log: each command is framed in the same envelope and applied by the same
 * {@link CommandApplier} as a cluster member would, on the caller's thread, one command at a time, and answered at
 * once. Its log position is the running length of the envelopes applied. Durability is the state machine's own.
 */
public final class LocalRegistryLog implements RegistryLog
{
    private final CommandApplier applier;
    private final int originNode;
    private final EpochClock clock;
    private final MutableDirectBuffer envelope =
        new UnsafeBuffer(new byte[CommandEnvelope.HEADER_LENGTH + CommandEnvelope.MAX_BODY_LENGTH]);
    private long nextCommandId;
    private long position;

    public LocalRegistryLog(final CommandApplier applier, final int originNode, final EpochClock clock)
    {
        if (!DedupWindow.isValidOrigin(originNode))
        {
            throw new IllegalArgumentException("origin node out of range: " + originNode);
        }
        this.applier = applier;
        this.originNode = originNode;
        this.clock = clock;
        this.nextCommandId = CommandIds.firstOfThisProcess(clock.time());
    }

    @Override
    public synchronized CompletableFuture<CommandResult> submit(
        final int type, final DirectBuffer body, final int offset, final int length)
    {
        if (length < 0 || length > CommandEnvelope.MAX_BODY_LENGTH)
        {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                "command body of " + length + " bytes; at most " + CommandEnvelope.MAX_BODY_LENGTH));
        }
        final long commandId = nextCommandId++;
        final int envelopeLength = CommandEnvelope.put(envelope, 0, commandId, originNode, type, body, offset, length);
        final int result = applier.apply(envelope, 0, envelopeLength, clock.time());
        position += envelopeLength;
        return CompletableFuture.completedFuture(
            new CommandResult(commandId, result, position, applier.lastDuplicate()));
    }

    @Override
    public void close()
    {
    }
}
