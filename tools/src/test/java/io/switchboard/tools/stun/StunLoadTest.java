package io.switchboard.tools.stun;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StunLoadTest
{
    private final StunLoad.Transactions transactions = new StunLoad.Transactions(2, 2, new SecureRandom());

    @Test
    void bindingRequestIsAnAttributelessHeaderWithTheMagicCookie()
    {
        final ByteBuffer request = ByteBuffer.allocate(64);
        assertEquals(StunBinding.HEADER_LENGTH, transactions.write(0, 0, request));
        request.order(ByteOrder.BIG_ENDIAN);
        assertEquals(0x0001, request.getShort(0));
        assertEquals(0, request.getShort(2));
        assertEquals(0x2112A442, request.getInt(4));
    }

    @Test
    void eachRequestCarriesAFreshTransactionId()
    {
        final ByteBuffer first = ByteBuffer.allocate(64);
        final ByteBuffer second = ByteBuffer.allocate(64);
        transactions.write(0, 0, first);
        transactions.write(0, 1, second);
        assertNotEquals(first.getLong(8), second.getLong(8));
    }

    @Test
    void successResponseForAnOutstandingTransactionIsAccepted()
    {
        final ByteBuffer request = ByteBuffer.allocate(64);
        transactions.write(1, 0, request);
        transactions.write(1, 1, ByteBuffer.allocate(64));
        assertTrue(transactions.accept(1, response(request, (short)0x0101)));
    }

    @Test
    void errorResponseOrAnotherSocketsTransactionIsRejected()
    {
        final ByteBuffer request = ByteBuffer.allocate(64);
        transactions.write(0, 0, request);
        assertFalse(transactions.accept(0, response(request, (short)0x0111)));
        assertFalse(transactions.accept(1, response(request, (short)0x0101)));
    }

    /** The request's header with {@code type} and one 12-byte XOR-MAPPED-ADDRESS attribute. */
    private static ByteBuffer response(final ByteBuffer request, final short type)
    {
        final ByteBuffer response = ByteBuffer.allocate(StunBinding.HEADER_LENGTH + 12);
        response.put(0, request, 0, StunBinding.HEADER_LENGTH).putShort(0, type).putShort(2, (short)12)
            .putShort(20, (short)0x0020).putShort(22, (short)8);
        return response;
    }
}
