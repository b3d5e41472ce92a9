package io.switchboard.cluster;

import org.agrona.DirectBuffer;

/** Where a snapshot's records go, in order; each record is read back whole by {@link SnapshotReader}. */
public interface SnapshotWriter
{
    /** Writes one record; blocks (bounded) on back-pressure and throws when the record cannot be written. */
    void write(DirectBuffer buffer, int offset, int length);
}
