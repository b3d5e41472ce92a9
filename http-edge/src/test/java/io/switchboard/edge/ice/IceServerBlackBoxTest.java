package io.switchboard.edge.ice;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.UdpPeer;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.engine.ice.IceServerHeartbeat;
import io.switchboard.engine.wire.QtSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.switchboard.engine.ice.IceWireVectors.*;
import static org.junit.jupiter.api.Assertions.*;

/** The ICE server over real UDP on loopback, against the running appliance. */
class IceServerBlackBoxTest
{
    private static final String DOMAIN_KEY_OPTION = "--domain-key=" + DOMAIN_ID + ":" + PUBLIC_KEY_SPKI_BASE64;
    private static final int SILENCE_MS = 300;

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Appliance appliance;

    private Appliance start(final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("--data-dir=" + dataDir));
        args.addAll(Arrays.asList(extra));
        appliance = Appliance.start(Options.parse(AnyPorts.with(args.toArray(String[]::new))));
        return appliance;
    }

    private UdpPeer peer() throws Exception
    {
        final UdpPeer peer = new UdpPeer(appliance.port("ice"));
        resources.add(peer);
        return peer;
    }

    private long metric(final String series) throws Exception
    {
        return Scrape.value(appliance.port("admin"), series);
    }

    private long awaitMetric(final String series, final long expected) throws Exception
    {
        return Scrape.awaitValue(appliance.port("admin"), series, expected);
    }

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

    @Nested
    class WithRegisteredKey
    {
        @Test
        void heartbeatIsAckedAndSequenceNumbersCountPerDestination() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer domain = peer();
            assertArrayEquals(ACK_SEQ_1, domain.exchange(HEARTBEAT));
            assertArrayEquals(hex("020000003f11"), domain.exchange(withSequence(HEARTBEAT, 2)));
            final UdpPeer other = peer();
            assertArrayEquals(ACK_SEQ_1, other.exchange(HEARTBEAT), "a new destination starts at 1");
        }

        @Test
        void registeredDomainQueryIsAnsweredWithBothExactPackets() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer domain = peer();
            final UdpPeer client = peer();
            assertArrayEquals(ACK_SEQ_1, domain.exchange(HEARTBEAT));
            assertArrayEquals(PEER_INFORMATION_TO_CLIENT, client.exchange(QUERY));
            assertArrayEquals(PEER_INFORMATION_TO_DOMAIN, domain.receive(5_000));
            assertEquals(1, metric("switchboard_ice_queries_total{result=\"answered\"}"));
            assertEquals(2, metric("switchboard_ice_datagrams_out_total{type=\"peer_information\"}"));
        }

        @Test
        void unknownDomainQueryIsUnanswered() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer client = peer();
            client.send(QUERY);
            assertNull(client.receive(SILENCE_MS));
            assertEquals(1, awaitMetric("switchboard_ice_queries_total{result=\"unknown_domain\"}", 1));
        }

        @Test
        void heartbeatWithWrongVersionIsDroppedSilently() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer domain = peer();
            final byte[] wrongVersion = HEARTBEAT.clone();
            wrongVersion[5] = 17;
            domain.send(wrongVersion);
            assertNull(domain.receive(SILENCE_MS));
            assertEquals(1, awaitMetric("switchboard_ice_dropped_total{reason=\"version\"}", 1));
            final byte[] controlPacket = HEARTBEAT.clone();
            controlPacket[3] = (byte)0x80;
            domain.send(controlPacket);
            assertNull(domain.receive(SILENCE_MS));
            assertEquals(1, awaitMetric("switchboard_ice_dropped_total{reason=\"not_plain\"}", 1));
        }

        @Test
        void tamperedHeartbeatIsDenied() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer domain = peer();
            final byte[] tamperedSocket = HEARTBEAT.clone();
            tamperedSocket[25] ^= 1;
            assertArrayEquals(DENIED_SEQ_1, domain.exchange(tamperedSocket));
            final byte[] tamperedSignature = HEARTBEAT.clone();
            tamperedSignature[100] ^= 1;
            assertArrayEquals(hex("020000003c11"), domain.exchange(tamperedSignature));
            assertEquals(2, metric("switchboard_ice_verifications_total{kind=\"failed\"}"));
            assertEquals(0, metric("switchboard_ice_active_domains"));
        }

        @Test
        void identicalHeartbeatIsAckedWithoutRepeatingRsa() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer domain = peer();
            for (int sequence = 1; sequence <= 5; sequence++)
            {
                final byte[] reply = domain.exchange(withSequence(HEARTBEAT, sequence));
                assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, reply[4]);
            }
            assertEquals(1, metric("switchboard_ice_verifications_total{kind=\"full\"}"));
            assertEquals(4, metric("switchboard_ice_verifications_total{kind=\"cached\"}"));
            assertEquals(1, metric("switchboard_ice_active_domains"));
        }

        @Test
        void forgedHeartbeatNeitherEvictsTheKeyNorDeniesGenuineHeartbeats() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer domain = peer();
            final UdpPeer attacker = peer();
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT)[4]);
            final byte[] forged = signedHeartbeat(privateKeyOfAnotherDomain(), 1, "10.9.9.9", 1234);
            assertEquals(IcePacketType.SERVER_HEARTBEAT_DENIED, attacker.exchange(forged)[4]);
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(HEARTBEAT, 2))[4]);
            // A genuinely new heartbeat (new sockets, re-signed) still verifies with the key that was kept.
            final byte[] moved = signedHeartbeat(privateKey(), 3, "203.0.113.99", 40200);
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(moved)[4]);
            // The query now sees the moved sockets, not the attacker's.
            final UdpPeer client = peer();
            final byte[] information = client.exchange(QUERY);
            assertEquals("203.0.113.99:40200", QtSocketAddress.toString(new UnsafeBuffer(information), 22, 36));
        }

        @Test
        void silentDomainExpiresAfterThePeerTimeout() throws Exception
        {
            start(DOMAIN_KEY_OPTION, "--ice-peer-timeout-ms=" + SILENCE_MS);
            final UdpPeer domain = peer();
            final UdpPeer client = peer();
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT)[4]);
            assertEquals(IcePacketType.PEER_INFORMATION, client.exchange(QUERY)[4]);
            assertEquals(1, awaitMetric("switchboard_ice_peers_expired_total", 1));
            assertEquals(0, metric("switchboard_ice_active_domains"));
            while (domain.receive(50) != null)
            {
                // The domain's copy of the first query's answer.
            }
            client.send(withSequence(QUERY, 2));
            assertNull(client.receive(SILENCE_MS), "an expired domain is unknown");
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(HEARTBEAT, 2))[4],
                "a locally registered key survives the peer's expiry");
        }

        @Test
        void queriesAreRateLimitedPerSourceHost() throws Exception
        {
            start(DOMAIN_KEY_OPTION, "--ice-query-rate=1", "--ice-query-burst=3");
            final UdpPeer domain = peer();
            final UdpPeer client = peer();
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT)[4]);
            for (int i = 0; i < 10; i++)
            {
                client.send(QUERY);
            }
            int answers = 0;
            while (client.receive(SILENCE_MS) != null)
            {
                answers++;
            }
            assertTrue(answers >= 3 && answers <= 4, "burst of 3 (plus at most one refill), got " + answers);
            assertEquals(10 - answers, metric("switchboard_ice_dropped_total{reason=\"rate_limit\"}"));
        }

        @Test
        void fullVerificationsAreRateLimitedPerSourceHostWhileCachedHeartbeatsStillAck() throws Exception
        {
            start(DOMAIN_KEY_OPTION, "--ice-verify-rate=1", "--ice-verify-burst=2");
            final UdpPeer domain = peer();
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT)[4]);
            for (int sequence = 2; sequence <= 6; sequence++)
            {
                assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(HEARTBEAT, sequence))[4],
                    "a repeated heartbeat is ACKed from the cache and takes no token");
            }
            for (int port = 1; port <= 5; port++)
            {
                domain.send(signedHeartbeat(privateKey(), 6 + port, "203.0.113.7", port));
            }
            int answers = 0;
            while (domain.receive(SILENCE_MS) != null)
            {
                answers++;
            }
            assertTrue(answers >= 1 && answers <= 2, "one token left of the burst (plus at most one refill): " + answers);
            assertEquals(5 - answers, metric("switchboard_ice_dropped_total{reason=\"verify_rate_limit\"}"));
        }

        @Test
        void malformedDatagramsOfEveryLengthAreCountedAndDroppedWhileTheEngineKeepsAnswering() throws Exception
        {
            start(DOMAIN_KEY_OPTION);
            final UdpPeer garbage = peer();
            final UdpPeer domain = peer();
            final Random random = new Random(7337);
            int sent = 0;
            for (int length = 0; length <= 300; length++)
            {
                garbage.send(new byte[length]);
                final byte[] noise = new byte[length];
                random.nextBytes(noise);
                garbage.send(noise);
                final byte[] truncated = Arrays.copyOf(HEARTBEAT, Math.min(length, HEARTBEAT.length - 1));
                garbage.send(truncated);
                sent += 3;
                if (length % 50 == 0)
                {
                    assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(HEARTBEAT)[4],
                        "genuine heartbeats are answered in the middle of garbage");
                }
            }
            assertNull(garbage.receive(SILENCE_MS), "garbage is never answered");
            assertEquals(sent, awaitMetric(
                "switchboard_udp_datagrams_received_total{listener=\"ice\"}", sent + 7L) - 7);
            final long dropped = metric("switchboard_ice_dropped_total{reason=\"malformed\"}") +
                metric("switchboard_ice_dropped_total{reason=\"version\"}") +
                metric("switchboard_ice_dropped_total{reason=\"not_plain\"}") +
                metric("switchboard_ice_dropped_total{reason=\"ignored_type\"}");
            assertEquals(sent, dropped);
            assertEquals(0, metric("switchboard_engine_handler_errors_total"));
            assertEquals(0, metric("switchboard_udp_kernel_drops_total{listener=\"ice\"}"),
                "the kernel dropped nothing: the engine kept up");
        }

        @Test
        void domainIdWhoseHalvesAreLongMinValueIsAckedAndExpires() throws Exception
        {
            final UUID extreme = new UUID(Long.MIN_VALUE, Long.MIN_VALUE);
            start("--domain-key=" + extreme + ":" + PUBLIC_KEY_SPKI_BASE64, "--ice-peer-timeout-ms=" + SILENCE_MS);
            final UdpPeer domain = peer();
            final byte[] heartbeat = signedHeartbeat(privateKey(), extreme, 1, "203.0.113.8", 4000);
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(heartbeat)[4]);
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(heartbeat, 2))[4]);
            assertEquals(1, awaitMetric("switchboard_ice_peers_expired_total", 1));
            assertEquals(0, metric("switchboard_engine_handler_errors_total"));
        }

        @Test
        void oversizeDatagramIsCountedAndDropped() throws Exception
        {
            start(DOMAIN_KEY_OPTION, "--max-datagram-bytes=600");
            final UdpPeer garbage = peer();
            garbage.send(new byte[601]);
            garbage.send(new byte[60_000]);
            assertNull(garbage.receive(SILENCE_MS));
            assertEquals(2, awaitMetric(
                "switchboard_udp_datagrams_dropped_total{listener=\"ice\",reason=\"oversize\"}", 2));
        }
    }

    @Nested
    class WithRemoteMetaverse
    {
        private HttpServer metaverse;
        private final AtomicInteger requests = new AtomicInteger();
        private volatile int status = 200;
        private volatile CountDownLatch gate = new CountDownLatch(0);

        private String startMetaverse() throws Exception
        {
            metaverse = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            metaverse.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            metaverse.createContext("/api/v1/domains/", exchange ->
            {
                requests.incrementAndGet();
                try
                {
                    gate.await(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                final boolean known = exchange.getRequestURI().getPath()
                    .equals("/api/v1/domains/" + DOMAIN_ID + "/public_key");
                final String body = status == 200 && known ?
                    "{\"status\":\"success\",\"data\":{\"public_key\":\"" + PUBLIC_KEY_SPKI_BASE64 + "\"}}" :
                    "{\"status\":\"failure\",\"error\":\"Domain not found\"}";
                final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status == 200 && known ? 200 : 401, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            metaverse.start();
            resources.add(() -> metaverse.stop(0));
            return "http://127.0.0.1:" + metaverse.getAddress().getPort();
        }

        @Test
        void heartbeatIsDeniedWhileTheKeyIsUnknownAndAckedOnceItArrives() throws Exception
        {
            start("--metaverse-url=" + startMetaverse());
            final UdpPeer domain = peer();
            assertArrayEquals(DENIED_SEQ_1, domain.exchange(HEARTBEAT));
            assertEquals(1, awaitMetric("switchboard_ice_key_fetches_total{result=\"ok\"}", 1));
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(HEARTBEAT, 2))[4]);
            assertEquals(1, requests.get());
        }

        @Test
        void withoutTheFlagHifiMetaverseUrlIsTheMetaverseAsForTheReferenceIceServer() throws Exception
        {
            final ApplianceProcess process = ApplianceProcess.startUnder(
                List.of("env", "HIFI_METAVERSE_URL=" + startMetaverse()), AnyPorts.with("--data-dir=" + dataDir));
            resources.add(process);
            final UdpPeer domain = new UdpPeer(process.port("ice"));
            resources.add(domain);
            assertArrayEquals(DENIED_SEQ_1, domain.exchange(HEARTBEAT));
            assertEquals(1, Scrape.awaitValue(
                process.port("admin"), "switchboard_ice_key_fetches_total{result=\"ok\"}", 1));
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(HEARTBEAT, 2))[4]);
            assertEquals(1, requests.get());
        }

        @Test
        void atMostOneFetchIsInFlightPerDomain() throws Exception
        {
            gate = new CountDownLatch(1);
            start("--metaverse-url=" + startMetaverse());
            final UdpPeer domain = peer();
            for (int sequence = 1; sequence <= 5; sequence++)
            {
                assertEquals(IcePacketType.SERVER_HEARTBEAT_DENIED,
                    domain.exchange(withSequence(HEARTBEAT, sequence))[4]);
            }
            gate.countDown();
            assertEquals(1, awaitMetric("switchboard_ice_key_fetches_total{result=\"ok\"}", 1));
            assertEquals(1, requests.get());
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(HEARTBEAT, 6))[4]);
        }

        @Test
        void failedFetchIsRetriedAfterBackOff() throws Exception
        {
            status = 500;
            start("--metaverse-url=" + startMetaverse(), "--key-fetch-backoff-ms=200");
            final UdpPeer domain = peer();
            assertEquals(IcePacketType.SERVER_HEARTBEAT_DENIED, domain.exchange(HEARTBEAT)[4]);
            assertEquals(1, awaitMetric("switchboard_ice_key_fetches_total{result=\"failed\"}", 1));
            assertEquals(IcePacketType.SERVER_HEARTBEAT_DENIED, domain.exchange(withSequence(HEARTBEAT, 2))[4]);
            assertEquals(1, requests.get(), "no new fetch inside the back-off");
            status = 200;
            Thread.sleep(250);
            assertEquals(IcePacketType.SERVER_HEARTBEAT_DENIED, domain.exchange(withSequence(HEARTBEAT, 3))[4]);
            assertEquals(1, awaitMetric("switchboard_ice_key_fetches_total{result=\"ok\"}", 1));
            assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(withSequence(HEARTBEAT, 4))[4]);
            assertEquals(2, requests.get());
        }

        @Test
        void slowMetaverseNeverDelaysOtherDomainsReplies() throws Exception
        {
            gate = new CountDownLatch(1);
            final UUID other = UUID.fromString("0badc0de-0000-4000-8000-000000000001");
            start("--metaverse-url=" + startMetaverse(),
                "--domain-key=" + other + ":" + PUBLIC_KEY_SPKI_BASE64);
            final UdpPeer waiting = peer();
            final UdpPeer registered = peer();
            assertEquals(IcePacketType.SERVER_HEARTBEAT_DENIED, waiting.exchange(HEARTBEAT)[4]);
            // The fetch starts on the fetcher's thread: the other domain is exchanged with once it hangs.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (requests.get() == 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertEquals(1, requests.get(), "the first domain's fetch has reached the metaverse");
            final byte[] otherHeartbeat = signedHeartbeat(privateKey(), other, 1, "198.51.100.20", 5000);
            for (int i = 0; i < 20; i++)
            {
                assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, registered.exchange(otherHeartbeat)[4]);
            }
            assertEquals(1, requests.get(), "the first domain's fetch is still hanging");
            gate.countDown();
        }
    }

    static byte[] withSequence(final byte[] datagram, final int sequence)
    {
        final byte[] copy = datagram.clone();
        copy[0] = (byte)sequence;
        copy[1] = (byte)(sequence >>> 8);
        copy[2] = (byte)(sequence >>> 16);
        return copy;
    }

    static byte[] signedHeartbeat(final PrivateKey key, final int sequence, final String host, final int port)
        throws Exception
    {
        return signedHeartbeat(key, DOMAIN_ID, sequence, host, port);
    }

    static byte[] signedHeartbeat(
        final PrivateKey key, final UUID domain, final int sequence, final String host, final int port)
        throws Exception
    {
        final UnsafeBuffer sockets = new UnsafeBuffer(new byte[14]);
        final int address = java.nio.ByteBuffer.wrap(java.net.InetAddress.getByName(host).getAddress()).getInt();
        QtSocketAddress.putIpv4(sockets, 0, address, port);
        QtSocketAddress.putIpv4(sockets, 7, 0xC0A8010A, port);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[512]);
        final int plaintextLength = IceServerHeartbeat.putPlaintext(out, 0, sequence,
            domain.getMostSignificantBits(), domain.getLeastSignificantBits(), sockets, 0, 7, sockets, 7, 7);
        final Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(out.byteArray(), IceServerHeartbeat.DOMAIN_ID_OFFSET, plaintextLength);
        final int length = IceServerHeartbeat.putSignature(out, 0, plaintextLength, signer.sign());
        return Arrays.copyOf(out.byteArray(), length);
    }

    static PrivateKey privateKeyOfAnotherDomain() throws Exception
    {
        final java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair().getPrivate();
    }

    static byte[] hex(final String hex)
    {
        return HexFormat.of().parseHex(hex);
    }
}
