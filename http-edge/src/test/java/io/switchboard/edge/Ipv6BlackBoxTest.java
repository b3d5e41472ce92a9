package io.switchboard.edge;

import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Ipv6Loopback;
import io.switchboard.edge.testing.UdpPeer;
import io.switchboard.engine.config.BindAddresses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static io.switchboard.engine.ice.IceWireVectors.ACK_SEQ_1;
import static io.switchboard.engine.ice.IceWireVectors.DOMAIN_ID;
import static io.switchboard.engine.ice.IceWireVectors.HEARTBEAT;
import static io.switchboard.engine.ice.IceWireVectors.PEER_INFORMATION_TO_CLIENT;
import static io.switchboard.engine.ice.IceWireVectors.PEER_INFORMATION_TO_DOMAIN;
import static io.switchboard.engine.ice.IceWireVectors.PUBLIC_KEY_SPKI_BASE64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * IPv6 transport, on {@code ::1}: an ICE domain heartbeating over IPv6 is ACKed and found, and what a query sends it
 * goes to its IPv6 active socket; the HTTP listeners answer over IPv6; the default {@code ::} takes IPv4 and IPv6 on
 * one socket. Skipped (an assumption, saying why) where the machine has no IPv6 loopback.
 */
class Ipv6BlackBoxTest
{
    private static final String DOMAIN_KEY = "--domain-key=" + DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static InetAddress ipv6Loopback;
    private static InetAddress ipv4Loopback;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void needsIpv6Loopback() throws IOException
    {
        ipv6Loopback = Ipv6Loopback.assumed();
        ipv4Loopback = InetAddress.getByName("127.0.0.1");
    }

    private Appliance start(final String bindAddress)
    {
        return Appliance.start(Options.parse(AnyPorts.with(
            "--data-dir=" + dataDir, "--bind-address=" + bindAddress, DOMAIN_KEY)));
    }

    private static int get(final String host, final int port, final String path) throws Exception
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aDomainHeartbeatingFromIpv6IsAckedFoundAndReachedOnItsIpv6Socket() throws Exception
    {
        try (Appliance appliance = start("127.0.0.1,::1");
             UdpPeer domain = new UdpPeer(ipv6Loopback, appliance.port("ice"));
             UdpPeer client = new UdpPeer(ipv4Loopback, appliance.port("ice")))
        {
            assertArrayEquals(ACK_SEQ_1, domain.exchange(HEARTBEAT), "ACKed over IPv6");
            assertArrayEquals(PEER_INFORMATION_TO_CLIENT, client.exchange(QUERY_FROM_IPV4),
                "found by a client over IPv4");
            assertArrayEquals(PEER_INFORMATION_TO_DOMAIN, domain.receive(5_000),
                "the client's sockets reach the domain at its IPv6 active socket");
        }
    }

    @Test
    void theHttpListenersAnswerOnEveryBindAddress() throws Exception
    {
        try (Appliance appliance = start("127.0.0.1,::1"))
        {
            for (final String host : new String[] {"127.0.0.1", "[::1]"})
            {
                assertEquals(200, get(host, appliance.port("metaverse"), "/api/metaverse_info"), host);
                assertEquals(200, get(host, appliance.port("rendezvous"), "/register"), host);
                assertEquals(404, get(host, appliance.port("peerjs"), "/no/such/path"), host);
            }
        }
    }

    @Test
    void dualStackTakesIpv4AndIpv6OnOneSocket() throws Exception
    {
        try (Appliance appliance = start(BindAddresses.DUAL_STACK);
             UdpPeer overIpv4 = new UdpPeer(ipv4Loopback, appliance.port("ice"));
             UdpPeer overIpv6 = new UdpPeer(ipv6Loopback, appliance.port("ice")))
        {
            assertArrayEquals(ACK_SEQ_1, overIpv4.exchange(HEARTBEAT));
            assertArrayEquals(ACK_SEQ_1, overIpv6.exchange(HEARTBEAT), "a new destination starts at 1");
            assertEquals(200, get("127.0.0.1", appliance.port("metaverse"), "/api/metaverse_info"));
            assertEquals(200, get("[::1]", appliance.port("metaverse"), "/api/metaverse_info"));
        }
    }

    /** The vectors' query: the client asks for the domain the heartbeat registered. */
    private static final byte[] QUERY_FROM_IPV4 = io.switchboard.engine.ice.IceWireVectors.QUERY;
}
