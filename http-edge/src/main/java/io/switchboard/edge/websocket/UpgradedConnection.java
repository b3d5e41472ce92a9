package io.switchboard.edge.websocket;

import io.undertow.conduits.ReadDataStreamSourceConduit;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.StreamConnection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes Undertow let go of a connection it upgraded. Undertow's HTTP connection object (parser state, response
 * conduits, close listeners, its listener's registry entry and timers: about 1 KB) stays reachable for the socket's
 * whole life through the XNIO close listener, which XNIO only ever merges with later ones. Once the upgrade has
 * returned, {@link #release} runs Undertow's close listener (Undertow forgets the connection as if it had closed:
 * it leaves the registry, its timers are cancelled) and puts the socket's own listener in its place.
 * <p>
 * XNIO 3.8 offers no way to replace a close listener, so this swaps the private reference once, after checking
 * that the connection is still open; if the field is not found (another XNIO), nothing is released and the socket
 * only costs more memory. When Undertow read bytes ahead of the 101 they are still in its buffer and nothing is
 * released either.
 */
final class UpgradedConnection
{
    private static final VarHandle CLOSE_LISTENER = closeListenerField();

    private final StreamConnection connection;
    /** Undertow's close listener, until it has run. */
    private ChannelListener<? super StreamConnection> undertow;

    /** Must be called before the socket adds its own close listener. */
    UpgradedConnection(final StreamConnection connection)
    {
        this.connection = connection;
        this.undertow = connection.getCloseListener();
    }

    /** Whether {@link #release} can work for this connection. */
    boolean releasable()
    {
        return CLOSE_LISTENER != null && undertow != null &&
            !(connection.getSourceChannel().getConduit() instanceof ReadDataStreamSourceConduit);
    }

    /**
     * On the connection's IO thread, after the upgrade returned: runs Undertow's close listener now and leaves
     * {@code own} as the only close listener. Does nothing if the connection closed meanwhile (both listeners
     * have run then).
     *
     * @return whether Undertow let go
     */
    @SuppressWarnings("unchecked")
    boolean release(final ChannelListener<? super StreamConnection> own)
    {
        final ChannelListener<? super StreamConnection> listener = undertow;
        undertow = null;
        if (listener == null || CLOSE_LISTENER == null || !connection.isOpen())
        {
            return false;
        }
        final AtomicReference<ChannelListener<? super StreamConnection>> field =
            (AtomicReference<ChannelListener<? super StreamConnection>>)CLOSE_LISTENER.get(connection);
        final ChannelListener<? super StreamConnection> merged = field.get();
        if (merged == null || !connection.isOpen() || !field.compareAndSet(merged, own))
        {
            return false;
        }
        ChannelListeners.invokeChannelListener(connection, listener);
        return true;
    }

    private static VarHandle closeListenerField()
    {
        try
        {
            return MethodHandles.privateLookupIn(StreamConnection.class, MethodHandles.lookup())
                .findVarHandle(StreamConnection.class, "closeListener", AtomicReference.class);
        }
        catch (final ReflectiveOperationException | SecurityException | IllegalArgumentException ex)
        {
            return null;
        }
    }
}
