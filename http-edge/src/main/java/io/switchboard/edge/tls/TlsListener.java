package io.switchboard.edge.tls;

import io.switchboard.engine.metrics.Metrics;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import org.agrona.concurrent.status.AtomicCounter;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.ssl.SslConnection;

import javax.net.ssl.SSLContext;

/**
 * The TLS side of one Undertow listener: wraps each accepted connection in Undertow's TLS connection (XNIO's public
 * {@link SslConnection}) over the appliance's {@link ServerTls} context, and counts the handshakes that complete and
 * the connections that close before theirs did (a failed handshake, plain HTTP to a TLS port, a client gone).
 */
public final class TlsListener implements AutoCloseable
{
    /** A whole TLS record and its overhead, as Undertow's own TLS buffers. */
    private static final int BUFFER_BYTES = 17 * 1024;
    private static final int BUFFERS_PER_THREAD = 4;

    private final ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_BYTES, -1, BUFFERS_PER_THREAD);
    private final UndertowXnioSsl ssl;
    private final AtomicCounter completed;
    private final AtomicCounter failed;

    TlsListener(final String name, final Xnio xnio, final SSLContext context, final Metrics metrics)
    {
        this.ssl = new UndertowXnioSsl(xnio, OptionMap.EMPTY, buffers, context);
        final TlsHandshakes handshakes = TlsHandshakes.of(name, metrics);
        this.completed = handshakes.completed();
        this.failed = handshakes.failed();
    }

    /** {@code accepted} as a TLS server connection; its handshake starts with the client's hello, on the first read. */
    public Handshake secure(final StreamConnection accepted)
    {
        final SslConnection connection = ssl.wrapExistingConnection(accepted, OptionMap.EMPTY, false);
        final Handshake handshake = new Handshake(connection);
        connection.getHandshakeSetter().set(handshake);
        return handshake;
    }

    @Override
    public void close()
    {
        buffers.close();
    }

    /** One connection's handshake: counted once, as completed or, when the connection closes first, failed. */
    public final class Handshake implements ChannelListener<SslConnection>
    {
        private final SslConnection connection;
        private volatile boolean done;

        private Handshake(final SslConnection connection)
        {
            this.connection = connection;
        }

        public SslConnection connection()
        {
            return connection;
        }

        /** XNIO's handshake listener: the handshake completed (again, on a renegotiation, not counted). */
        @Override
        public void handleEvent(final SslConnection channel)
        {
            if (!done)
            {
                done = true;
                completed.increment();
            }
        }

        /** The connection closed. */
        public void closed()
        {
            if (!done)
            {
                done = true;
                failed.increment();
            }
        }
    }
}
