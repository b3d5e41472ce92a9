package io.switchboard.edge.metaverse;

import io.switchboard.edge.registry.Registry;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the endpoints change domains: a change is made on a copy of the record this node's replica holds and
 * committed through the {@link Registry} as a {@link DomainCommands#PUT} over the revision it was made from; when
 * another change was applied first, it is made again on the new record (a bounded number of times). It returns once
 * this node's replica holds the change, so the caller may answer 2xx. Any thread may call; with a clustered registry,
 * a call may wait up to the cluster timeout (worker threads only) and throws
 * {@link io.switchboard.cluster.ClusterUnavailableException} when it could not commit.
 * <p>
 * Heartbeat times and user counts are soft: each node writes them in place, and with a cluster each domain's are
 * offered to the log at most every soft-sync interval, so that the other nodes' listings and the sweeper see them.
 */
final class DomainWrites
{
    /**
     * A change made on a copy of the domain's record: null to commit the changed record, {@link #UNCHANGED} when
     * nothing needs to change, else why not. It may run again on a newer record when another change won.
     */
    @FunctionalInterface
    interface Change
    {
        Refusal apply(DomainRecord record);
    }

    /** Changes of one domain racing each other: each round, one of them wins. */
    static final int MAX_ATTEMPTS = 16;

    private final DomainRegistry registry;
    private final Registry log;
    private final long softSyncMs;
    private final ConcurrentHashMap<UUID, Long> lastSoftSyncMs = new ConcurrentHashMap<>();

    /** No soft sync: the local registry, whose one replica the heartbeats write in place. */
    static final long NO_SOFT_SYNC = 0;

    /** @param softSyncMs the least time between two soft syncs of one domain, or {@link #NO_SOFT_SYNC} */
    DomainWrites(final DomainRegistry registry, final Registry log, final long softSyncMs)
    {
        this.registry = registry;
        this.log = log;
        this.softSyncMs = softSyncMs;
    }

    /** Whether a write completes on the caller's thread without waiting (the local registry). */
    boolean immediate()
    {
        return log.appliesOnCaller();
    }

    /** Creates a domain; null when it was, else why not. */
    Refusal create(final DomainRecord record)
    {
        final int result = put(record, DomainRecord.NO_REVISION);
        return switch (result)
        {
            case DomainCommands.APPLIED -> null;
            case DomainCommands.BAD_KEY -> new Refusal(Failure.BAD_KEY, "public key does not fit the engine's ring slots");
            case DomainCommands.FULL -> new Refusal(Failure.REGISTRY_FULL, "the domain registry is full");
            default -> new Refusal(Failure.INTERNAL_ERROR, "domain not created (registry result " + result + ")");
        };
    }

    /**
     * Applies {@code update} to the domain's current record and commits it; null when written (or when the update
     * found nothing to change and said so by returning {@link #UNCHANGED}), else why not.
     */
    Refusal change(final UUID id, final Change update)
    {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final DomainRecord record = registry.get(id);
            if (record == null)
            {
                return Refusal.UNKNOWN_DOMAIN;
            }
            final Refusal refusal = update.apply(record);
            if (refusal == UNCHANGED)
            {
                return null;
            }
            if (refusal != null)
            {
                return refusal;
            }
            switch (put(record, record.revision))
            {
                case DomainCommands.APPLIED:
                    return null;
                case DomainCommands.UNKNOWN_DOMAIN:
                    return Refusal.UNKNOWN_DOMAIN;
                case DomainCommands.BAD_KEY:
                    return new Refusal(Failure.BAD_KEY, "public key does not fit the engine's ring slots");
                case DomainCommands.CONFLICT:
                    break;
                default:
                    return new Refusal(Failure.INTERNAL_ERROR, "domain not changed");
            }
        }
        return new Refusal(Failure.INTERNAL_ERROR, "domain changed by others " + MAX_ATTEMPTS + " times in a row");
    }

    /** What an update answers when the record needs no change: nothing is committed. */
    static final Refusal UNCHANGED = new Refusal(Failure.INTERNAL_ERROR, "unchanged");

    /**
     * Removes the domain if it still stands at {@code revision} ({@link DomainCommands#ANY_REVISION}: whatever it
     * is); true when it went.
     */
    boolean remove(final UUID id, final long revision)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[DomainCommands.REMOVE_LENGTH]);
        final int length = DomainCommands.putRemove(command, id, revision);
        final boolean removed = log.commit(DomainCommands.REMOVE, command, 0, length) == DomainCommands.APPLIED;
        if (removed)
        {
            lastSoftSyncMs.remove(id);
        }
        return removed;
    }

    /**
     * After a heartbeat written in place: with a cluster, offers the domain's heartbeat time and user counts to the
     * log when its last offer is older than the soft-sync interval (never waits, never per heartbeat).
     */
    void heardHeartbeat(final UUID id, final long nowMs)
    {
        if (softSyncMs == NO_SOFT_SYNC)
        {
            return;
        }
        final Long last = lastSoftSyncMs.get(id);
        if (last != null && nowMs - last < softSyncMs)
        {
            return;
        }
        if (last == null ? lastSoftSyncMs.putIfAbsent(id, nowMs) != null : !lastSoftSyncMs.replace(id, last, nowMs))
        {
            return;
        }
        final DomainRecord record = registry.get(id);
        if (record != null)
        {
            final UnsafeBuffer command = new UnsafeBuffer(new byte[DomainCommands.SOFT_LENGTH]);
            final int length = DomainCommands.putSoft(
                command, id, record.lastHeartbeatMs, record.numUsers, record.anonUsers);
            log.offer(DomainCommands.SOFT, command, 0, length);
        }
    }

    private int put(final DomainRecord record, final long expectedRevision)
    {
        final byte[] encoded = record.encode();
        final UnsafeBuffer command = new UnsafeBuffer(new byte[DomainCommands.RECORD_OFFSET + encoded.length]);
        final int length = DomainCommands.putPut(command, record, encoded, expectedRevision);
        return log.commit(DomainCommands.PUT, command, 0, length);
    }
}
