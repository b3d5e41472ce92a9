package io.switchboard.edge.registry;

import io.switchboard.cluster.SnapshotWriter;
import org.agrona.DirectBuffer;

/**
 * One kind of durable state in the {@link RegistryMachine} (the metaverse domains; later the pulse registrations):
 * it owns a block of {@link #BLOCK} command types from {@link #firstType()}, applies them to its replica, and writes
 * and reads its own snapshot records. Called on the registry's applying thread only, with the same determinism rules
 * as {@link io.switchboard.cluster.StateMachine}: its results depend on its durable state and the command alone.
 */
public interface RegistryPart
{
    /** How many command types each part owns. */
    int BLOCK = 100;

    /** The first of this part's command types, a multiple of {@link #BLOCK}, at least {@link #BLOCK}. */
    int firstType();

    /** Applies one committed command of this part's block; answers the part's result code (>= 0). */
    int apply(long commandId, int originNode, long clusterTimeMs, int type, DirectBuffer body, int offset, int length);

    /** Forgets every record (before a replica is rebuilt from the cluster's snapshot and log). */
    void clear();

    /** Writes every record of this part's state. */
    void takeSnapshot(SnapshotWriter writer);

    /** Takes back one record its {@link #takeSnapshot} wrote. */
    void loadSnapshotRecord(DirectBuffer buffer, int offset, int length);
}
