package io.switchboard.tools.stun;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RFC 5389 Binding, the one STUN exchange the load needs: a Binding Request with no attributes, and the check that
 * a reply is the Binding Success Response to a given transaction id.
 */
final class StunBinding
{
    static final int HEADER_LENGTH = 20;
    static final short BINDING_REQUEST = 0x0001;
    static final short BINDING_SUCCESS_RESPONSE = 0x0101;
    static final int MAGIC_COOKIE = 0x2112_A442;

    static final int TYPE_OFFSET = 0;
    static final int LENGTH_OFFSET = 2;
    static final int COOKIE_OFFSET = 4;
    /** The 96-bit transaction id, read and written as a long and an int. */
    static final int TRANSACTION_ID_HIGH_OFFSET = 8;
    static final int TRANSACTION_ID_LOW_OFFSET = 16;

    private StunBinding()
    {
    }

    /**
     * @return the request's length, {@link #HEADER_LENGTH}.
     */
    static int putRequest(final ByteBuffer dst, final long transactionIdHigh, final int transactionIdLow)
    {
        dst.order(ByteOrder.BIG_ENDIAN)
            .putShort(TYPE_OFFSET, BINDING_REQUEST)
            .putShort(LENGTH_OFFSET, (short)0)
            .putInt(COOKIE_OFFSET, MAGIC_COOKIE)
            .putLong(TRANSACTION_ID_HIGH_OFFSET, transactionIdHigh)
            .putInt(TRANSACTION_ID_LOW_OFFSET, transactionIdLow);
        return HEADER_LENGTH;
    }

    /** A Binding Success Response, its attribute length consistent with the datagram, for this transaction. */
    static boolean isSuccessFor(final ByteBuffer reply, final long transactionIdHigh, final int transactionIdLow)
    {
        final int at = reply.position();
        reply.order(ByteOrder.BIG_ENDIAN);
        return reply.remaining() >= HEADER_LENGTH &&
            reply.getShort(at + TYPE_OFFSET) == BINDING_SUCCESS_RESPONSE &&
            (reply.getShort(at + LENGTH_OFFSET) & 0xFFFF) == reply.remaining() - HEADER_LENGTH &&
            reply.getInt(at + COOKIE_OFFSET) == MAGIC_COOKIE &&
            reply.getLong(at + TRANSACTION_ID_HIGH_OFFSET) == transactionIdHigh &&
            reply.getInt(at + TRANSACTION_ID_LOW_OFFSET) == transactionIdLow;
    }
}
