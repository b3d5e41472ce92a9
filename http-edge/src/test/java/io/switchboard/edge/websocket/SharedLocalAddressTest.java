package io.switchboard.edge.websocket;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedLocalAddressTest
{
    @Test
    void acceptedSocketsShareOneLocalAddressObjectAndStillWork() throws Exception
    {
        assertTrue(SharedLocalAddress.available(), "the build opens java.base/sun.nio.ch to the appliance");
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel clientA = SocketChannel.open(listener.getLocalAddress());
            SocketChannel clientB = SocketChannel.open(listener.getLocalAddress());
            SocketChannel a = listener.accept();
            SocketChannel b = listener.accept())
        {
            assertNotSame(a.getLocalAddress(), b.getLocalAddress(), "the JDK gives each socket its own copy");
            final SharedLocalAddress shared = new SharedLocalAddress();
            shared.share(a);
            shared.share(b);
            assertSame(a.getLocalAddress(), b.getLocalAddress());
            assertEquals(listener.getLocalAddress(), b.getLocalAddress());
            b.write(java.nio.ByteBuffer.wrap(new byte[] {42}));
            final java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(1);
            clientB.read(in);
            assertEquals(42, in.get(0));
        }
    }
}
