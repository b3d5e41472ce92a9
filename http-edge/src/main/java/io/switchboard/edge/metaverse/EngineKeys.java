package io.switchboard.edge.metaverse;

import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.pipeline.CommandPublisher;

import java.util.UUID;

/**
 * Hands the registry's key changes to the ICE engine. Only the registry's applying thread publishes (the
 * {@link DomainMachine}, and the start before the listeners open), so the engine receives the keys in the registry's
 * order. Publishing may wait for ring capacity; heartbeats never publish, so they never wait.
 */
final class EngineKeys
{
    private final CommandPublisher commands;
    private final MetaverseCounters counters;

    EngineKeys(final CommandPublisher commands, final MetaverseCounters counters)
    {
        this.commands = commands;
        this.counters = counters;
    }

    /** Whether the engine takes this key: checked before a command carrying it is committed. */
    boolean fits(final byte[] spki)
    {
        return commands.fitsDomainKey(spki);
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
