package io.switchboard.edge.rendezvous;

import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The registry commands for pulse registrations, and their results: the one encoding the rendezvous API writes and
 * {@link PulseMachine} reads. Little-endian. Each carries who waits for the engine's answer: the process that
 * submitted it (a random nonce drawn at its start) and that process's correlation id; on any other process, or on a
 * replay after a restart, nobody waits.
 * <pre>
 * REGISTER  0 client msb int64 | 8 client lsb int64 | 16 key 32 bytes as issued | 48 nonce int64 | 56 correlation id
 * FORGET    0 key 32 bytes | 32 nonce int64 | 40 correlation id int64
 * </pre>
 */
final class PulseCommands
{
    static final int FIRST_TYPE = 200;
    static final int REGISTER = FIRST_TYPE;
    static final int FORGET = FIRST_TYPE + 1;

    static final int APPLIED = 0;
    /** The client id or key is held by a recent registration. */
    static final int DUPLICATE = 1;
    /** The registry holds --pulse-max-clients registrations younger than their grace. */
    static final int FULL = 2;
    /** No recent registration holds the key (the engines are told to forget it all the same). */
    static final int UNKNOWN = 3;
    static final int MALFORMED = 4;

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int CLIENT_MSB_OFFSET = 0;
    static final int CLIENT_LSB_OFFSET = 8;
    static final int REGISTER_KEY_OFFSET = 16;
    static final int REGISTER_NONCE_OFFSET = REGISTER_KEY_OFFSET + PulseKey.LENGTH;
    static final int REGISTER_CORRELATION_OFFSET = REGISTER_NONCE_OFFSET + 8;
    static final int REGISTER_LENGTH = REGISTER_CORRELATION_OFFSET + 8;
    static final int FORGET_KEY_OFFSET = 0;
    static final int FORGET_NONCE_OFFSET = PulseKey.LENGTH;
    static final int FORGET_CORRELATION_OFFSET = FORGET_NONCE_OFFSET + 8;
    static final int FORGET_LENGTH = FORGET_CORRELATION_OFFSET + 8;

    private PulseCommands()
    {
    }

    static int putRegister(
        final MutableDirectBuffer buffer, final long clientMsb, final long clientLsb, final PulseKey key,
        final long nonce, final long correlationId)
    {
        buffer.putLong(CLIENT_MSB_OFFSET, clientMsb, ORDER);
        buffer.putLong(CLIENT_LSB_OFFSET, clientLsb, ORDER);
        key.putRaw(buffer, REGISTER_KEY_OFFSET);
        buffer.putLong(REGISTER_NONCE_OFFSET, nonce, ORDER);
        buffer.putLong(REGISTER_CORRELATION_OFFSET, correlationId, ORDER);
        return REGISTER_LENGTH;
    }

    static int putForget(final MutableDirectBuffer buffer, final PulseKey key, final long nonce, final long correlationId)
    {
        key.putRaw(buffer, FORGET_KEY_OFFSET);
        buffer.putLong(FORGET_NONCE_OFFSET, nonce, ORDER);
        buffer.putLong(FORGET_CORRELATION_OFFSET, correlationId, ORDER);
        return FORGET_LENGTH;
    }

    static long getLong(final DirectBuffer buffer, final int offset, final int field)
    {
        return buffer.getLong(offset + field, ORDER);
    }
}
