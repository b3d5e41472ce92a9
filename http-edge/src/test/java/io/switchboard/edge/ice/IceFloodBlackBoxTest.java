package io.switchboard.edge.ice;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.engine.ice.IceServerHeartbeat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.switchboard.edge.ice.IceServerBlackBoxTest.privateKeyOfAnotherDomain;
import static io.switchboard.edge.ice.IceServerBlackBoxTest.signedHeartbeat;
import static io.switchboard.edge.ice.IceServerBlackBoxTest.withSequence;
import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Forged heartbeats flooding from one host (200 source ports on 127.0.0.1) while genuine domains heartbeat from other
 * loopback hosts (127.0.0.2 and up): the flood gets its host's budget and nothing more.
 */
class IceFloodBlackBoxTest
{
    private static final int FLOOD_PORTS = 200;
    private static final int FLOOD_PER_SECOND = 20_000;
    private static final long FLOOD_MS = 4_000;
    private static final int SIGNATURE_OFFSET = HEARTBEAT.length - 256;
    private static final UUID CACHED_DOMAIN = UUID.fromString("c0ffee00-0000-4000-8000-000000000001");
    private static final UUID CHANGING_DOMAIN = UUID.fromString("c0ffee00-0000-4000-8000-000000000002");

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Appliance appliance;

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable resource : resources)
        {
            resource.close();
        }
        if (appliance != null)
        {
            appliance.close();
        }
    }

    private void start(final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("--data-dir=" + dataDir));
        args.addAll(List.of(extra));
        appliance = Appliance.start(Options.parse(AnyPorts.with(args.toArray(String[]::new))));
    }

    private long metric(final String series) throws Exception
    {
        return Scrape.value(appliance.port("admin"), series);
    }

    @Test
    void genuineHeartbeatsFromOtherHostsAreAckedWhileOneHostFloodsForgedOnes() throws Exception
    {
        start("--domain-key=" + CACHED_DOMAIN + ":" + PUBLIC_KEY_SPKI_BASE64,
            "--domain-key=" + CHANGING_DOMAIN + ":" + PUBLIC_KEY_SPKI_BASE64);
        final Domain cached = new Domain("127.0.0.2");
        final Domain changing = new Domain("127.0.0.3");
        final byte[] cachedHeartbeat = signedHeartbeat(privateKey(), CACHED_DOMAIN, 1, "198.51.100.2", 4000);
        // Each of the changing domain's heartbeats claims a new port, so each needs a full RSA verification.
        final byte[][] changingHeartbeats = new byte[400][];
        for (int i = 0; i < changingHeartbeats.length; i++)
        {
            changingHeartbeats[i] = signedHeartbeat(privateKey(), CHANGING_DOMAIN, 1, "198.51.100.3", 5000 + i);
        }
        // Forged: unknown random ids, and both genuine domains' ids with signatures that do not match.
        final Random random = new Random(13);
        final byte[] template = signedHeartbeat(privateKeyOfAnotherDomain(), UUID.randomUUID(), 1, "10.9.9.9", 9);
        final byte[][] forged = new byte[1024][];
        for (int i = 0; i < forged.length; i++)
        {
            if (i % 2 == 0)
            {
                forged[i] = template.clone();
                randomDomainId(forged[i], random);
            }
            else
            {
                forged[i] = (i % 4 == 1 ? cachedHeartbeat : changingHeartbeats[0]).clone();
                forged[i][SIGNATURE_OFFSET + random.nextInt(256)] ^= (byte)(1 + random.nextInt(255));
            }
        }

        assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, cached.exchange(cachedHeartbeat));
        int cachedSent = 0;
        int cachedAcked = 0;
        int changingSent = 0;
        int changingAcked = 0;
        final long floodStartNs = System.nanoTime();
        try (Flood flood = new Flood(forged))
        {
            for (int sequence = 2; System.nanoTime() - floodStartNs < FLOOD_MS * 1_000_000L; sequence++)
            {
                cachedSent++;
                if (cached.exchange(withSequence(cachedHeartbeat, sequence)) == IcePacketType.SERVER_HEARTBEAT_ACK)
                {
                    cachedAcked++;
                }
                changingSent++;
                final byte[] next = changingHeartbeats[changingSent % changingHeartbeats.length];
                if (changing.exchange(withSequence(next, sequence)) == IcePacketType.SERVER_HEARTBEAT_ACK)
                {
                    changingAcked++;
                }
                Thread.sleep(5);
            }
            flood.stop();
            final double elapsedS = (System.nanoTime() - floodStartNs) / 1e9;
            assertTrue(flood.sent > FLOOD_PER_SECOND, "the flood ran: " + flood.sent);
            assertTrue(cachedAcked >= 0.99 * cachedSent, "cached: " + cachedAcked + " of " + cachedSent + " ACKed");
            assertTrue(changingAcked >= 0.99 * changingSent,
                "fully verified: " + changingAcked + " of " + changingSent + " ACKed");

            final long heartbeatsIn = awaitSettled("switchboard_ice_datagrams_in_total{type=\"heartbeat\"}");
            final long acked = metric("switchboard_ice_heartbeats_total{result=\"acked\"}");
            final long denied = metric("switchboard_ice_heartbeats_total{result=\"denied\"}");
            final long overBudget = metric("switchboard_ice_dropped_total{reason=\"verify_rate_limit\"}");
            final long failed = metric("switchboard_ice_verifications_total{kind=\"failed\"}");
            assertEquals(1 + cachedAcked + changingAcked, acked, "no forged heartbeat was ACKed");
            assertEquals(heartbeatsIn - acked, denied + overBudget, "every forged heartbeat received was refused");
            assertTrue(heartbeatsIn - acked > flood.sent / 2,
                (heartbeatsIn - acked) + " forged received of " + flood.sent + " sent");
            assertTrue(overBudget > 0, "the flooding host ran out of verifications");
            // The flooding host's RSA budget: its burst plus its rate over the flood, and not one more.
            assertTrue(failed <= EngineContext.DEFAULT_ICE_VERIFY_BURST +
                EngineContext.DEFAULT_ICE_VERIFY_RATE * (elapsedS + 1), failed + " failed verifications");
        }
    }

    @Test
    void aFloodOfUnknownDomainIdsFromOneHostLeavesOtherHostsTheirKeyFetches() throws Exception
    {
        final HttpServer metaverse = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metaverse.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        metaverse.createContext("/api/v1/domains/", exchange ->
        {
            final boolean known = exchange.getRequestURI().getPath()
                .equals("/api/v1/domains/" + DOMAIN_ID + "/public_key");
            final byte[] body = (known ?
                "{\"status\":\"success\",\"data\":{\"public_key\":\"" + PUBLIC_KEY_SPKI_BASE64 + "\"}}" :
                "{\"status\":\"failure\",\"error\":\"Domain not found\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(known ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        metaverse.start();
        resources.add(() -> metaverse.stop(0));
        start("--metaverse-url=http://127.0.0.1:" + metaverse.getAddress().getPort());

        final Random random = new Random(7);
        final byte[][] unknown = new byte[4096][];
        for (int i = 0; i < unknown.length; i++)
        {
            unknown[i] = HEARTBEAT.clone();
            randomDomainId(unknown[i], random);
        }
        final Domain genuine = new Domain("127.0.0.2");
        final long floodStartNs = System.nanoTime();
        try (Flood flood = new Flood(unknown))
        {
            Thread.sleep(500);
            final long firstHeartbeatNs = System.nanoTime();
            int sequence = 1;
            while (genuine.exchange(withSequence(HEARTBEAT, sequence++)) != IcePacketType.SERVER_HEARTBEAT_ACK)
            {
                assertTrue(System.nanoTime() - firstHeartbeatNs < 3_000_000_000L,
                    "the genuine domain's key was not fetched within 3 s of its first heartbeat");
                Thread.sleep(100);
            }
            flood.stop();
            final double elapsedS = (System.nanoTime() - floodStartNs) / 1e9;
            final long started = metric("switchboard_ice_key_fetches_total{result=\"started\"}");
            assertTrue(metric("switchboard_ice_key_fetches_total{result=\"skipped\"}") > 0, "the flood was refused");
            // The flooding host's share (burst plus rate over the flood) and the genuine domain's one fetch.
            assertTrue(started <= EngineContext.DEFAULT_KEY_FETCH_RATE_PER_HOST * (elapsedS + 2) + 1,
                started + " fetches started in " + elapsedS + " s");
        }
    }

    @Test
    void peerInformationToOneDomainStopsAtItsBudgetHoweverManyHostsQuery() throws Exception
    {
        final int rate = 5;
        final int queries = 12;
        start("--domain-key=" + DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64, "--ice-peer-info-rate=" + rate);
        final Domain domain = new Domain("127.0.0.2");
        assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT));
        final List<Domain> clients = new ArrayList<>();
        for (int i = 0; i < queries; i++)
        {
            // One querier per host, so the per-host query budget is never what stops them.
            clients.add(new Domain("127.0.1." + (i + 1)));
        }
        final long startNs = System.nanoTime();
        for (final Domain client : clients)
        {
            client.send(QUERY);
        }
        for (final Domain client : clients)
        {
            assertEquals(IcePacketType.PEER_INFORMATION, client.receive(5_000), "every querier is answered");
        }
        final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        int toDomain = 0;
        while (domain.receive(300) == IcePacketType.PEER_INFORMATION)
        {
            toDomain++;
        }
        // The bucket holds `rate`; within the queries' few milliseconds it refills by one per 1000/rate ms at most.
        assertTrue(toDomain >= rate && toDomain <= rate + elapsedMs * rate / 1_000,
            toDomain + " PeerInformation to the domain in " + elapsedMs + " ms");
        assertEquals(queries - toDomain,
            metric("switchboard_ice_replies_dropped_total{reason=\"peer_info_rate_limit\"}"));
        assertEquals(queries + toDomain, metric("switchboard_ice_datagrams_out_total{type=\"peer_information\"}"));
    }

    private static void randomDomainId(final byte[] heartbeat, final Random random)
    {
        ByteBuffer.wrap(heartbeat, IceServerHeartbeat.DOMAIN_ID_OFFSET, 16)
            .putLong(random.nextLong()).putLong(random.nextLong());
    }

    private long awaitSettled(final String series) throws Exception
    {
        long previous = -1;
        long value = metric(series);
        for (int i = 0; i < 100 && value != previous; i++)
        {
            Thread.sleep(50);
            previous = value;
            value = metric(series);
        }
        return value;
    }

    /** A domain or client on its own loopback host. */
    private final class Domain implements AutoCloseable
    {
        private final DatagramSocket socket;
        private final InetSocketAddress server;
        private final byte[] reply = new byte[64];

        Domain(final String host) throws IOException
        {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
            server = new InetSocketAddress(InetAddress.getLoopbackAddress(), appliance.port("ice"));
            resources.add(this);
        }

        /** The reply's packet type, or 0 when none came within a second. */
        byte exchange(final byte[] datagram) throws IOException
        {
            send(datagram);
            return receive(1_000);
        }

        void send(final byte[] datagram) throws IOException
        {
            socket.send(new DatagramPacket(datagram, datagram.length, server));
        }

        /** The next datagram's packet type, or 0 when none came within {@code timeoutMs}. */
        byte receive(final int timeoutMs) throws IOException
        {
            final DatagramPacket packet = new DatagramPacket(reply, reply.length);
            socket.setSoTimeout(timeoutMs);
            try
            {
                socket.receive(packet);
                return reply[IceHeader.TYPE_OFFSET];
            }
            catch (final SocketTimeoutException ex)
            {
                return 0;
            }
        }

        @Override
        public void close()
        {
            socket.close();
        }
    }

    /** Sends the datagrams round-robin from {@link #FLOOD_PORTS} sockets on 127.0.0.1, paced, on its own thread. */
    private final class Flood implements AutoCloseable
    {
        private final DatagramChannel[] channels = new DatagramChannel[FLOOD_PORTS];
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long sent;

        Flood(final byte[][] datagrams) throws IOException
        {
            final InetSocketAddress server =
                new InetSocketAddress(InetAddress.getLoopbackAddress(), appliance.port("ice"));
            for (int i = 0; i < channels.length; i++)
            {
                channels[i] = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                channels[i].connect(server);
            }
            thread = new Thread(() -> run(datagrams), "ice-flood");
            thread.start();
        }

        private void run(final byte[][] datagrams)
        {
            final long startNs = System.nanoTime();
            long count = 0;
            try
            {
                while (running)
                {
                    final byte[] datagram = datagrams[(int)(count % datagrams.length)];
                    channels[(int)(count % FLOOD_PORTS)].write(ByteBuffer.wrap(datagram));
                    count++;
                    sent = count;
                    final long aheadNs = count * 1_000_000_000L / FLOOD_PER_SECOND - (System.nanoTime() - startNs);
                    if (aheadNs > 1_000_000)
                    {
                        Thread.sleep(aheadNs / 1_000_000);
                    }
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                // The flood is over: its sockets closed.
            }
        }

        void stop() throws InterruptedException
        {
            running = false;
            thread.join();
        }

        @Override
        public void close() throws Exception
        {
            stop();
            for (final DatagramChannel channel : channels)
            {
                channel.close();
            }
        }
    }
}
