package io.switchboard.cluster;

import org.agrona.DirectBuffer;

/** A snapshot's records in the order they were written; the current record is valid until the next call. */
public interface SnapshotReader
{
    /** Moves to the next record; false at the end of the records written by this writer. */
    boolean next();

    DirectBuffer buffer();

    int offset();

    int length();
}
