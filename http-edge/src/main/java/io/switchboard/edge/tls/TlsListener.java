package io.switchboard.edge.tls;

import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.ssl.SslConnection;

import javax.net.ssl.SSLContext;
import java.net.InetAddress;

/**
 * The TLS side of one Undertow listener: wraps each accepted connection in Undertow's TLS connection (XNIO's public
 * {@link SslConnection}) over the appliance's {@link ServerTls} context, once the connection has a place in the
 * handshake budget ({@link TlsHandshakes}), and counts the handshakes that complete and the connections that close
 * before theirs did (a failed handshake, plain HTTP to a TLS port, a client gone). Handshakes run on Undertow's IO
 * threads, which own no relayed sockets: the budget bounds what they take.
 */
public final class TlsListener implements AutoCloseable
{
    /** A whole TLS record and its overhead, as Undertow's own TLS buffers. */
    private static final int BUFFER_BYTES = 17 * 1024;
    private static final int BUFFERS_PER_THREAD = 4;

    private final ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_BYTES, -1, BUFFERS_PER_THREAD);
    private final UndertowXnioSsl ssl;
    private final TlsHandshakes handshakes;

    TlsListener(final SSLContext context, final Xnio xnio, final TlsHandshakes handshakes)
    {
        this.ssl = new UndertowXnioSsl(xnio, OptionMap.EMPTY, buffers, context);
        this.handshakes = handshakes;
    }

    /**
     * {@code accepted}, from {@code client} (null: a trusted proxy's own connection), as a TLS server connection; its
     * handshake starts with the client's hello, on the first read.
     *
     * @return null when the handshake budget refuses it (counted): the caller closes the connection
     */
    public Handshake secure(final StreamConnection accepted, final InetAddress client)
    {
        final TlsHandshakes.Handshake budgeted = handshakes.begin(client);
        if (budgeted == null)
        {
            return null;
        }
        try
        {
            final SslConnection connection = ssl.wrapExistingConnection(accepted, OptionMap.EMPTY, false);
            final Handshake handshake = new Handshake(connection, budgeted);
            connection.getHandshakeSetter().set(handshake);
            return handshake;
        }
        catch (final RuntimeException ex)
        {
            budgeted.failed(); // its place comes back: no connection will end it
            throw ex;
        }
    }

    @Override
    public void close()
    {
        buffers.close();
    }

    /** One connection's handshake: counted once, as completed or, when the connection closes first, failed. */
    public static final class Handshake implements ChannelListener<SslConnection>
    {
        private final SslConnection connection;
        private final TlsHandshakes.Handshake budgeted;

        private Handshake(final SslConnection connection, final TlsHandshakes.Handshake budgeted)
        {
            this.connection = connection;
            this.budgeted = budgeted;
        }

        public SslConnection connection()
        {
            return connection;
        }

        /** XNIO's handshake listener: the handshake completed (counted once). */
        @Override
        public void handleEvent(final SslConnection channel)
        {
            budgeted.completed();
        }

        /** The connection closed. */
        public void closed()
        {
            budgeted.failed();
        }
    }
}
