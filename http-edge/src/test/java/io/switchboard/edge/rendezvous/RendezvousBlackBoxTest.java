package io.switchboard.edge.rendezvous;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.rendezvous.RendezvousHttp.Client;
import io.switchboard.edge.rendezvous.RendezvousHttp.Reply;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.UdpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static io.switchboard.edge.rendezvous.RendezvousHttp.bearer;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The pulse rendezvous against the running appliance over real UDP and HTTP on loopback: the worked examples E1–E8
 * of rendezvous-and-dop.md §1.7 with shortened timers, both pulse forms, and the errors of §1.9.
 */
class RendezvousBlackBoxTest
{
    static final byte[] ON_TIME = HexFormat.of().parseHex("000003fc");
    static final byte[] MUST_REVERIFY = HexFormat.of().parseHex("0000041a");
    static final byte[] UNKNOWN_CLIENT = HexFormat.of().parseHex("00000424");
    private static final long LONG_MS = 600_000;
    private static final int SILENCE_MS = 300;

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Appliance appliance;
    private RendezvousHttp http;

    /** Starts with every timer long (nothing expires during a test) unless overridden by {@code extra}. */
    private void start(final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of(
            "--data-dir=" + dataDir, "--engine-tick-ms=10",
            "--pulse-max-clients=1000", "--pulse-register-grace-ms=" + LONG_MS, "--pulse-ttl-ms=" + LONG_MS,
            "--pulse-error-time-ms=" + LONG_MS));
        args.addAll(Arrays.asList(extra));
        final List<String> merged = new ArrayList<>();
        for (final String arg : args)
        {
            final String name = arg.substring(0, arg.indexOf('=') + 1);
            merged.removeIf(existing -> existing.startsWith(name));
            merged.add(arg);
        }
        appliance = Appliance.start(Options.parse(AnyPorts.with(merged.toArray(String[]::new))));
        http = new RendezvousHttp(appliance.port("rendezvous"));
    }

    private UdpPeer socket() throws Exception
    {
        final UdpPeer peer = new UdpPeer(appliance.port("pulse"));
        resources.add(peer);
        return peer;
    }

    private static byte[] hexPulse(final Client client)
    {
        return client.key().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] rawPulse(final Client client)
    {
        return HexFormat.of().parseHex(client.key());
    }

    private long metric(final String series) throws Exception
    {
        return Scrape.value(appliance.port("admin"), series);
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

    @Test
    void readyLineListsPulseAfterIceAndRendezvousAfterIt()
    {
        start();
        final String line = appliance.readyLine();
        assertTrue(line.matches("switchboard ready ice=udp:\\d+ pulse=udp:\\d+ rendezvous=http:\\d+ .*"), line);
    }

    @Nested
    class WorkedExamples
    {
        @Test
        void e1RegisterGivesIdsAndAnOnlineClientWithoutAddress() throws Exception
        {
            start();
            final Reply registered = http.post("/register", null);
            assertEquals(200, registered.status());
            assertTrue(registered.text("client_id").matches("[0-9a-f]{32}"), registered.toString());
            assertTrue(registered.text("private_id").matches("[0-9a-f]{64}"), registered.toString());
            assertTrue(registered.body().get("timestamp").isNumber());
            assertTrue(registered.body().get("timestamp").asDouble() > 1.6e9);
            assertTrue(registered.body().get("ok").asBoolean());
            assertEquals(List.of("client_id", "private_id", "timestamp", "ok"), fields(registered));

            final Client client = new Client(registered.text("client_id"), registered.text("private_id"));
            final Reply status = http.status(client, client.id());
            assertEquals(200, status.status());
            assertEquals("Online", status.text("status"));
            assertEquals(0, status.body().get("last_online").asDouble());
            assertTrue(status.body().get("seconds_since_pulse").isNull());
            assertTrue(status.body().get("ok").asBoolean());
            assertEquals(client.id(), status.text("client_id"));

            final Reply address = http.address(client, client.id());
            assertEquals(404, address.status());
            assertFalse(address.body().get("ok").asBoolean());
            assertTrue(address.body().has("error"));
        }

        @Test
        void e1RegisterAlsoAnswersGet() throws Exception
        {
            start();
            final Reply registered = http.get("/register", null);
            assertEquals(200, registered.status());
            assertTrue(registered.text("private_id").matches("[0-9a-f]{64}"));
        }

        @Test
        void e2FirstPulseIsOnTimeAndTeachesTheAddress() throws Exception
        {
            start();
            final Client client = http.register();
            final Client other = http.register();
            final UdpPeer socket = socket();
            assertArrayEquals(ON_TIME, socket.exchange(hexPulse(client)));

            final Reply address = http.address(other, client.id());
            assertEquals(200, address.status());
            assertEquals("127.0.0.1", address.text("host"));
            assertEquals(socket.localPort(), address.body().get("port").asInt());
            assertTrue(address.body().get("ok").asBoolean());
            assertEquals(List.of("client_id", "host", "port", "timestamp", "ok"), fields(address));
            assertEquals(address.body().get("port"), http.get("/peer/" + client.id() + "/udp/address", bearer(other))
                .body().get("port"));

            final Reply status = http.status(other, client.id());
            assertEquals("Online", status.text("status"));
            assertTrue(status.body().get("last_online").asDouble() > 1.6e9);
            assertTrue(status.body().get("seconds_since_pulse").asDouble() >= 0);
        }

        @Test
        void e3MissedPulseMakesItPendingUntilVerifiedThenPulsesAreOnTimeAgain() throws Exception
        {
            start("--pulse-ttl-ms=400");
            final Client client = http.register();
            final Client watcher = http.register();
            assertArrayEquals(ON_TIME, socket().exchange(hexPulse(client)));
            assertEquals("Pending", http.awaitStatus(watcher, client.id(), "Pending").text("status"));

            final UdpPeer moved = socket();
            assertArrayEquals(MUST_REVERIFY, moved.exchange(hexPulse(client)));
            assertEquals(moved.localPort(), http.address(watcher, client.id()).body().get("port").asInt(),
                "a PENDING pulse still updates the address");
            assertEquals("Pending", http.status(watcher, client.id()).text("status"), "and does not make it Online");

            final Reply verified = http.verify(client);
            assertEquals(200, verified.status());
            assertTrue(verified.body().get("ok").asBoolean());
            assertEquals(client.id(), verified.text("client_id"));
            assertEquals(List.of("client_id", "timestamp", "ok"), fields(verified));
            assertEquals("Online", http.status(watcher, client.id()).text("status"));
            assertArrayEquals(ON_TIME, moved.exchange(hexPulse(client)));
        }

        @Test
        void e4VerifyWhenOnlineIsOkFalse() throws Exception
        {
            start();
            final Client client = http.register();
            final Reply verified = http.verify(client);
            assertEquals(200, verified.status());
            assertFalse(verified.body().get("ok").asBoolean());
            assertEquals("Online", http.status(client, client.id()).text("status"));
        }

        @Test
        void e5PendingPastTheErrorTimeIsForgottenWithItsKey() throws Exception
        {
            start("--pulse-ttl-ms=200", "--pulse-error-time-ms=300");
            final Client client = http.register();
            final Client watcher = http.register();
            final UdpPeer socket = socket();
            assertArrayEquals(ON_TIME, socket.exchange(rawPulse(client)));
            assertEquals(404, http.awaitStatus(watcher, client.id(), "404").status());
            assertEquals(404, http.address(watcher, client.id()).status());
            assertArrayEquals(UNKNOWN_CLIENT, socket.exchange(rawPulse(client)));
            assertEquals(400, http.verify(client).status(), "the key is forgotten too: 400, never the original's 500");
            assertEquals(1, metric("switchboard_pulse_deadlines_total{result=\"expired\"}"));
            assertEquals(1, metric("switchboard_pulse_deadlines_total{result=\"pending\"}"));
        }

        @Test
        void e5RegisterGraceAloneAlsoEndsInPendingThenExpiry() throws Exception
        {
            start("--pulse-register-grace-ms=200", "--pulse-error-time-ms=" + LONG_MS);
            final Client client = http.register();
            assertEquals("Pending", http.awaitStatus(client, client.id(), "Pending").text("status"));
            assertArrayEquals(MUST_REVERIFY, socket().exchange(hexPulse(client)));
        }

        @Test
        void e6LogoutForgetsTheClientAndItsKey() throws Exception
        {
            start();
            final Client client = http.register();
            final Client watcher = http.register();
            final UdpPeer socket = socket();
            assertArrayEquals(ON_TIME, socket.exchange(hexPulse(client)));
            final Reply loggedOut = http.logout(client);
            assertEquals(200, loggedOut.status());
            assertTrue(loggedOut.body().get("ok").asBoolean());
            assertEquals(client.id(), loggedOut.text("client_id"));

            assertEquals(400, http.logout(client).status());
            assertEquals(400, http.verify(client).status());
            assertEquals(400, http.status(client, watcher.id()).status());
            assertEquals(400, http.address(client, watcher.id()).status());
            assertEquals(404, http.status(watcher, client.id()).status());
            assertArrayEquals(UNKNOWN_CLIENT, socket.exchange(hexPulse(client)));
        }

        @Test
        void e7AuthFailuresAre400WithAJsonBody() throws Exception
        {
            start();
            final Client client = http.register();
            final String unknown = "Bearer " + "ab".repeat(32);
            final String[] refused = {
                null, "Token " + client.key(), "Bearer", "Bearer ", unknown, "bearer " + client.key(),
                "Bearer " + client.key() + "00", "Bearer " + client.key().substring(1),
                "Bearer " + client.key().substring(0, 63) + "g", "Basic dXNlcjpwYXNz"};
            for (final String authorization : refused)
            {
                for (final Reply reply : List.of(
                    http.post("/verify", authorization),
                    http.post("/logout", authorization),
                    http.get("/peer/" + client.id() + "/udp", authorization),
                    http.get("/peer/" + client.id() + "/udp/status", authorization)))
                {
                    assertEquals(400, reply.status(), authorization + " -> " + reply);
                    assertFalse(reply.body().get("ok").asBoolean());
                    assertFalse(reply.text("error").isEmpty());
                }
            }
            assertEquals("Online", http.status(client, client.id()).text("status"), "the client is untouched");
        }

        @Test
        void e8UnknownKeyPulseIsAnswered1060() throws Exception
        {
            start();
            http.register();
            final UdpPeer socket = socket();
            assertArrayEquals(UNKNOWN_CLIENT, socket.exchange(("0123456789abcdef".repeat(4)).getBytes(
                StandardCharsets.US_ASCII)));
            final byte[] raw = new byte[32];
            new Random(8).nextBytes(raw);
            assertArrayEquals(UNKNOWN_CLIENT, socket.exchange(raw));
            assertEquals(2, metric("switchboard_pulse_replies_total{code=\"1060\"}"));
        }
    }

    @Nested
    class PayloadForms
    {
        @Test
        void rawHexUpperCaseAndLineEndedPulsesAreTheSamePulse() throws Exception
        {
            start();
            final Client client = http.register();
            final UdpPeer socket = socket();
            assertArrayEquals(ON_TIME, socket.exchange(rawPulse(client)));
            assertArrayEquals(ON_TIME, socket.exchange(hexPulse(client)));
            assertArrayEquals(ON_TIME, socket.exchange(client.key().toUpperCase().getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals(ON_TIME, socket.exchange((client.key() + "\r\n").getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals(ON_TIME, socket.exchange((client.key() + "\0").getBytes(StandardCharsets.US_ASCII)));
            assertEquals(1, metric("switchboard_pulse_datagrams_in_total{form=\"raw\"}"));
            assertEquals(4, metric("switchboard_pulse_datagrams_in_total{form=\"hex\"}"));
        }

        @Test
        void malformedDatagramsOfEveryLengthAreDroppedAndNeverDisturbOtherClients() throws Exception
        {
            start();
            final Client client = http.register();
            final Client watcher = http.register();
            final UdpPeer good = socket();
            final UdpPeer bad = socket();
            final Random random = new Random(4);
            int answered = 0;
            for (int length = 0; length <= 200; length++)
            {
                final byte[] datagram = new byte[length];
                random.nextBytes(datagram);
                bad.send(datagram);
                if (length == 32)
                {
                    assertArrayEquals(UNKNOWN_CLIENT, bad.receive(5_000), "32 bytes are a raw key: unknown");
                    answered++;
                }
                assertArrayEquals(ON_TIME, good.exchange(length % 2 == 0 ? hexPulse(client) : rawPulse(client)));
            }
            final byte[] tooLong = new byte[4_000];
            random.nextBytes(tooLong);
            bad.send(tooLong);
            assertArrayEquals(ON_TIME, good.exchange(hexPulse(client)));
            assertNull(bad.receive(SILENCE_MS), "no other datagram is answered");
            assertEquals(200, metric("switchboard_pulse_dropped_total{reason=\"malformed\"}"));
            assertEquals(answered, metric("switchboard_pulse_replies_total{code=\"1060\"}"));
            assertEquals(good.localPort(), http.address(watcher, client.id()).body().get("port").asInt(),
                "dropped datagrams never move the address");
            assertEquals("Online", http.status(watcher, client.id()).text("status"));
        }
    }

    @Nested
    class Errors
    {
        @Test
        void wrongMethodsAre405WithAJsonBody() throws Exception
        {
            start();
            final Client client = http.register();
            for (final Reply reply : List.of(
                http.get("/verify", bearer(client)),
                http.get("/logout", bearer(client)),
                http.method("DELETE", "/register"),
                http.method("PUT", "/register"),
                http.post("/peer/" + client.id() + "/udp", bearer(client)),
                http.post("/peer/" + client.id() + "/udp/status", bearer(client))))
            {
                assertEquals(405, reply.status(), reply.toString());
                assertFalse(reply.body().get("ok").asBoolean());
            }
        }

        @Test
        void unknownRoutesAndIdsAre404WithAJsonBody() throws Exception
        {
            start();
            final Client client = http.register();
            for (final Reply reply : List.of(
                http.get("/nothing", null),
                http.get("/peer/" + client.id(), bearer(client)),
                http.status(client, "f".repeat(32)),
                http.status(client, "not-an-id"),
                http.address(client, client.id() + "0"),
                http.address(client, "x".repeat(32))))
            {
                assertEquals(404, reply.status(), reply.toString());
                assertFalse(reply.body().get("ok").asBoolean());
            }
            assertEquals(400, http.status(new Client("", "ab".repeat(32)), "not-an-id").status(),
                "the key is checked before the id");
        }

        @Test
        void peerIdsAreAcceptedInAnyCase() throws Exception
        {
            start();
            final Client client = http.register();
            assertEquals(200, http.status(client, client.id().toUpperCase()).status());
        }

        @Test
        void registrationsBeyondTheRateAre429() throws Exception
        {
            start("--rendezvous-register-rate=1", "--rendezvous-register-burst=2");
            assertEquals(200, http.post("/register", null).status());
            assertEquals(200, http.post("/register", null).status());
            final Reply refused = http.post("/register", null);
            assertEquals(429, refused.status());
            assertFalse(refused.body().get("ok").asBoolean());
        }

        @Test
        void registrationsBeyondTheMostClientsAre503() throws Exception
        {
            start("--pulse-max-clients=16");
            final List<Client> clients = new ArrayList<>();
            for (int i = 0; i < 16; i++)
            {
                clients.add(http.register());
            }
            final Reply refused = http.post("/register", null);
            assertEquals(503, refused.status());
            assertFalse(refused.body().get("ok").asBoolean());
            assertEquals(200, http.logout(clients.get(0)).status());
            assertEquals(200, http.post("/register", null).status(), "a logout frees a place");
        }
    }

    @Test
    void clientGaugesFollowTheStates() throws Exception
    {
        start("--pulse-register-grace-ms=200");
        final Client first = http.register();
        final Client second = http.register();
        http.awaitStatus(first, first.id(), "Pending");
        http.awaitStatus(first, second.id(), "Pending");
        assertEquals(0, metric("switchboard_pulse_clients{state=\"online\"}"));
        assertEquals(2, metric("switchboard_pulse_clients{state=\"pending\"}"));
        assertTrue(http.verify(first).body().get("ok").asBoolean());
        assertEquals(1, metric("switchboard_pulse_clients{state=\"online\"}"));
        assertEquals(1, metric("switchboard_pulse_clients{state=\"pending\"}"));
        assertTrue(metric("switchboard_pulse_table_bytes") > 0);
    }

    private static List<String> fields(final Reply reply)
    {
        final List<String> names = new ArrayList<>();
        reply.body().fieldNames().forEachRemaining(names::add);
        return names;
    }
}
