package io.switchboard.edge.rendezvous;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.rendezvous.RendezvousHttp.Client;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.UdpPeer;
import io.switchboard.tools.pulse.RendezvousConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static io.switchboard.edge.rendezvous.RendezvousBlackBoxTest.ON_TIME;
import static org.junit.jupiter.api.Assertions.*;

/**
 * 100,000 clients registered over HTTP (from keep-alive connections: the JDK HttpClient is five times slower here)
 * fill the table exactly; every one of them can still pulse and be found.
 */
class RendezvousScaleTest
{
    private static final int CLIENTS = 100_000;
    private static final int CONNECTIONS = 8;
    private static final int SAMPLE_EVERY = 997;

    @TempDir
    Path dataDir;

    private Appliance appliance;

    @AfterEach
    void close()
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    @Test
    void hundredThousandRegisteredClientsPulseOnTimeAndTheNextIsRefused() throws Exception
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with(
            "--data-dir=" + dataDir, "--pulse-max-clients=" + CLIENTS,
            "--rendezvous-register-rate=100000000", "--rendezvous-register-burst=100000000")));
        final RendezvousHttp http = new RendezvousHttp(appliance.port("rendezvous"));
        final Client[] clients = new Client[CLIENTS];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] registrars = new Thread[CONNECTIONS];
        for (int c = 0; c < CONNECTIONS; c++)
        {
            final int first = c;
            registrars[c] = new Thread(() ->
            {
                try (RendezvousConnection connection = new RendezvousConnection(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), appliance.port("rendezvous"))))
                {
                    for (int i = first; i < CLIENTS; i += CONNECTIONS)
                    {
                        final RendezvousConnection.Registration registered = connection.register();
                        clients[i] = new Client(registered.clientId(), registered.privateId());
                    }
                }
                catch (final Exception | AssertionError ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            registrars[c].start();
        }
        for (final Thread registrar : registrars)
        {
            registrar.join();
        }
        assertNull(failure.get());

        final int adminPort = appliance.port("admin");
        assertEquals(CLIENTS, Scrape.value(adminPort, "switchboard_pulse_clients{state=\"online\"}"));
        final Set<String> ids = new HashSet<>();
        final Set<String> keys = new HashSet<>();
        for (final Client client : clients)
        {
            ids.add(client.id());
            keys.add(client.key());
        }
        assertEquals(CLIENTS, ids.size());
        assertEquals(CLIENTS, keys.size());

        try (UdpPeer socket = new UdpPeer(appliance.port("pulse")))
        {
            for (int i = 0; i < CLIENTS; i += SAMPLE_EVERY)
            {
                final byte[] pulse = i % 2 == 0 ? clients[i].key().getBytes(StandardCharsets.US_ASCII) :
                    HexFormat.of().parseHex(clients[i].key());
                assertArrayEquals(ON_TIME, socket.exchange(pulse), "client " + i);
                final RendezvousHttp.Reply address = http.address(clients[CLIENTS - 1 - i], clients[i].id());
                assertEquals(socket.localPort(), address.body().get("port").asInt(), "client " + i);
            }
        }
        assertEquals(503, http.post("/register", null).status(), "the table holds the most clients allowed");
    }
}
