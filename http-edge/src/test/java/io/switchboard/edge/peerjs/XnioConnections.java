package io.switchboard.edge.peerjs;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/** XNIO's own count of the open connections of a listener in this JVM, as it publishes it over JMX. */
final class XnioConnections
{
    private XnioConnections()
    {
    }

    /** The count for the listener bound to {@code port}, once it equals {@code expected} or after 5 s. */
    static int awaitCount(final int port, final int expected) throws Exception
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        int count = count(port);
        while (count != expected && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
            count = count(port);
        }
        return count;
    }

    private static int count(final int port) throws Exception
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (final ObjectName name : server.queryNames(new ObjectName("org.xnio:*"), null))
        {
            final Object address = attribute(server, name, "BindAddress");
            if (address != null && address.toString().endsWith(":" + port))
            {
                return (Integer)server.getAttribute(name, "ConnectionCount");
            }
        }
        throw new AssertionError("XNIO publishes no listener on port " + port + ": " +
            server.queryNames(new ObjectName("org.xnio:*"), null));
    }

    private static Object attribute(final MBeanServer server, final ObjectName name, final String attribute)
    {
        try
        {
            return server.getAttribute(name, attribute);
        }
        catch (final Exception notAServer)
        {
            return null;
        }
    }
}
