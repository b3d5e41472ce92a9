package io.switchboard.engine.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The socket address decoder over any bytes: its length agrees with {@link QtWireReference}, an address it accepts
 * re-encodes to the same bytes and displays, one it refuses is refused by every reader ("malformed", or
 * IllegalArgumentException from the allocating decoder).
 */
class QtSocketAddressFuzzTest
{
    /** The bytes sit at an offset, as inside a datagram. */
    private static final int AT = 5;

    @FuzzTest
    void socketAddress(final byte[] bytes)
    {
        // The buffer ends where the bytes end: a read past them throws.
        final byte[] slot = new byte[AT + bytes.length];
        System.arraycopy(bytes, 0, slot, AT, bytes.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(slot);
        final int limit = slot.length;

        final int length = QtSocketAddress.encodedLength(buffer, AT, limit);
        assertEquals(QtWireReference.socketLength(slot, AT, limit), length);
        if (length < 0)
        {
            assertEquals("malformed", QtSocketAddress.toString(buffer, AT, limit));
            assertThrows(IllegalArgumentException.class, () -> QtSocketAddress.toInetSocketAddress(buffer, AT, limit));
            return;
        }
        assertTrue(length >= QtSocketAddress.NULL_LENGTH && length <= QtSocketAddress.MAX_LENGTH);
        final int port = ByteBuffer.wrap(bytes, length - 2, 2).getShort() & 0xFFFF;
        assertEquals(port, QtSocketAddress.port(buffer, AT, length));
        assertNotEquals("malformed", QtSocketAddress.toString(buffer, AT, limit));

        final byte[] encoded = Arrays.copyOf(bytes, length);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[QtSocketAddress.MAX_LENGTH]);
        final byte protocol = QtSocketAddress.protocol(buffer, AT);
        final InetSocketAddress inet = QtSocketAddress.toInetSocketAddress(buffer, AT, limit);
        switch (protocol)
        {
            case QtSocketAddress.PROTOCOL_IPV4 ->
            {
                assertEquals(length, QtSocketAddress.putIpv4(out, 0, QtSocketAddress.ipv4(buffer, AT), port));
                assertArrayEquals(encoded, Arrays.copyOf(out.byteArray(), length));
                assertArrayEquals(Arrays.copyOfRange(bytes, 1, 5), inet.getAddress().getAddress());
                assertEquals(port, inet.getPort());
            }
            case QtSocketAddress.PROTOCOL_IPV6 ->
            {
                final byte[] address = Arrays.copyOfRange(bytes, 1, 17);
                final int scopeBytes = ByteBuffer.wrap(bytes, 17, 4).getInt();
                final String scope = scopeBytes == QtSocketAddress.NULL_QSTRING ? null :
                    ByteBuffer.wrap(bytes, 21, scopeBytes).asCharBuffer().toString();
                assertEquals(length, QtSocketAddress.putIpv6(out, 0, address, scope, port));
                assertArrayEquals(encoded, Arrays.copyOf(out.byteArray(), length));
                assertArrayEquals(address, inet.getAddress().getAddress());
                assertEquals(port, inet.getPort());
            }
            default ->
            {
                assertEquals(QtSocketAddress.NULL_LENGTH, length);
                assertNull(inet, "the null and any addresses have no JDK form");
                if (protocol == QtSocketAddress.PROTOCOL_UNKNOWN && port == 0)
                {
                    assertEquals(length, QtSocketAddress.putNull(out, 0));
                    assertArrayEquals(encoded, Arrays.copyOf(out.byteArray(), length));
                }
            }
        }
    }
}
