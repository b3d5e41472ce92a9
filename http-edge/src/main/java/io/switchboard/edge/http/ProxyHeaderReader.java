package io.switchboard.edge.http;

import io.switchboard.protocol.proxy.ProxyHeader;
import org.xnio.Buffers;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.PushBackStreamSourceConduit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Reads the PROXY protocol header ({@link ProxyHeader}, v1 or v2) a trusted proxy sends first on a connection, on the
 * connection's IO thread, before HTTP sees a byte: a whole header hands the connection on with the client it names
 * (null for LOCAL or UNKNOWN: the proxy itself); bytes read past the header are pushed back for the HTTP parser. A
 * refused header (not PROXY, malformed, too long) or an end of stream closes the connection, the refusal counted by
 * the caller. A header that never completes is cut by the connection's {@link RequestTimeouts} like a stalled request.
 */
final class ProxyHeaderReader implements ChannelListener<ConduitStreamSourceChannel>
{
    /** Where a connection goes once its header is read. */
    interface Next
    {
        /** @param client the client the header names, or null when it names none */
        void proceed(StreamConnection connection, InetSocketAddress client);

        /** The header was refused; the connection is closed. */
        void refused(StreamConnection connection);
    }

    private final StreamConnection connection;
    private final Next next;
    private final ProxyHeader header = new ProxyHeader();
    private final ByteBuffer buffer = ByteBuffer.allocate(ProxyHeader.DEFAULT_MAX_BYTES);

    private ProxyHeaderReader(final StreamConnection connection, final Next next)
    {
        this.connection = connection;
        this.next = next;
    }

    /** Starts reading {@code connection}'s header. */
    static void read(final StreamConnection connection, final Next next)
    {
        final ConduitStreamSourceChannel source = connection.getSourceChannel();
        source.setReadListener(new ProxyHeaderReader(connection, next));
        source.resumeReads();
    }

    @Override
    public void handleEvent(final ConduitStreamSourceChannel source)
    {
        final int read;
        try
        {
            read = source.read(buffer);
        }
        catch (final IOException ex)
        {
            IoUtils.safeClose(connection);
            return;
        }
        final int result = header.decode(buffer, 0, buffer.position());
        if (result == ProxyHeader.NEED_MORE)
        {
            if (read < 0)
            {
                IoUtils.safeClose(connection); // closed before a whole header: nothing to answer
            }
            return; // reads stay resumed: the listener runs again when more arrives
        }
        if (result < 0)
        {
            IoUtils.safeClose(connection);
            next.refused(connection);
            return;
        }
        source.suspendReads();
        source.getReadSetter().set(null);
        if (buffer.position() > result)
        {
            final PushBackStreamSourceConduit pushBack = new PushBackStreamSourceConduit(source.getConduit());
            final ByteBuffer rest = ByteBuffer.allocate(buffer.position() - result);
            rest.put(buffer.array(), result, rest.capacity()).flip();
            pushBack.pushBack(Buffers.pooledWrapper(rest));
            source.setConduit(pushBack);
        }
        next.proceed(connection, header.source());
    }
}
