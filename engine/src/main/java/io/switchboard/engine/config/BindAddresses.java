package io.switchboard.engine.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --bind-address}: a comma-separated list of the addresses every listener binds, at most one per family (UDP
 * replies leave from the socket of their destination's family). The default, {@code ::}, is dual-stack: one socket
 * per listener takes IPv6 and IPv4 (IPv4 peers appear as IPv4 addresses); where the machine has no IPv6 it falls back
 * to {@code 0.0.0.0}. The one reading of the option, for the engine's UDP listeners and the HTTP listeners alike.
 */
public final class BindAddresses
{
    public static final String DUAL_STACK = "::";
    public static final String IPV4_ANY = "0.0.0.0";

    private static final Logger LOG = LoggerFactory.getLogger(BindAddresses.class);

    private BindAddresses()
    {
    }

    /**
     * The addresses of {@code list}, in order.
     *
     * @throws IllegalArgumentException naming what is wrong: not an address, two of one family, {@code ::} beside an
     *                                  IPv4 address (its socket takes IPv4 already)
     */
    public static List<InetAddress> resolve(final String list)
    {
        if (DUAL_STACK.equals(list.strip()) && !ipv6Available())
        {
            LOG.warn("no IPv6 on this machine: listening on {} instead of {}", IPV4_ANY, DUAL_STACK);
            return List.of(parse(IPV4_ANY));
        }
        final List<InetAddress> addresses = new ArrayList<>();
        boolean ipv4 = false;
        boolean ipv6 = false;
        boolean dualStack = false;
        for (final String entry : list.split(",", -1))
        {
            final InetAddress address = parse(entry.strip());
            if (address instanceof Inet4Address ? ipv4 : ipv6)
            {
                throw new IllegalArgumentException("bind address lists two " +
                    (address instanceof Inet4Address ? "IPv4" : "IPv6") + " addresses (one per family): " + list);
            }
            ipv4 |= address instanceof Inet4Address;
            ipv6 |= address instanceof Inet6Address;
            dualStack |= address instanceof Inet6Address && address.isAnyLocalAddress();
            addresses.add(address);
        }
        if (dualStack && ipv4)
        {
            throw new IllegalArgumentException("bind address :: takes IPv4 as well (dual-stack); list it alone: " + list);
        }
        return List.copyOf(addresses);
    }

    /** Whether an IPv6 socket can be bound here (a kernel without IPv6, or a JVM told to prefer IPv4, cannot). */
    public static boolean ipv6Available()
    {
        try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET6))
        {
            probe.bind(new InetSocketAddress(InetAddress.getByName(DUAL_STACK), 0));
            return true;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return false;
        }
    }

    private static InetAddress parse(final String entry)
    {
        try
        {
            if (entry.isEmpty())
            {
                throw new UnknownHostException("empty");
            }
            return InetAddress.getByName(entry);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("bind address is not an address: " + entry);
        }
    }
}
