package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocation guard of the signaling relay path, end to end on the running appliance: the bytes the signaling
 * agents' threads allocate per relayed frame once the path is warm, for a PeerJS relay on one agent, one across
 * agents (the relay inbox), a dop session's frame to a PeerJS id and back. Allocation per relay is behaviour, not
 * timing: the bound allows a few bytes for the selector's and JMX's own bookkeeping spread over the frames.
 */
class RelayAllocationTest
{
    private static final int FIN_TEXT = 0x81;
    private static final int WARMUP_FRAMES = 30_000;
    private static final int MEASURED_FRAMES = 20_000;
    private static final int BURST = 100;
    private static final double MAX_BYTES_PER_RELAY = 16.0;
    private static final String AGENT_THREADS = "switchboard-peerjs-sockets-";

    @TempDir
    Path dataDir;
    private PeerJsAppliance appliance;
    private final List<TcpWebSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start()
    {
        appliance = PeerJsAppliance.start(dataDir, "--peerjs-io-threads=2");
    }

    @AfterEach
    void stop() throws IOException
    {
        for (final TcpWebSocket socket : sockets)
        {
            socket.close();
        }
        appliance.close();
    }

    @Test
    void aPeerJsRelayOnOneAgentAllocatesNothing() throws Exception
    {
        final String[] ids = idsOnAgents(0, 0);
        assertRelayAllocatesNothing(peer(ids[0]), ids[1], peer(ids[1]), "peerjs on one agent");
    }

    @Test
    void aPeerJsRelayAcrossAgentsAllocatesNothing() throws Exception
    {
        final String[] ids = idsOnAgents(0, 1);
        assertRelayAllocatesNothing(peer(ids[0]), ids[1], peer(ids[1]), "peerjs across agents");
    }

    @Test
    void aDopRelayAllocatesNothingEitherWay() throws Exception
    {
        final String[] ids = idsOnAgents(0, 1);
        final TcpWebSocket dop = dop(ids[0], "Bf8TqW1eR5uIo0Lp");
        final TcpWebSocket peer = peer(ids[1]);
        assertRelayAllocatesNothing(dop, ids[1], peer, "dop to peerjs");
        assertRelayAllocatesNothing(peer, ids[0], dop, "peerjs to dop");
    }

    private void assertRelayAllocatesNothing(
        final TcpWebSocket from, final String dst, final TcpWebSocket to, final String path) throws Exception
    {
        final byte[] offer = ("{\"type\":\"OFFER\",\"dst\":\"" + dst + "\",\"payload\":{\"sdp\":{\"type\":\"offer\"," +
            "\"sdp\":\"v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n\"},\"type\":" +
            "\"data\",\"connectionId\":\"dc_q1w2e3r4t5\"}}").getBytes(StandardCharsets.UTF_8);
        relay(from, offer, to, WARMUP_FRAMES);
        final long before = agentAllocatedBytes();
        relay(from, offer, to, MEASURED_FRAMES);
        final double perRelay = (agentAllocatedBytes() - before) / (double)MEASURED_FRAMES;
        assertTrue(perRelay <= MAX_BYTES_PER_RELAY, path + ": " + perRelay + " B per relay");
    }

    private static void relay(final TcpWebSocket from, final byte[] frame, final TcpWebSocket to, final int count)
        throws IOException
    {
        final byte[] wire = TcpWebSocket.frame(FIN_TEXT, frame, true);
        for (int sent = 0; sent < count; sent += BURST)
        {
            for (int i = 0; i < BURST; i++)
            {
                from.out.write(wire);
            }
            from.out.flush();
            for (int i = 0; i < BURST; i++)
            {
                assertTrue(to.read().text().startsWith("{\"type\":\"OFFER\""));
            }
        }
    }

    /** Bytes the signaling agents' threads have allocated so far. */
    private static long agentAllocatedBytes()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long bytes = 0;
        int found = 0;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith(AGENT_THREADS))
            {
                bytes += threads.getThreadAllocatedBytes(thread.getId());
                found++;
            }
        }
        assertEquals(2, found, "both agents' threads");
        return bytes;
    }

    /** Two ids, the first owned by agent {@code first} of two, the second a different one owned by {@code second}. */
    private static String[] idsOnAgents(final int first, final int second)
    {
        return new String[] {idOf(first, "p"), idOf(second, "q")};
    }

    private static String idOf(final int agent, final String prefix)
    {
        for (int i = 0; ; i++)
        {
            if (Realm.owner(prefix + i, 2) == agent)
            {
                return prefix + i;
            }
        }
    }

    private TcpWebSocket peer(final String id) throws IOException
    {
        final TcpWebSocket socket = open("/peerjs?key=peerjs&id=" + id + "&token=t-" + id);
        assertTrue(socket.read().text().contains("\"OPEN\""));
        return socket;
    }

    /** A dop session for {@code id}, connected with the token handshake (spec 2.5) and admitted. */
    private TcpWebSocket dop(final String id, final String clientToken) throws IOException
    {
        final TcpWebSocket socket = open("/dop?key=peerjs&id=" + id);
        final String serverToken = socket.read().text();
        final byte[] token = clientToken.getBytes(StandardCharsets.UTF_8);
        socket.send(FIN_TEXT, token, true);
        assertEquals(serverToken, socket.read().text());
        socket.send(FIN_TEXT, token, true);
        assertTrue(socket.read().text().contains("\"OPEN\""));
        return socket;
    }

    private TcpWebSocket open(final String target) throws IOException
    {
        final TcpWebSocket socket = TcpWebSocket.open(appliance.port(), target, "13", true);
        sockets.add(socket);
        return socket;
    }
}
