package io.switchboard.edge.rendezvous;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.FiringTime;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When the running appliance acts on a client's pulse deadlines, over real UDP and HTTP: ONLINE turns PENDING one
 * pulse TTL after the last pulse, and PENDING is forgotten one error time after that deadline; each not before its
 * deadline and within one engine tick after it (plus a scheduling margin for a loaded 2-core box).
 */
class PulseDeadlineTimingTest
{
    private static final long TTL_MS = 1_500;
    private static final long ERROR_TIME_MS = 1_000;
    private static final long ENGINE_TICK_MS = 100;
    private static final long SCHEDULING_MARGIN_MS = 500;
    private static final String PENDING = "switchboard_pulse_deadlines_total{result=\"pending\"}";
    private static final String EXPIRED = "switchboard_pulse_deadlines_total{result=\"expired\"}";

    @TempDir
    Path dataDir;

    private Appliance appliance;

    @AfterEach
    void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    @Test
    void aSilentClientTurnsPendingThenIsForgottenEachWithinOneTickOfItsDeadline() throws Exception
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir, "--pulse-max-clients=1000",
            "--pulse-register-grace-ms=600000", "--pulse-ttl-ms=" + TTL_MS, "--pulse-error-time-ms=" + ERROR_TIME_MS,
            "--engine-tick-ms=" + ENGINE_TICK_MS)));
        final int admin = appliance.port("admin");
        final RendezvousHttp http = new RendezvousHttp(appliance.port("rendezvous"));
        final RendezvousHttp.Client client = http.register();
        assertEquals(0, Scrape.value(admin, PENDING));
        try (UdpPeer socket = new UdpPeer(appliance.port("pulse")))
        {
            final byte[] pulse = client.key().getBytes(StandardCharsets.US_ASCII);
            final long sent = FiringTime.now();
            assertArrayEquals(RendezvousBlackBoxTest.ON_TIME, socket.exchange(pulse));
            final long answeredMs = FiringTime.sinceMs(sent);

            final FiringTime.Window pending = FiringTime.await(sent, 60_000, () -> Scrape.value(admin, PENDING) == 1);
            assertTrue(pending.firedByMs() >= TTL_MS, "PENDING early: " + pending);
            assertTrue(pending.notFiredAtMs() <= answeredMs + TTL_MS + ENGINE_TICK_MS + SCHEDULING_MARGIN_MS,
                "PENDING over a tick late: " + pending);

            final FiringTime.Window expired = FiringTime.await(sent, 60_000, () -> Scrape.value(admin, EXPIRED) == 1);
            assertTrue(expired.firedByMs() >= TTL_MS + ERROR_TIME_MS, "forgotten early: " + expired);
            assertTrue(expired.notFiredAtMs() <=
                answeredMs + TTL_MS + ERROR_TIME_MS + ENGINE_TICK_MS + SCHEDULING_MARGIN_MS,
                "forgotten over a tick late: " + expired);
            assertArrayEquals(RendezvousBlackBoxTest.UNKNOWN_CLIENT, socket.exchange(pulse));
        }
    }
}
