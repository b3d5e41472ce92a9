package io.switchboard.edge.ice;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.ToolRun;
import io.switchboard.engine.ice.IceContext;
import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IcePacketType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    private static final int FLOOD_SECONDS = 4;

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
        final String setup = "--setup-dir=" + dataDir.resolve("flood");
        ToolRun.ok("ice-flood", "--setup-only", setup);
        start("--config=" + dataDir.resolve("flood").resolve("switchboard.conf"));
        final long startNs = System.nanoTime();
        final Map<String, Long> result = fields(ToolRun.ok("ice-flood", setup, "--target=127.0.0.1:" + appliance.port("ice"),
            "--flood-host=127.0.0.1", "--flood-ports=" + FLOOD_PORTS, "--flood-rate=" + FLOOD_PER_SECOND,
            "--forged=mixed", "--genuine-hosts=127.0.0.2,127.0.0.3", "--duration-s=" + FLOOD_SECONDS));
        final double elapsedS = (System.nanoTime() - startNs) / 1e9;
        final long cachedSent = result.get("genuine_cached_sent");
        final long cachedAcked = result.get("genuine_cached_acked");
        final long fullSent = result.get("genuine_full_sent");
        final long fullAcked = result.get("genuine_full_acked");
        assertTrue(result.get("forged_sent") > FLOOD_PER_SECOND, "the flood ran: " + result);
        assertTrue(cachedAcked >= 0.99 * cachedSent, "cached: " + cachedAcked + " of " + cachedSent + " ACKed");
        assertTrue(fullAcked >= 0.99 * fullSent, "fully verified: " + fullAcked + " of " + fullSent + " ACKed");

        final long heartbeatsIn = awaitSettled("switchboard_ice_datagrams_in_total{type=\"heartbeat\"}");
        final long acked = metric("switchboard_ice_heartbeats_total{result=\"acked\"}");
        final long denied = metric("switchboard_ice_heartbeats_total{result=\"denied\"}");
        final long overBudget = metric("switchboard_ice_dropped_total{reason=\"verify_rate_limit\"}");
        final long failed = metric("switchboard_ice_verifications_total{kind=\"failed\"}");
        assertTrue(acked <= cachedSent + fullSent, "no forged heartbeat was ACKed: " + acked);
        assertEquals(heartbeatsIn - acked, denied + overBudget, "every other heartbeat received was refused");
        assertTrue(heartbeatsIn - acked > result.get("forged_sent") / 2,
            (heartbeatsIn - acked) + " forged received of " + result.get("forged_sent") + " sent");
        assertTrue(overBudget > 0, "the flooding host ran out of verifications");
        // The flooding host's RSA budget: its burst plus its rate over the flood, and not one more.
        assertTrue(failed <= IceContext.DEFAULT_ICE_VERIFY_BURST +
            IceContext.DEFAULT_ICE_VERIFY_RATE * (elapsedS + 1), failed + " failed verifications");
    }

    @Test
    void aFloodOfUnknownDomainIdsFromOneHostLeavesOtherHostsTheirKeyFetches() throws Exception
    {
        final HttpServer metaverse = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metaverse.setExecutor(Executors.newFixedThreadPool(4));
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

        final Peer genuine = new Peer("127.0.0.2");
        final long floodStartNs = System.nanoTime();
        final ExecutorService floodThread = Executors.newSingleThreadExecutor();
        resources.add(floodThread::shutdownNow);
        final Future<String> flood = floodThread.submit(() -> ToolRun.ok("ice-flood",
            "--setup-dir=" + dataDir.resolve("flood"), "--target=127.0.0.1:" + appliance.port("ice"),
            "--flood-host=127.0.0.1", "--flood-ports=" + FLOOD_PORTS, "--flood-rate=" + FLOOD_PER_SECOND,
            "--forged=unknown", "--genuine-hosts=", "--duration-s=" + FLOOD_SECONDS));
        // The flood is under way before the genuine domain's first heartbeat.
        while (metric("switchboard_ice_datagrams_in_total{type=\"heartbeat\"}") < FLOOD_PER_SECOND / 4)
        {
            assertFalse(flood.isDone(), "the flood ended before it was seen");
            Thread.sleep(20);
        }
        final long firstHeartbeatNs = System.nanoTime();
        int sequence = 1;
        while (genuine.exchange(withSequence(HEARTBEAT, sequence++)) != IcePacketType.SERVER_HEARTBEAT_ACK)
        {
            assertTrue(System.nanoTime() - firstHeartbeatNs < 3_000_000_000L,
                "the genuine domain's key was not fetched within 3 s of its first heartbeat");
            Thread.sleep(100);
        }
        final long forgedSent = fields(flood.get()).get("forged_sent");
        final double elapsedS = (System.nanoTime() - floodStartNs) / 1e9;
        assertTrue(forgedSent > FLOOD_PER_SECOND, "the flood ran: " + forgedSent);
        final long started = metric("switchboard_ice_key_fetches_total{result=\"started\"}");
        assertTrue(metric("switchboard_ice_key_fetches_total{result=\"skipped\"}") > 0, "the flood was refused");
        // The flooding host's share (burst plus rate over the flood) and the genuine domain's one fetch.
        assertTrue(started <= IceContext.DEFAULT_KEY_FETCH_RATE_PER_HOST * (elapsedS + 2) + 1,
            started + " fetches started in " + elapsedS + " s");
    }

    @Test
    void peerInformationToOneDomainStopsAtItsBudgetHoweverManyHostsQuery() throws Exception
    {
        final int rate = 5;
        final int queries = 12;
        start("--domain-key=" + DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64, "--ice-peer-info-rate=" + rate);
        final Peer domain = new Peer("127.0.0.2");
        assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT));
        final List<Peer> clients = new ArrayList<>();
        for (int i = 0; i < queries; i++)
        {
            // One querier per host, so the per-host query budget is never what stops them.
            clients.add(new Peer("127.0.1." + (i + 1)));
        }
        final long startNs = System.nanoTime();
        for (final Peer client : clients)
        {
            client.send(QUERY);
        }
        for (final Peer client : clients)
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

    /** The {@code key=number} fields of a tool's result line. */
    private static Map<String, Long> fields(final String line)
    {
        final Map<String, Long> fields = new HashMap<>();
        for (final String field : line.trim().split(" "))
        {
            final int equals = field.indexOf('=');
            if (equals > 0 && field.substring(equals + 1).matches("\\d+"))
            {
                fields.put(field.substring(0, equals), Long.parseLong(field.substring(equals + 1)));
            }
        }
        return fields;
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
    private final class Peer implements AutoCloseable
    {
        private final DatagramSocket socket;
        private final InetSocketAddress server;
        private final byte[] reply = new byte[64];

        Peer(final String host) throws IOException
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
}
