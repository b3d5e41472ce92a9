package io.switchboard.cluster;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback UDP port ranges for test clusters (a member takes {@link ClusterContext#PORTS_PER_MEMBER}). */
public final class FreePorts
{
    private FreePorts()
    {
    }

    /** A base port whose next {@code count} ports are free on 127.0.0.1 right now. */
    public static int base(final int count)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(21_000, 32_000);
            if (allFree(base, count))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + count + " UDP ports");
    }

    private static boolean allFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            catch (final SocketException ex)
            {
                return false;
            }
        }
        return true;
    }
}
