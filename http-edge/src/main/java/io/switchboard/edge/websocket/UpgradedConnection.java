package io.switchboard.edge.websocket;

import io.undertow.conduits.ReadDataStreamSourceConduit;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.StreamConnection;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Takes a socket Undertow has upgraded away from Undertow and XNIO, so that a {@link SignalingAgent} alone owns it. Kept,
 * each upgraded socket would carry XNIO's connection, conduits, channels and handlers (~0.3 KB) and Undertow's HTTP
 * connection (~1 KB, reachable through XNIO's close listener) for its whole life, and every event would pass
 * through their layers.
 * <p>
 * The hand-over, on the connection's IO thread: XNIO stops reading and writing it at once; bytes Undertow read past
 * the upgrade request are taken out of its buffer; once the upgrade has returned to Undertow, {@link #release} runs
 * Undertow's close listener (Undertow forgets the connection as if it had closed: registry entry, timers, buffers),
 * cancels XNIO's selection key and gives back XNIO's count of open connections. The socket itself stays open.
 * <p>
 * XNIO 3.8 has no public way to detach a socket, so this calls three package-private members of its NIO provider.
 * {@link #requireSupported} checks for them when a listener starts, so another XNIO fails at start, not per socket.
 */
final class UpgradedConnection
{
    private static final String XNIO_NIO = "org.xnio.nio.";
    private static final Members MEMBERS = Members.find();

    private final StreamConnection connection;
    private final SocketChannel channel;

    /** In the upgrade listener, on the connection's IO thread: XNIO neither reads nor writes it from now on. */
    UpgradedConnection(final StreamConnection connection)
    {
        this.connection = connection;
        this.channel = MEMBERS.channel(connection);
        connection.getSourceChannel().suspendReads();
        connection.getSinkChannel().suspendWrites();
        connection.getSourceChannel().setReadListener(null);
        connection.getSinkChannel().setWriteListener(null);
    }

    /** Fails, saying why, when this XNIO lacks what the hand-over needs. */
    static void requireSupported()
    {
        if (MEMBERS.missing != null)
        {
            throw new IllegalStateException("WebSocket sockets cannot be taken from this XNIO build: " + MEMBERS.missing);
        }
    }

    /** The socket, non-blocking. */
    SocketChannel channel()
    {
        return channel;
    }

    /**
     * Bytes the client sent right behind its upgrade request, which Undertow read ahead into its own buffer;
     * null when there are none. Call before {@link #release}, which frees that buffer.
     */
    byte[] takeReadAhead()
    {
        if (!(connection.getSourceChannel().getConduit() instanceof ReadDataStreamSourceConduit))
        {
            return null;
        }
        // Undertow's buffer holds less than ours, and its conduit hands it over in one read.
        final ByteBuffer bytes = ByteBuffer.allocate(SignalingAgent.BUFFER_BYTES);
        try
        {
            connection.getSourceChannel().read(bytes);
        }
        catch (final IOException ex)
        {
            return null; // the socket's own first read will fail the same way and end it
        }
        if (bytes.position() == 0)
        {
            return null;
        }
        final byte[] ahead = new byte[bytes.position()];
        bytes.flip().get(ahead);
        return ahead;
    }

    /**
     * On the connection's IO thread, once the upgrade has returned to Undertow: Undertow and XNIO let go of the
     * socket, which stays open.
     */
    void release()
    {
        final ChannelListener<? super StreamConnection> undertow = connection.getCloseListener();
        if (undertow != null)
        {
            ChannelListeners.invokeChannelListener(connection, undertow);
        }
        MEMBERS.detach(connection);
    }

    /** The package-private XNIO members the hand-over calls, or why they are missing. */
    private static final class Members
    {
        private final MethodHandle getChannel;
        private final MethodHandle getConduit;
        private final MethodHandle getSelectionKey;
        private final MethodHandle closedHandle;
        private final MethodHandle channelClosed;
        private final String missing;

        private Members(final MethodHandle[] handles, final String missing)
        {
            this.getChannel = handles[0];
            this.getConduit = handles[1];
            this.getSelectionKey = handles[2];
            this.closedHandle = handles[3];
            this.channelClosed = handles[4];
            this.missing = missing;
        }

        static Members find()
        {
            final MethodHandle[] handles = new MethodHandle[5];
            try
            {
                final Class<?> connection = Class.forName(XNIO_NIO + "NioSocketStreamConnection");
                final Class<?> conduit = Class.forName(XNIO_NIO + "NioSocketConduit");
                final Class<?> handle = Class.forName(XNIO_NIO + "NioHandle");
                final Class<?> closed = Class.forName(XNIO_NIO + "ChannelClosed");
                final MethodHandles.Lookup inConnection = MethodHandles.privateLookupIn(connection, MethodHandles.lookup());
                handles[0] = inConnection.findVirtual(connection, "getChannel", MethodType.methodType(SocketChannel.class))
                    .asType(MethodType.methodType(SocketChannel.class, StreamConnection.class));
                handles[1] = inConnection.findVirtual(connection, "getConduit", MethodType.methodType(conduit))
                    .asType(MethodType.methodType(Object.class, StreamConnection.class));
                handles[2] = MethodHandles.privateLookupIn(handle, MethodHandles.lookup())
                    .findVirtual(handle, "getSelectionKey", MethodType.methodType(SelectionKey.class))
                    .asType(MethodType.methodType(SelectionKey.class, Object.class));
                handles[3] = inConnection.findGetter(connection, "closedHandle", closed)
                    .asType(MethodType.methodType(Object.class, StreamConnection.class));
                handles[4] = MethodHandles.privateLookupIn(closed, MethodHandles.lookup())
                    .findVirtual(closed, "channelClosed", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
                return new Members(handles, null);
            }
            catch (final ReflectiveOperationException | SecurityException | IllegalArgumentException ex)
            {
                return new Members(handles, ex.toString());
            }
        }

        SocketChannel channel(final StreamConnection connection)
        {
            try
            {
                return (SocketChannel)getChannel.invokeExact(connection);
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException("not a plain XNIO NIO socket: " + connection.getClass().getName(), ex);
            }
        }

        /** Cancels XNIO's selection key and gives back XNIO's count of open connections. */
        void detach(final StreamConnection connection)
        {
            try
            {
                final Object conduit = (Object)getConduit.invokeExact(connection);
                final SelectionKey key = (SelectionKey)getSelectionKey.invokeExact(conduit);
                key.cancel();
                final Object closed = (Object)closedHandle.invokeExact(connection);
                if (closed != null)
                {
                    channelClosed.invokeExact(closed);
                }
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException("XNIO would not let go of " + connection, ex);
            }
        }
    }
}
