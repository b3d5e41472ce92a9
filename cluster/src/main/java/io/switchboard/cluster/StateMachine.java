package io.switchboard.cluster;

import org.agrona.DirectBuffer;

/**
 * The registry's state and its rules, applied identically by the local log and by every cluster member. Called on
 * one thread only (the log's applying thread); it owns its state and nobody else writes it.
 * <p>
 * <b>Deterministic.</b> The same commands in the same order from the same snapshot must give the same state and the
 * same results on every node and on every replay: use {@code clusterTimeMs}, never the wall clock; no randomness,
 * no I/O, no iteration order that depends on identity hash codes. A command is applied again on replay after a
 * restart, so it must not reach outside the state machine.
 */
public interface StateMachine
{
    /**
     * Applies one committed command and answers a small result code, >= 0, whose meaning is the machine's own
     * (for example applied / not found / refused by a rule). It checks the command before it changes anything: an
     * exception it throws is logged and answered {@link CommandResult#REFUSED_FAILED}, and the log goes on.
     *
     * @param commandId     unique and increasing per origin node
     * @param originNode    the node that accepted the command from its caller
     * @param clusterTimeMs the log's time for this command, the same on every node
     * @param type          the machine's command type
     */
    int apply(long commandId, int originNode, long clusterTimeMs, int type, DirectBuffer body, int offset, int length);

    /** Writes the whole state as records; called between two commands. */
    void takeSnapshot(SnapshotWriter writer);

    /**
     * Replaces the state by the records {@link #takeSnapshot} wrote, reading until {@link SnapshotReader#next()} is
     * false.
     */
    void loadSnapshot(SnapshotReader reader);
}
