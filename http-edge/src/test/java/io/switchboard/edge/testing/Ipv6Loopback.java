package io.switchboard.edge.testing;

import io.switchboard.engine.config.BindAddresses;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code ::1} for tests of IPv6 transport, which skip (a JUnit assumption, saying why) where there is none. */
public final class Ipv6Loopback
{
    private Ipv6Loopback()
    {
    }

    /** The IPv6 loopback address; aborts the calling test as skipped when this machine cannot bind it. */
    public static InetAddress assumed() throws IOException
    {
        final InetAddress loopback = InetAddress.getByName("::1");
        boolean bound = false;
        if (BindAddresses.ipv6Available())
        {
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback, 0)))
            {
                bound = probe.getLocalPort() > 0;
            }
            catch (final IOException ex)
            {
                bound = false;
            }
        }
        assumeTrue(bound, "no IPv6 loopback (::1) on this machine: IPv6 transport tests skipped");
        return loopback;
    }
}
