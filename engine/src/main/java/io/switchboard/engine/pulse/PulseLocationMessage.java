package io.switchboard.engine.pulse;

import io.switchboard.engine.links.LinkTypes;
import io.switchboard.engine.table.PulseClientRecord;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * What a client's owner tells the other cluster nodes over the links (PULSE block): {@link #CLIENT}, the client's
 * record as the owner holds it (key, state and its deadline, last pulse, address), or {@link #GONE}, the owner
 * forgot it. Both carry the owner's claim time, which orders two nodes' claims on one client (the later claim wins,
 * the higher node on a tie). Fixed layout, little-endian like the engine's commands and records.
 */
final class PulseLocationMessage
{
    /** The owner's view of one client: it took the client, or the client's address or state changed there. */
    static final int CLIENT = LinkTypes.PULSE_FIRST;
    /** The owner forgot the client (PENDING for the error time): every node forgets it. */
    static final int GONE = LinkTypes.PULSE_FIRST + 1;

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int CLIENT_MSB_OFFSET = 0;
    static final int CLIENT_LSB_OFFSET = 8;
    static final int CLAIM_MS_OFFSET = 16;
    static final int RECORD_OFFSET = 24;
    static final int GONE_LENGTH = RECORD_OFFSET;
    static final int CLIENT_LENGTH = RECORD_OFFSET + PulseClientRecord.SIZE;

    private PulseLocationMessage()
    {
    }

    static int putClient(
        final MutableDirectBuffer buffer, final long clientMsb, final long clientLsb, final long claimMs,
        final PulseClientRecord record)
    {
        putGone(buffer, clientMsb, clientLsb, claimMs);
        record.put(buffer, RECORD_OFFSET);
        return CLIENT_LENGTH;
    }

    static int putGone(final MutableDirectBuffer buffer, final long clientMsb, final long clientLsb, final long claimMs)
    {
        buffer.putLong(CLIENT_MSB_OFFSET, clientMsb, ORDER);
        buffer.putLong(CLIENT_LSB_OFFSET, clientLsb, ORDER);
        buffer.putLong(CLAIM_MS_OFFSET, claimMs, ORDER);
        return GONE_LENGTH;
    }

    static long clientMsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CLIENT_MSB_OFFSET, ORDER);
    }

    static long clientLsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CLIENT_LSB_OFFSET, ORDER);
    }

    static long claimMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CLAIM_MS_OFFSET, ORDER);
    }

    /** The owner's record, read into {@code into}; its state is checked by the caller. */
    static PulseClientRecord record(final DirectBuffer buffer, final int offset, final PulseClientRecord into)
    {
        return into.get(buffer, offset + RECORD_OFFSET);
    }
}
