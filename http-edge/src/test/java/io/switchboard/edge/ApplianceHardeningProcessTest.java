package io.switchboard.edge;

import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The appliance as a process with a small heap, as an attacker and an unlucky operator meet it: WebSocket fragments
 * that never finish (issue 13, finding 1), a thread that runs out of memory, and SIGTERM with clients connected.
 */
class ApplianceHardeningProcessTest
{
    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;
    private static final int FIN = 0x80;
    private static final String KEY_AND_VERSION =
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";
    /** Small enough that 60 sockets of 8 MiB each would not fit; direct buffers (the tables' rings) kept apart. */
    private static final List<String> SMALL_HEAP = List.of("-Xmx128m", "-XX:MaxDirectMemorySize=512m");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private final List<TcpWebSocket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() throws IOException
    {
        for (final TcpWebSocket socket : sockets)
        {
            socket.close();
        }
    }

    private ApplianceProcess start(final String... extra) throws IOException
    {
        final List<String> args = new ArrayList<>(Arrays.asList(extra));
        args.add("--data-dir=" + dir.resolve("data"));
        args.add("--pulse-max-clients=1000");
        return ApplianceProcess.start(SMALL_HEAP, ProcessBuilder.Redirect.to(dir.resolve("stderr").toFile()),
            AnyPorts.with(args.toArray(String[]::new)));
    }

    private TcpWebSocket open(final ApplianceProcess appliance, final String target) throws IOException
    {
        final Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", appliance.port("peerjs")), 5_000);
        final TcpWebSocket socket = TcpWebSocket.open(raw, target, KEY_AND_VERSION, new byte[0], true);
        sockets.add(socket);
        return socket;
    }

    private TcpWebSocket peer(final ApplianceProcess appliance, final String id) throws IOException
    {
        final TcpWebSocket socket = open(appliance, "/peerjs?key=peerjs&id=" + id + "&token=t-" + id);
        assertTrue(socket.read().text().contains("\"OPEN\""));
        return socket;
    }

    private static int closeCode(final TcpWebSocket socket) throws IOException
    {
        TcpWebSocket.Frame frame = socket.read();
        while (frame.opcode() != CLOSE)
        {
            frame = socket.read();
        }
        return frame.code();
    }

    private static HttpResponse<String> healthz(final ApplianceProcess appliance) throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + appliance.port("admin") + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fragmentsThatNeverFinishGet1009WithinTheBudgetAndSignalingGoesOnForOthers() throws Exception
    {
        final long budget = 32L * 1024 * 1024;
        try (ApplianceProcess appliance = start(
            "--ws-max-partial-bytes-per-socket=" + 8 * 1024 * 1024, "--ws-partial-budget-bytes=" + budget))
        {
            final int admin = appliance.port("admin");
            final List<TcpWebSocket> attackers = new ArrayList<>();
            for (int i = 0; i < 60; i++)
            {
                attackers.add(peer(appliance, "attacker" + i));
            }
            final byte[] fragment = new byte[60_000];
            Arrays.fill(fragment, (byte)'x');
            final boolean[] cut = new boolean[attackers.size()];
            long mostHeld = 0;
            // 140 fragments make 8.4 MB, past each socket's limit: without the budget, 60 sockets would hold 480 MiB.
            for (int round = 0; round < 140; round++)
            {
                for (int i = 0; i < attackers.size(); i++)
                {
                    try
                    {
                        if (!cut[i])
                        {
                            attackers.get(i).send(round == 0 ? TEXT : CONTINUATION, fragment, true);
                        }
                    }
                    catch (final IOException ex)
                    {
                        cut[i] = true; // closed by the server: its close frame is read below
                    }
                }
                mostHeld = Math.max(mostHeld, Scrape.value(admin, "switchboard_ws_partial_bytes"));
            }
            for (final TcpWebSocket attacker : attackers)
            {
                assertEquals(1009, closeCode(attacker));
            }
            assertTrue(mostHeld <= budget, mostHeld + " bytes held");
            final long overBudget = Scrape.value(admin, "switchboard_ws_partial_refused_total{reason=\"budget\"}");
            final long overLimit = Scrape.value(admin, "switchboard_ws_partial_refused_total{reason=\"socket_limit\"}");
            assertTrue(overBudget > 0 && overLimit > 0, overBudget + " over the budget, " + overLimit + " over the limit");
            assertEquals(60, overBudget + overLimit);
            assertEquals(0, Scrape.awaitValue(admin, "switchboard_ws_partial_bytes", 0));

            final TcpWebSocket a = peer(appliance, "a");
            final TcpWebSocket b = peer(appliance, "b");
            a.send(FIN | TEXT, "{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":1}".getBytes(StandardCharsets.UTF_8), true);
            assertEquals("{\"type\":\"OFFER\",\"src\":\"a\",\"dst\":\"b\",\"payload\":1}", b.read().text());
            final HttpResponse<String> health = healthz(appliance);
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("{\"name\":\"switchboard-peerjs-sockets-0\",\"state\":\"alive\""),
                health.body());
        }
    }

    @Test
    void anOutOfMemoryErrorOnASocketThreadIsLoggedItsSocketsGoAwayAndTheProcessExitsWith70() throws Exception
    {
        // Limits so high that one frame header makes the socket thread ask for a gigabyte.
        try (ApplianceProcess appliance = start("--peerjs-max-frame-bytes=2000000000",
            "--ws-max-partial-bytes-per-socket=2000000000", "--ws-partial-budget-bytes=4000000000"))
        {
            final TcpWebSocket socket = peer(appliance, "greedy");
            final byte[] header = {(byte)(FIN | TEXT), (byte)(0x80 | 127), 0, 0, 0, 0, 0x3B, (byte)0x9A, (byte)0xCA, 0,
                1, 2, 3, 4};
            socket.out.write(header);
            socket.out.flush();
            assertEquals(1001, closeCode(socket), "the failed thread's sockets are told it is going away");
            assertEquals(Main.EXIT_AGENT_FAILED, appliance.awaitExit(60));
        }
        final String stderr = Files.readString(dir.resolve("stderr"));
        assertTrue(stderr.contains("switchboard-peerjs-sockets-0: failed"), stderr);
        assertTrue(stderr.contains("java.lang.OutOfMemoryError"), stderr);
        assertTrue(stderr.contains("switchboard: stopping: a thread failed"), stderr);
    }

    @Test
    void sigtermSendsOpenPeerJsAndDopClientsA1001CloseBeforeTheProcessExits() throws Exception
    {
        try (ApplianceProcess appliance = start())
        {
            final TcpWebSocket peerjs = peer(appliance, "p");
            final TcpWebSocket dop = open(appliance, "/dop?key=peerjs&id=d");
            assertEquals(TEXT, dop.read().opcode(), "the server's token");
            assertEquals(143, appliance.terminate());
            assertEquals(1001, closeCode(peerjs));
            assertEquals(1001, closeCode(dop));
        }
    }
}
