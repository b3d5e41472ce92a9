package io.switchboard.edge.metaverse;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.UUID;

/**
 * The registry commands that change domains, and their results: the one encoding the edge writes and
 * {@link DomainMachine} reads, in the local log and the cluster's alike. Little-endian; every command starts with
 * the domain's UUID.
 * <pre>
 * PUT     0 id msb int64 | 8 id lsb int64 | 16 expected revision int64 (0: the domain must not exist) |
 *        24 the whole record as {@link DomainRecord#encode} writes it (its own revision field is ignored)
 * REMOVE  0 id msb | 8 id lsb | 16 expected revision int64 ({@link #ANY_REVISION}: whatever it is)
 * SOFT    0 id msb | 8 id lsb | 16 last heartbeat ms int64 | 24 num users int32 | 28 anon users int32
 * </pre>
 */
final class DomainCommands
{
    static final int FIRST_TYPE = 100;
    static final int PUT = FIRST_TYPE;
    static final int REMOVE = FIRST_TYPE + 1;
    static final int SOFT = FIRST_TYPE + 2;

    /** Results: applied; the stored revision was not the expected one (or the domain exists, for a create). */
    static final int APPLIED = 0;
    static final int CONFLICT = 1;
    static final int UNKNOWN_DOMAIN = 2;
    static final int FULL = 3;
    static final int MALFORMED = 4;
    /** The record's key does not fit the ICE engine's ring slots (the edge checks first; configs must agree). */
    static final int BAD_KEY = 5;

    static final long ANY_REVISION = -1;

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int ID_MSB_OFFSET = 0;
    static final int ID_LSB_OFFSET = 8;
    static final int REVISION_OFFSET = 16;
    static final int RECORD_OFFSET = 24;
    static final int REMOVE_LENGTH = 24;
    static final int LAST_HEARTBEAT_OFFSET = 16;
    static final int NUM_USERS_OFFSET = 24;
    static final int ANON_USERS_OFFSET = 28;
    static final int SOFT_LENGTH = 32;

    private DomainCommands()
    {
    }

    static int putPut(
        final MutableDirectBuffer buffer, final DomainRecord record, final byte[] encoded, final long expectedRevision)
    {
        putId(buffer, record.id);
        buffer.putLong(REVISION_OFFSET, expectedRevision, ORDER);
        buffer.putBytes(RECORD_OFFSET, encoded);
        return RECORD_OFFSET + encoded.length;
    }

    static int putRemove(final MutableDirectBuffer buffer, final UUID id, final long expectedRevision)
    {
        putId(buffer, id);
        buffer.putLong(REVISION_OFFSET, expectedRevision, ORDER);
        return REMOVE_LENGTH;
    }

    static int putSoft(
        final MutableDirectBuffer buffer, final UUID id, final long lastHeartbeatMs, final int numUsers,
        final int anonUsers)
    {
        putId(buffer, id);
        buffer.putLong(LAST_HEARTBEAT_OFFSET, lastHeartbeatMs, ORDER);
        buffer.putInt(NUM_USERS_OFFSET, numUsers, ORDER);
        buffer.putInt(ANON_USERS_OFFSET, anonUsers, ORDER);
        return SOFT_LENGTH;
    }

    static UUID id(final DirectBuffer buffer, final int offset)
    {
        return new UUID(buffer.getLong(offset + ID_MSB_OFFSET, ORDER), buffer.getLong(offset + ID_LSB_OFFSET, ORDER));
    }

    static long revision(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + REVISION_OFFSET, ORDER);
    }

    private static void putId(final MutableDirectBuffer buffer, final UUID id)
    {
        buffer.putLong(ID_MSB_OFFSET, id.getMostSignificantBits(), ORDER);
        buffer.putLong(ID_LSB_OFFSET, id.getLeastSignificantBits(), ORDER);
    }
}
