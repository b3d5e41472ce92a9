package io.switchboard.edge.rendezvous;

import io.switchboard.edge.rendezvous.RendezvousHttp.Client;
import io.switchboard.edge.rendezvous.RendezvousHttp.Reply;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.switchboard.edge.rendezvous.RendezvousBlackBoxTest.MUST_REVERIFY;
import static io.switchboard.edge.rendezvous.RendezvousBlackBoxTest.ON_TIME;
import static org.junit.jupiter.api.Assertions.*;

/** Registered clients live in the data dir: a killed appliance restarts with them, and with their deadlines. */
class RendezvousRestartTest
{
    private static final long GRACE_MS = 2_000;
    private static final long LONG_MS = 600_000;

    @TempDir
    Path dataDir;

    private ApplianceProcess appliance;

    @AfterEach
    void stop() throws InterruptedException
    {
        if (appliance != null)
        {
            appliance.close();
        }
    }

    private RendezvousHttp launch() throws IOException
    {
        appliance = ApplianceProcess.start(AnyPorts.with(
            "--data-dir=" + dataDir, "--pulse-max-clients=1000",
            "--pulse-register-grace-ms=" + GRACE_MS, "--pulse-ttl-ms=" + LONG_MS, "--pulse-error-time-ms=" + LONG_MS));
        return new RendezvousHttp(appliance.port("rendezvous"));
    }

    @Test
    void afterKillNineAClientKeepsPulsingOnTimeAndDeadlinesResumeFromPersistedTimes() throws Exception
    {
        RendezvousHttp http = launch();
        final Client pulsing = http.register();
        final Client silent = http.register();
        final long silentRegisteredAtMs = System.currentTimeMillis();
        try (UdpPeer socket = new UdpPeer(appliance.port("pulse")))
        {
            assertArrayEquals(ON_TIME, socket.exchange(pulsing.key().getBytes(StandardCharsets.US_ASCII)));
        }
        final Reply before = http.status(pulsing, pulsing.id());
        assertEquals("Online", before.text("status"));
        assertEquals("Online", http.status(pulsing, silent.id()).text("status"));
        // The file trails the handler by some milliseconds: kill once both registrations and the pulse are in it.
        assertEquals(3, Scrape.awaitValue(appliance.port("admin"), "switchboard_pulse_persisted_total", 3));

        appliance.kill();
        // The silent client's grace ends while the appliance is down.
        Thread.sleep(Math.max(0, silentRegisteredAtMs + GRACE_MS + 100 - System.currentTimeMillis()));

        http = launch();
        final Reply after = http.status(pulsing, pulsing.id());
        assertEquals("Online", after.text("status"));
        assertEquals(before.body().get("last_online").decimalValue(), after.body().get("last_online").decimalValue());
        assertEquals("Pending", http.status(pulsing, silent.id()).text("status"),
            "its deadline passed during the downtime, so it is due at once, not a fresh grace from the restart");
        try (UdpPeer socket = new UdpPeer(appliance.port("pulse")))
        {
            assertArrayEquals(ON_TIME, socket.exchange(pulsing.key().getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals(MUST_REVERIFY, socket.exchange(silent.key().getBytes(StandardCharsets.US_ASCII)));
            assertEquals(socket.localPort(), http.address(silent, pulsing.id()).body().get("port").asInt());
        }
        assertTrue(http.verify(silent).body().get("ok").asBoolean());
    }

    @Test
    void everyAnsweredRegistrationAndLogoutSurvivesAnImmediateKillNine() throws Exception
    {
        RendezvousHttp http = launch();
        final java.util.List<Client> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            clients.add(http.register());
        }
        http.logout(clients.get(19));
        appliance.kill();

        http = launch();
        final Client asking = clients.get(0);
        for (int i = 0; i < 19; i++)
        {
            assertEquals(200, http.status(asking, clients.get(i).id()).status(), "registration " + i);
        }
        assertEquals(400, http.status(clients.get(19), asking.id()).status(), "the logged-out key is unknown");
    }
}
