package io.switchboard.engine.wire;

import java.nio.ByteBuffer;

/**
 * The socket address grammar of ice-wire.md §2.2 written a second way, over a {@link ByteBuffer}, for fuzz targets
 * to hold the flyweights against: a QHostAddress (protocol byte; 4 address bytes, or 16 and a QString scope id of
 * at most {@link QtSocketAddress#MAX_SCOPE_BYTES}, or nothing) and a port.
 */
public final class QtWireReference
{
    private QtWireReference()
    {
    }

    /** Length of the socket address at {@code bytes[from]} within {@code limit}, or -1 when it is not one. */
    public static int socketLength(final byte[] bytes, final int from, final int limit)
    {
        if (from >= limit)
        {
            return -1;
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes, from, limit - from);
        final byte protocol = in.get();
        int addressBytes = 0;
        if (protocol == 0)
        {
            addressBytes = 4;
        }
        else if (protocol == 1)
        {
            if (in.remaining() < 16 + 4)
            {
                return -1;
            }
            in.position(in.position() + 16);
            final int scopeBytes = in.getInt();
            final boolean nullScope = scopeBytes == -1;
            if (!nullScope && (scopeBytes < 0 || scopeBytes % 2 != 0 || scopeBytes > QtSocketAddress.MAX_SCOPE_BYTES))
            {
                return -1;
            }
            addressBytes = nullScope ? 0 : scopeBytes;
        }
        else if (protocol != 2 && protocol != -1)
        {
            return -1;
        }
        final int end = in.position() - from + addressBytes + 2;
        return from + end <= limit ? end : -1;
    }
}
