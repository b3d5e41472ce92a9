package io.switchboard.edge.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** A {@code --cluster-members} list on loopback whose members each find their consecutive ports free now. */
public final class ClusterPorts
{
    /** Ports one member uses: PORT to PORT+4. */
    public static final int PER_MEMBER = 5;

    private ClusterPorts()
    {
    }

    /** {@code 127.0.0.1:P0,127.0.0.1:P1,...} for {@code count} members. */
    public static String members(final int count)
    {
        final StringBuilder list = new StringBuilder();
        int base = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
        for (int member = 0; member < count; member++)
        {
            while (!free(base))
            {
                base += PER_MEMBER;
            }
            list.append(member == 0 ? "" : ",").append("127.0.0.1:").append(base);
            base += PER_MEMBER;
        }
        return list.toString();
    }

    private static boolean free(final int base)
    {
        for (int port = base; port < base + PER_MEMBER; port++)
        {
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress()))
            {
                tcp.setReuseAddress(true);
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
