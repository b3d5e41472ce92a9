package io.switchboard.edge.rendezvous;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.rendezvous.RendezvousHttp.Client;
import io.switchboard.edge.rendezvous.RendezvousHttp.Reply;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Ipv6Loopback;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.switchboard.edge.rendezvous.RendezvousBlackBoxTest.ON_TIME;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pulses over IPv6: a client registered over the REST API on {@code [::1]} pulses from {@code ::1}, the pulse is on
 * time and the address its peers learn is the IPv6 one (asked over IPv4). Skipped where there is no IPv6 loopback.
 */
class PulseIpv6Test
{
    @TempDir
    Path dataDir;

    @Test
    void aClientPulsingOverIpv6IsLearntAtItsIpv6Address() throws Exception
    {
        final InetAddress ipv6 = Ipv6Loopback.assumed();
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with(
                "--data-dir=" + dataDir, "--bind-address=127.0.0.1,::1", "--pulse-max-clients=1000")));
             UdpPeer socket = new UdpPeer(ipv6, appliance.port("pulse")))
        {
            final Client client = new RendezvousHttp("[::1]", appliance.port("rendezvous")).register();
            final RendezvousHttp overIpv4 = new RendezvousHttp(appliance.port("rendezvous"));
            final Client other = overIpv4.register();
            assertArrayEquals(ON_TIME, socket.exchange(client.key().getBytes(StandardCharsets.US_ASCII)));
            final Reply address = overIpv4.address(other, client.id());
            assertEquals(200, address.status());
            assertEquals(ipv6, InetAddress.getByName(address.text("host")));
            assertEquals(socket.localPort(), address.body().get("port").asInt());
        }
    }
}
