package io.switchboard.edge.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Lets the sockets a listener accepted share one local address object. The JDK gives every accepted socket its own
 * copy of the listener's address (an InetSocketAddress, an Inet4Address and their holders: 192 bytes of heap),
 * which is a sixth of what an idle WebSocket costs here; the value is the same for all of them and never changes for
 * a connected socket. Used on one thread (its {@link SignalingAgent}'s).
 * <p>
 * The field is the JDK's own, so this needs {@code --add-opens java.base/sun.nio.ch} (the appliance jar's manifest
 * has it); without it, or on a JDK whose field differs, each socket simply keeps its copy.
 */
final class SharedLocalAddress
{
    private static final VarHandle LOCAL_ADDRESS = localAddressField();

    private InetSocketAddress shared;

    /** Points {@code channel}'s local address at the shared one when they are equal. */
    void share(final SocketChannel channel)
    {
        if (LOCAL_ADDRESS == null)
        {
            return;
        }
        final Object own = LOCAL_ADDRESS.getVolatile(channel);
        if (!(own instanceof InetSocketAddress local))
        {
            return;
        }
        if (shared == null || !shared.equals(local))
        {
            shared = local; // the first socket's, or the listener's address changed meaning (another interface)
        }
        else if (shared != local)
        {
            LOCAL_ADDRESS.setVolatile(channel, shared);
        }
    }

    /** Whether sockets can share here (false without the opened package). */
    static boolean available()
    {
        return LOCAL_ADDRESS != null;
    }

    private static VarHandle localAddressField()
    {
        try
        {
            final Class<?> type = Class.forName("sun.nio.ch.SocketChannelImpl");
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                .findVarHandle(type, "localAddress", SocketAddress.class);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }
}
