package io.switchboard.edge.http;

import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.switchboard.edge.http.HostSocket.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --max-connections-per-host} on every HTTP listener: a host's connection past the cap is closed on accept and
 * counted, other hosts are not touched, and a connection that closes (a PeerJS WebSocket only when its socket does)
 * makes room for the next.
 */
final class ConnectionCapsTest
{
    private static final int CAP = 4;
    private static final long REFUSED_WITHIN_MS = 1_000;
    /** Long enough to see that an accepted connection stays open (the idle timeout is 60 s). */
    private static final long STAYS_OPEN_MS = 300;
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    @TempDir
    static Path dataDir;
    private static ApplianceProcess appliance;
    private static int host = 2;

    @BeforeAll
    static void start() throws IOException
    {
        appliance = ApplianceProcess.start(AnyPorts.with("--data-dir=" + dataDir, "--max-connections-per-host=" + CAP));
    }

    @AfterAll
    static void stop() throws InterruptedException
    {
        appliance.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "metaverse", "peerjs", "admin"})
    void theConnectionPastTheCapIsClosedOnAcceptAndCounted(final String listener) throws Exception
    {
        final String flooder = nextHost();
        final int port = appliance.port(listener);
        final String refused = "switchboard_http_connections_refused_total{listener=\"" + listener +
            "\",reason=\"per_host\"}";
        final long refusedBefore = Scrape.value(appliance.port("admin"), refused);
        final List<HostSocket> held = new ArrayList<>();
        try
        {
            for (int i = 0; i < CAP; i++)
            {
                final HostSocket connection = HostSocket.connect(flooder, port);
                held.add(connection);
                assertEquals(404, connection.exchange(HostSocket.get("/no/such/path")), "connection " + (i + 1));
            }
            assertTrue(HostSocket.isRefused(flooder, port, REFUSED_WITHIN_MS),
                "connection " + (CAP + 1) + " is closed on accept");
            assertEquals(refusedBefore + 1, Scrape.awaitValue(appliance.port("admin"), refused, refusedBefore + 1));
            try (HostSocket other = HostSocket.connect(nextHost(), port))
            {
                assertEquals(404, other.exchange(HostSocket.get("/no/such/path")), "another host is served");
            }
            held.remove(0).close();
            assertEquals(404, awaitServed(flooder, port), "a closed connection makes room");
        }
        finally
        {
            for (final HostSocket connection : held)
            {
                connection.close();
            }
        }
    }

    @Test
    void aPeerJsWebSocketHoldsItsPlaceUntilItCloses() throws Exception
    {
        final String flooder = nextHost();
        final int port = appliance.port("peerjs");
        final List<HostSocket> sockets = new ArrayList<>();
        try
        {
            for (int i = 0; i < CAP; i++)
            {
                final HostSocket socket = HostSocket.connect(flooder, port);
                sockets.add(socket);
                socket.send("GET /peerjs?key=peerjs&id=capped-" + i + "&token=t HTTP/1.1\r\nHost: switchboard\r\n" +
                    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\n" +
                    "Sec-WebSocket-Version: 13\r\n\r\n");
                assertEquals(101, socket.readResponse(), "WebSocket " + (i + 1));
            }
            assertTrue(HostSocket.isRefused(flooder, port, REFUSED_WITHIN_MS), "the WebSockets hold the host's places");
            assertFalse(sockets.get(1).isRefused(STAYS_OPEN_MS), "a WebSocket stays open");
            sockets.remove(0).close();
            assertEquals(404, awaitServed(flooder, port), "a closed WebSocket makes room");
        }
        finally
        {
            for (final HostSocket socket : sockets)
            {
                socket.close();
            }
        }
    }

    /** The status of a request on a new connection from {@code source}, once one is accepted (within 5 s). */
    private static int awaitServed(final String source, final int port) throws Exception
    {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (true)
        {
            try (HostSocket connection = HostSocket.connect(source, port))
            {
                return connection.exchange(HostSocket.get("/no/such/path"));
            }
            catch (final IOException refused)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw refused;
                }
                Thread.sleep(10);
            }
        }
    }

    /** A source address no other test here has used: each starts with a clean count. */
    private static String nextHost()
    {
        return "127.0.0." + host++;
    }
}
