package io.switchboard.engine.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.DomainIdCommand;
import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.command.TableBackupCommand;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The way into the engine for every thread but the handler: encode a command into a claimed ring slot and publish
 * it. Thread-safe (the ring is multi-producer). State changes never happen here, only on the handler thread.
 */
public final class CommandPublisher
{
    /** Encodes one command into {@code buffer} (capacity {@code capacity}) and returns its length. */
    @FunctionalInterface
    public interface Encoder<A>
    {
        int encode(MutableDirectBuffer buffer, int capacity, A argument);
    }

    private static final Encoder<Void> TICK = (buffer, capacity, unused) ->
        io.switchboard.engine.command.CommandHeader.put(buffer, 0, CommandType.TICK);

    private final RingBuffer<RingSlot> ring;
    private final AtomicCounter published;
    private final AtomicCounter rejected;
    private final Runnable wakeHandler;

    /** {@code wakeHandler} runs after each publish, for a handler thread that sleeps outside the ring's wait strategy. */
    CommandPublisher(
        final RingBuffer<RingSlot> ring,
        final AtomicCounter published,
        final AtomicCounter rejected,
        final Runnable wakeHandler)
    {
        this.ring = ring;
        this.published = published;
        this.rejected = rejected;
        this.wakeHandler = wakeHandler;
    }

    /** Publishes, waiting for ring capacity: for commands that must not be lost. */
    public <A> void publish(final Encoder<A> encoder, final A argument)
    {
        final long sequence = ring.next();
        fillAndPublish(sequence, encoder, argument);
    }

    /** Publishes only if the ring has room now; false (counted) otherwise. For signals that will come again. */
    public <A> boolean tryPublish(final Encoder<A> encoder, final A argument)
    {
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            rejected.increment();
            return false;
        }
        fillAndPublish(sequence, encoder, argument);
        return true;
    }

    public boolean tryPublishTick()
    {
        return tryPublish(TICK, null);
    }

    /** Bytes one command may take (a ring slot's capacity). */
    public int slotCapacity()
    {
        return ring.get(0).capacity();
    }

    /** Whether {@link #publishDomainKey} takes this key (its command fits a ring slot). */
    public boolean fitsDomainKey(final byte[] spki)
    {
        return DomainKeyCommand.encodedLength(spki) <= ring.get(0).capacity();
    }

    public void publishDomainKey(final long msb, final long lsb, final byte origin, final byte[] spki)
    {
        if (!fitsDomainKey(spki))
        {
            throw new IllegalArgumentException("key of " + spki.length + " bytes does not fit a ring slot");
        }
        publish((buffer, capacity, key) -> DomainKeyCommand.put(buffer, 0, msb, lsb, origin, key), spki);
    }

    public void publishDomainKeyFetchFailed(final long msb, final long lsb)
    {
        publish((buffer, capacity, unused) ->
            DomainIdCommand.put(buffer, 0, CommandType.DOMAIN_KEY_FETCH_FAILED, msb, lsb), null);
    }

    public void publishDomainRemoved(final long msb, final long lsb)
    {
        publish((buffer, capacity, unused) -> DomainIdCommand.put(buffer, 0, CommandType.DOMAIN_REMOVED, msb, lsb), null);
    }

    /**
     * Asks the protocols that persist tables to copy them into {@code directory}; the answer comes through the
     * command replies under {@code correlationId}.
     *
     * @throws IllegalArgumentException when the path does not fit a ring slot
     */
    public void publishTableBackup(final long correlationId, final String directory)
    {
        publish((buffer, capacity, path) -> TableBackupCommand.put(buffer, 0, capacity, correlationId, path), directory);
    }

    private <A> void fillAndPublish(final long sequence, final Encoder<A> encoder, final A argument)
    {
        try
        {
            final RingSlot slot = ring.get(sequence);
            slot.command(encoder.encode(slot.buffer(), slot.capacity(), argument));
            published.increment();
        }
        catch (final RuntimeException ex)
        {
            // A claimed sequence must be published; an encoder failure publishes an empty command the handler skips.
            ring.get(sequence).command(0);
            throw ex;
        }
        finally
        {
            ring.publish(sequence);
            wakeHandler.run();
        }
    }
}
