package io.switchboard.engine.ice;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.DatagramSender;
import io.switchboard.engine.pipeline.EngineClock;
import io.switchboard.engine.wire.SocketAddresses;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * When a silent domain is forgotten, on a fake clock: at the first engine tick at or after its last verified
 * heartbeat plus the peer timeout, never before, however rarely the engine ticks.
 */
class IceExpiryTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final long TIMEOUT_MS = 5_000;
    private static final long ENGINE_TICK_MS = 100;

    private final CachedEpochClock time = new CachedEpochClock();
    private final EngineClock clock = new EngineClock(time);
    private final Metrics metrics = new Metrics();
    private final AtomicCounter sent = metrics.counter("test_sent_total", "", "Datagrams sent.");
    private final UnsafeBuffer heartbeat = new UnsafeBuffer(HEARTBEAT);
    private final UnsafeBuffer query = new UnsafeBuffer(QUERY);
    private DatagramChannel socket;
    private DatagramChannel domain;
    private DatagramChannel client;
    private IceServer server;

    @BeforeEach
    void start() throws Exception
    {
        time.update(START_MS);
        clock.update();
        socket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        domain = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        final IceContext context = new IceContext()
            .icePeerTimeoutMs(TIMEOUT_MS)
            .iceMaxDomains(1_024)
            .iceQueryBurst(1_000_000)
            .addDomainKey(DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64)
            .conclude();
        final DatagramSender sender = new DatagramSender(
            socket, context.maxDatagramBytes(), sent, metrics.counter("test_failed_total", "", "Sends refused."));
        server = new IceServer(context, metrics, sender, clock, null, null);
    }

    @AfterEach
    void stop() throws Exception
    {
        server.close();
        socket.close();
        domain.close();
        client.close();
    }

    @Test
    void aSilentDomainIsForgottenAtTheFirstTickAtOrAfterItsDeadline()
    {
        heartbeatAt(START_MS);
        for (long now = START_MS + 1; now < START_MS + TIMEOUT_MS; now++)
        {
            tickAt(now);
        }
        assertTrue(answeredAt(START_MS + TIMEOUT_MS - 1), "forgotten before its deadline");
        tickAt(START_MS + TIMEOUT_MS);
        assertFalse(answeredAt(START_MS + TIMEOUT_MS), "still known at its deadline");
    }

    @Test
    void anIdleEngineTickingEveryHundredMillisecondsForgetsItWithinOneTick()
    {
        final long heardMs = START_MS + 37;
        heartbeatAt(heardMs);
        long now = START_MS;
        while (now + ENGINE_TICK_MS < heardMs + TIMEOUT_MS)
        {
            now += ENGINE_TICK_MS;
            tickAt(now);
        }
        assertTrue(answeredAt(now), "forgotten " + (heardMs + TIMEOUT_MS - now) + " ms early");
        tickAt(now + ENGINE_TICK_MS);
        assertFalse(answeredAt(now + ENGINE_TICK_MS), "not forgotten within one engine tick of its deadline");
    }

    @Test
    void everyVerifiedHeartbeatMovesTheDeadline()
    {
        heartbeatAt(START_MS);
        tickAt(START_MS + 3_000);
        heartbeatAt(START_MS + 3_000);
        for (long now = START_MS + 3_000; now < START_MS + 3_000 + TIMEOUT_MS; now += ENGINE_TICK_MS)
        {
            tickAt(now);
        }
        assertTrue(answeredAt(START_MS + 3_000 + TIMEOUT_MS - 1));
        tickAt(START_MS + 3_000 + TIMEOUT_MS);
        assertFalse(answeredAt(START_MS + 3_000 + TIMEOUT_MS));
    }

    @Test
    void aTickAfterALongStallForgetsAtOnceDomainsManyWheelLapsOverdue()
    {
        heartbeatAt(START_MS);
        tickAt(START_MS + 3_600_000);
        assertFalse(answeredAt(START_MS + 3_600_000));
    }

    @Test
    void aDomainHeartbeatingAgainAfterBeingForgottenGetsAFreshDeadline()
    {
        heartbeatAt(START_MS);
        tickAt(START_MS + TIMEOUT_MS);
        assertFalse(answeredAt(START_MS + TIMEOUT_MS));
        final long again = START_MS + 60_000;
        tickAt(again);
        heartbeatAt(again);
        tickAt(again + TIMEOUT_MS - 1);
        assertTrue(answeredAt(again + TIMEOUT_MS - 1));
        tickAt(again + TIMEOUT_MS);
        assertFalse(answeredAt(again + TIMEOUT_MS));
    }

    private void heartbeatAt(final long nowMs)
    {
        setTime(nowMs);
        final long before = sent.get();
        final InetSocketAddress source = (InetSocketAddress)localAddress(domain);
        server.onDatagram(heartbeat, HEARTBEAT.length, source, SocketAddresses.fingerprint(source));
        assertEquals(before + 1, sent.get(), "the heartbeat is answered");
    }

    private void tickAt(final long nowMs)
    {
        setTime(nowMs);
        server.onTick(nowMs);
    }

    /** A query at {@code nowMs} (no tick): answered with two PeerInformation packets while the domain is known. */
    private boolean answeredAt(final long nowMs)
    {
        setTime(nowMs);
        final long before = sent.get();
        final InetSocketAddress source = (InetSocketAddress)localAddress(client);
        server.onDatagram(query, QUERY.length, source, SocketAddresses.fingerprint(source));
        return sent.get() > before;
    }

    private void setTime(final long nowMs)
    {
        time.update(nowMs);
        clock.update();
    }

    private static java.net.SocketAddress localAddress(final DatagramChannel channel)
    {
        try
        {
            return channel.getLocalAddress();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
