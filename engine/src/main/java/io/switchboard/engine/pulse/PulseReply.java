package io.switchboard.engine.pulse;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The answer to a pulse: a 4-byte big-endian signed int, as the original's code sends (its README said one byte).
 * Clients should also accept a 2-byte big-endian value.
 */
public final class PulseReply
{
    public static final int LENGTH = 4;

    /** Pulse accepted on time; the client stays ONLINE for another pulse TTL. */
    public static final int ON_TIME = 1020;
    /** The client is PENDING (it missed a deadline): its address was updated, but it must POST /verify. */
    public static final int MUST_REVERIFY = 1050;
    /** No registered client holds this key (never issued, logged out, or expired). */
    public static final int UNKNOWN_CLIENT = 1060;

    private PulseReply()
    {
    }

    public static int put(final MutableDirectBuffer buffer, final int offset, final int code)
    {
        buffer.putInt(offset, code, ByteOrder.BIG_ENDIAN);
        return LENGTH;
    }

    public static int code(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset, ByteOrder.BIG_ENDIAN);
    }
}
