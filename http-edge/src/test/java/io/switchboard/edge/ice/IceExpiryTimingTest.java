package io.switchboard.edge.ice;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.FiringTime;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.UdpPeer;
import io.switchboard.engine.ice.IcePacketType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * When the running appliance forgets a silent domain, over real UDP: not before the peer timeout, and within one
 * engine tick after it (plus a scheduling margin for a loaded 2-core box), whether the appliance is otherwise idle
 * (the timers run at each engine tick) or busy (they run at each batch).
 */
class IceExpiryTimingTest
{
    private static final long TIMEOUT_MS = 2_000;
    private static final long ENGINE_TICK_MS = 100;
    private static final long SCHEDULING_MARGIN_MS = 500;
    private static final String EXPIRED = "switchboard_ice_peers_expired_total";

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
    void anIdleApplianceForgetsASilentDomainWithinOneTickOfThePeerTimeout() throws Exception
    {
        start();
        forgetsASilentDomainWithinOneTickOfThePeerTimeout();
    }

    @Test
    void aBusyApplianceForgetsASilentDomainWithinOneTickOfThePeerTimeout() throws Exception
    {
        start();
        final AtomicBoolean busy = new AtomicBoolean(true);
        final Thread junk = new Thread(() ->
        {
            try (UdpPeer sender = new UdpPeer(appliance.port("ice")))
            {
                final byte[] datagram = {1, 2, 3};
                while (busy.get())
                {
                    for (int i = 0; i < 20; i++)
                    {
                        sender.send(datagram);
                    }
                    Thread.sleep(1);
                }
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "ice-junk");
        junk.start();
        try
        {
            forgetsASilentDomainWithinOneTickOfThePeerTimeout();
            assertTrue(Scrape.value(appliance.port("admin"), "switchboard_engine_batches_total") > 1_000,
                "the engine was busy");
        }
        finally
        {
            busy.set(false);
            junk.join();
        }
    }

    private void start()
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir,
            "--domain-key=" + DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64,
            "--ice-peer-timeout-ms=" + TIMEOUT_MS, "--engine-tick-ms=" + ENGINE_TICK_MS)));
    }

    private void forgetsASilentDomainWithinOneTickOfThePeerTimeout() throws Exception
    {
        final int admin = appliance.port("admin");
        try (UdpPeer domain = new UdpPeer(appliance.port("ice"));
            UdpPeer client = new UdpPeer(appliance.port("ice")))
        {
            assertEquals(0, Scrape.value(admin, EXPIRED));
            final long sent = FiringTime.now();
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT)[4]);
            final long ackedMs = FiringTime.sinceMs(sent);

            Thread.sleep(Math.max(0, TIMEOUT_MS - 200 - FiringTime.sinceMs(sent)));
            client.send(QUERY);
            assertNotNull(client.receive(1_000), "still answered 1.8 s after its heartbeat");

            final FiringTime.Window expired = FiringTime.await(sent, 60_000, () -> Scrape.value(admin, EXPIRED) == 1);
            assertTrue(expired.firedByMs() >= TIMEOUT_MS, "forgotten early: " + expired);
            assertTrue(expired.notFiredAtMs() <= ackedMs + TIMEOUT_MS + ENGINE_TICK_MS + SCHEDULING_MARGIN_MS,
                "forgotten over a tick late: " + expired);

            while (domain.receive(50) != null)
            {
                // The domain's copy of the answer to the query.
            }
            client.send(IceServerBlackBoxTest.withSequence(QUERY, 2));
            assertNull(client.receive(300), "a forgotten domain is no longer answered");
        }
    }
}
