package io.switchboard.edge.dop;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.peerjs.PeerJsServer;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.FiringTime;
import io.switchboard.edge.testing.RawSocket;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.websocket.SignalingAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When the running appliance acts on the dop deadlines, over real WebSockets: a socket that does not complete the
 * token handshake is closed, and a session whose socket is gone is forgotten, each not before its timeout and
 * within the owning signaling agent's wheel tick after it, plus a scheduling margin for a loaded 2-core box
 * (the exact firing times are {@code DopSessionsClockTest}'s, on a fake clock).
 */
class DopTimerTimingTest
{
    private static final long TIMEOUT_MS = 2_000;
    private static final long SCHEDULING_MARGIN_MS = 500;
    private static final String CLIENT_TOKEN = "Bf8TqW1eR5uIo0Lp";
    private static final String EVENTS = "switchboard_dop_session_events_total";

    @TempDir
    Path dataDir;

    private final List<RawSocket> sockets = new ArrayList<>();
    private Appliance appliance;

    @AfterEach
    void stop()
    {
        sockets.forEach(RawSocket::abort);
        if (appliance != null)
        {
            appliance.close();
        }
    }

    private RawSocket dop()
    {
        final RawSocket socket = RawSocket.open(
            URI.create("ws://127.0.0.1:" + appliance.port(PeerJsServer.LISTENER) + "/dop?key=peerjs&id=a"));
        sockets.add(socket);
        return socket;
    }

    private long event(final String name) throws Exception
    {
        return Scrape.value(appliance.port("admin"), EVENTS + "{event=\"" + name + "\"}");
    }

    @Test
    void aSocketThatDoesNotCompleteTheHandshakeIsClosedWithinATickOfTheTimeout()
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with(
            "--data-dir=" + dataDir, "--dop-handshake-timeout-ms=" + TIMEOUT_MS)));
        final long opening = FiringTime.now();
        final RawSocket silent = dop();
        silent.next();
        final long openedMs = FiringTime.sinceMs(opening);

        assertEquals(1008, silent.closeCode(TIMEOUT_MS + 30_000));
        final long closedByMs = FiringTime.sinceMs(opening);
        assertTrue(closedByMs >= TIMEOUT_MS, "closed " + (TIMEOUT_MS - closedByMs) + " ms early");
        assertTrue(closedByMs <= openedMs + TIMEOUT_MS + SignalingAgent.TICK_MS + SCHEDULING_MARGIN_MS,
            "closed " + (closedByMs - openedMs - TIMEOUT_MS) + " ms after the handshake timeout");
    }

    @Test
    void aSessionWhoseSocketIsGoneIsForgottenWithinATickOfTheRetention() throws Exception
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with(
            "--data-dir=" + dataDir, "--dop-retention-ms=" + TIMEOUT_MS)));
        final RawSocket node = dop();
        final String serverToken = node.next();
        node.send(CLIENT_TOKEN);
        node.expect(serverToken);
        node.send(CLIENT_TOKEN);
        node.expect("{\"type\":\"OPEN\"}");

        final long cut = FiringTime.now();
        node.abort();
        final FiringTime.Window lost = FiringTime.await(cut, 30_000, () -> event("socket_lost") == 1);
        final FiringTime.Window forgotten = FiringTime.await(cut, 60_000, () -> event("retention_expired") == 1);
        assertTrue(forgotten.firedByMs() >= TIMEOUT_MS, "forgotten early: " + forgotten);
        assertTrue(forgotten.notFiredAtMs() <= lost.firedByMs() + TIMEOUT_MS + SignalingAgent.TICK_MS +
            SCHEDULING_MARGIN_MS,
            "forgotten late: " + forgotten + ", socket lost " + lost);
    }
}
