package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.FiringTime;
import io.switchboard.edge.testing.RawSocket;
import io.switchboard.edge.websocket.SignalingAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When the running appliance acts on the PeerJS deadlines, over real WebSockets: a socket silent for the alive
 * timeout is closed, and messages queued for an offline id expire, each not before its deadline and within one tick
 * of the wheel of the signaling agent that owns the socket or the id (8 ms) after it, plus a scheduling margin for a
 * loaded 2-core box. The exact firing times are on fake clocks:
 * {@link PeerSocketLivenessClockTest}, {@link RealmQueueExpiryTest}.
 */
class PeerJsDeadlineTimingTest
{
    private static final long TIMEOUT_MS = 2_000;
    private static final long AGENT_TICK_MS = SignalingAgent.TICK_MS;
    private static final long SCHEDULING_MARGIN_MS = 500;

    @TempDir
    Path dataDir;

    private PeerJsAppliance appliance;

    @AfterEach
    void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    @Test
    void aSocketSilentForTheAliveTimeoutIsClosedWithinOneTickOfIt()
    {
        appliance = PeerJsAppliance.start(dataDir, "--peerjs-alive-timeout-ms=" + TIMEOUT_MS);
        final RawSocket quiet = appliance.client("quiet", "t");
        final long sent = FiringTime.now();
        quiet.send("{\"type\":\"HEARTBEAT\"}");
        quiet.roundTrip();
        final long handledMs = FiringTime.sinceMs(sent);

        assertEquals(1000, quiet.closeCode(TIMEOUT_MS + 30_000));
        final long closedByMs = FiringTime.sinceMs(sent);
        assertTrue(closedByMs >= TIMEOUT_MS, "closed " + (TIMEOUT_MS - closedByMs) + " ms early");
        assertTrue(closedByMs <= handledMs + TIMEOUT_MS + AGENT_TICK_MS + SCHEDULING_MARGIN_MS,
            "closed " + (closedByMs - handledMs - TIMEOUT_MS) + " ms after the alive timeout");
    }

    @Test
    void messagesForAnOfflineIdExpireWithinOneTickOfTheExpireTimeout()
    {
        appliance = PeerJsAppliance.start(dataDir, "--peerjs-expire-timeout-ms=" + TIMEOUT_MS);
        final RawSocket sender = appliance.client("A", "t");
        final long sent = FiringTime.now();
        sender.send("{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":1}");
        sender.roundTrip();
        final long queuedMs = FiringTime.sinceMs(sent);

        sender.expect("{\"type\":\"EXPIRE\",\"src\":\"C\",\"dst\":\"A\"}");
        final long expiredByMs = FiringTime.sinceMs(sent);
        assertTrue(expiredByMs >= TIMEOUT_MS, "expired " + (TIMEOUT_MS - expiredByMs) + " ms early");
        assertTrue(expiredByMs <= queuedMs + TIMEOUT_MS + AGENT_TICK_MS + SCHEDULING_MARGIN_MS,
            "expired " + (expiredByMs - queuedMs - TIMEOUT_MS) + " ms after the expire timeout");
    }
}
