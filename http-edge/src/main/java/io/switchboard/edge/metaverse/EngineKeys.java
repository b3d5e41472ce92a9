package io.switchboard.edge.metaverse;

import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.pipeline.CommandPublisher;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * Keeps the ICE engine's keys in step with the registry. Every change to a domain's key or existence runs under
 * that domain's stripe lock, registry write and ring publication together, so the engine receives them in the
 * registry's order. Publishing may wait for ring capacity; heartbeats never take these locks, so they never wait.
 */
final class EngineKeys
{
    private static final int STRIPES = 64;

    private final Object[] stripes = new Object[STRIPES];
    private final CommandPublisher commands;
    private final MetaverseCounters counters;

    EngineKeys(final CommandPublisher commands, final MetaverseCounters counters)
    {
        this.commands = commands;
        this.counters = counters;
        for (int i = 0; i < STRIPES; i++)
        {
            stripes[i] = new Object();
        }
    }

    /** Runs a change of the domain's key or existence, and its publications, under the domain's stripe lock. */
    <T> T change(final UUID id, final Supplier<T> change)
    {
        synchronized (stripes[Math.floorMod(id.hashCode(), STRIPES)])
        {
            return change.get();
        }
    }

    /**
     * Hands a key to the engine, waiting for ring capacity if need be.
     *
     * @throws IllegalArgumentException when the key's command does not fit a ring slot
     */
    void publishKey(final UUID id, final byte[] spki)
    {
        commands.publishDomainKey(
            id.getMostSignificantBits(), id.getLeastSignificantBits(), DomainKeyCommand.ORIGIN_LOCAL, spki);
        counters.keysPublished.increment();
    }

    /** Tells the engine to forget the domain's key and peer. */
    void publishRemoved(final UUID id)
    {
        commands.publishDomainRemoved(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
