package io.switchboard.edge.dop;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.peerjs.PeerJsServer;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.RawSocket;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.edge.testing.TcpForwarder;
import io.switchboard.protocol.dop.DopState;
import io.switchboard.protocol.dop.DopToken;
import io.switchboard.tools.dop.DopConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The dop protocol of spec part 2 (§2.5 state machine, §2.11 examples, §2.12 robustness) over real sockets. */
class DopProtocolTest
{
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final String CLIENT_TOKEN = "Bf8TqW1eR5uIo0Lp";
    private static final int POLICY_VIOLATION = 1008;
    private static final String EVENTS = "switchboard_dop_session_events_total";

    @TempDir
    Path dataDir;

    private Appliance appliance;
    private final List<RawSocket> sockets = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
        sockets.forEach(RawSocket::abort);
        if (appliance != null)
        {
            appliance.close();
        }
    }

    private void start(final String... options)
    {
        final List<String> args = new ArrayList<>(List.of(AnyPorts.with("--data-dir=" + dataDir)));
        args.addAll(List.of(options));
        if (args.stream().noneMatch(option -> option.startsWith("--dop-handshake-timeout-ms=")))
        {
            args.add("--dop-handshake-timeout-ms=2000");
        }
        appliance = Appliance.start(Options.parse(args.toArray(String[]::new)));
    }

    private int port()
    {
        return appliance.port(PeerJsServer.LISTENER);
    }

    private long value(final String series) throws Exception
    {
        return Scrape.value(appliance.port("admin"), series);
    }

    private void await(final String series, final long expected) throws Exception
    {
        assertEquals(expected, Scrape.awaitValue(appliance.port("admin"), series, expected), series);
    }

    private static String event(final String name)
    {
        return EVENTS + "{event=\"" + name + "\"}";
    }

    private RawSocket raw(final String pathAndQuery)
    {
        final RawSocket socket = RawSocket.open(URI.create("ws://127.0.0.1:" + port() + pathAndQuery));
        sockets.add(socket);
        return socket;
    }

    private RawSocket peerJs(final String id)
    {
        final RawSocket socket = raw("/peerjs?key=peerjs&token=t&id=" + id);
        socket.expect(OPEN);
        return socket;
    }

    private DopClient client(final String id, final long initialBackoffMs)
    {
        final DopClient client = new DopClient(
            URI.create("ws://127.0.0.1:" + port() + "/dop?key=peerjs&id=" + id), initialBackoffMs);
        closeables.add(client);
        return client;
    }

    /** A raw dop node that has done the handshake of example A; holds the final token. */
    private final class RawNode
    {
        final RawSocket socket;
        final String serverToken;
        final String finalToken;

        RawNode(final String id)
        {
            socket = raw("/dop?key=peerjs&id=" + id);
            serverToken = socket.next();
            socket.send(CLIENT_TOKEN);
            socket.expect(serverToken);
            socket.send(CLIENT_TOKEN);
            finalToken = DopToken.unique(serverToken, CLIENT_TOKEN);
            socket.expect(OPEN);
        }
    }

    private static String offer(final String src, final String dst, final String payload)
    {
        return "{\"type\":\"OFFER\",\"src\":\"" + src + "\",\"dst\":\"" + dst + "\",\"payload\":\"" + payload + "\"}";
    }

    private static String offerTo(final String dst, final String payload)
    {
        return "{\"type\":\"OFFER\",\"dst\":\"" + dst + "\",\"payload\":\"" + payload + "\"}";
    }

    @Nested
    class Tokens
    {
        @Test
        void finalTokenIsThePrefixCutPairSmallerFirstInOrdinalOrder()
        {
            assertEquals("Bf8TqW1eR5uIo0Lpk3Q9zL0aP7xYb2Mn", DopToken.unique("k3Q9zL0aP7xYb2Mn", CLIENT_TOKEN));
            assertEquals("Bf8TqW1eR5uIo0Lpk3Q9zL0aP7xYb2Mn", DopToken.unique(CLIENT_TOKEN, "k3Q9zL0aP7xYb2Mn"));
            assertEquals("Bf8TqW1eR5uIo0LpZx7Rt2Yp9Wq4Lm6N",
                DopToken.unique("Bf8TqW1eR5uIo0Lpk3Q9zL0aP7xYb2Mn", "Zx7Rt2Yp9Wq4Lm6N"));
            assertEquals("AAAADDDD", DopToken.unique("AAAABBBB", "DDDD"));
        }

        @Test
        void localTokensAreSixteenAlphanumerics()
        {
            final String token = DopToken.local();
            assertTrue(token.matches("[A-Za-z0-9]{16}"), token);
            assertNotEquals(token, DopToken.local());
        }
    }

    @Nested
    class RawFrames
    {
        @Test
        void exampleAFreshConnectCarriesTwoIdenticalTokensEachWayThenData() throws Exception
        {
            start();
            final RawSocket socket = raw("/dop?key=peerjs&id=a");
            final String serverToken = socket.next();
            assertTrue(serverToken.matches("[A-Za-z0-9]{16}"), serverToken);
            socket.send(CLIENT_TOKEN);
            socket.expect(serverToken);
            socket.send(CLIENT_TOKEN);
            socket.expect(OPEN);
            assertEquals(1, value(event("connected")));
            socket.send(offerTo("a", "to-myself"));
            socket.expect(offer("a", "a", "to-myself"));
        }

        @Test
        void exampleBResumeMovesTheSocketToTheSessionConfirmsAndFlushesItsQueue() throws Exception
        {
            start();
            final RawNode node = new RawNode("a");
            final RawSocket peer = peerJs("p");
            node.socket.abort();
            await("switchboard_dop_sessions{state=\"reconnecting\"}", 1);
            peer.send(offerTo("a", "while-away"));
            await("switchboard_dop_queued_messages", 1);
            final RawSocket resumed = raw("/dop");
            resumed.send(node.finalToken);
            final String temporary = resumed.next();
            assertNotEquals(node.serverToken, temporary);
            resumed.expect(node.finalToken);
            resumed.expect(offer("p", "a", "while-away"));
            resumed.send(offerTo("p", "back"));
            peer.expect(offer("a", "p", "back"));
            assertEquals(1, value(event("resumed")));
            assertEquals(1, value(event("connected")));
        }

        @Test
        void exampleCReconnectAfterRetentionBecomesANewConnection() throws Exception
        {
            start("--dop-retention-ms=100");
            final RawNode node = new RawNode("a");
            node.socket.abort();
            await(event("retention_expired"), 1);
            final RawSocket again = raw("/dop?key=peerjs&id=a");
            again.send(node.finalToken);
            final String fresh = again.next();
            again.expect(fresh);
            again.send(node.finalToken);
            again.expect(OPEN);
            assertEquals(DopToken.unique(node.finalToken, fresh).length(), 32);
            again.send(DopToken.unique(node.finalToken, fresh));
            await(event("client_disconnected"), 1);
            assertEquals(0, value(event("resumed")));
            assertEquals(2, value(event("connected")));
        }

        @Test
        void exampleDFormalDisconnectByTheClientFreesTheId() throws Exception
        {
            start();
            final RawNode node = new RawNode("a");
            node.socket.send(node.finalToken);
            assertEquals(1000, node.socket.closeCode(RawSocket.WAIT_MS));
            await(event("client_disconnected"), 1);
            assertEquals(0, value(event("socket_lost")));
            peerJs("a");
        }

        @Test
        void exampleDFormalDisconnectByTheServerSendsTheFinalToken() throws Exception
        {
            start();
            final RawNode node = new RawNode("a");
            final RawSocket takeover = raw("/peerjs?key=peerjs&id=a&token=" + node.finalToken);
            takeover.expect(OPEN);
            node.socket.expect(node.finalToken);
            assertEquals(1000, node.socket.closeCode(RawSocket.WAIT_MS));
            assertEquals(1, value(event("server_disconnected")));
        }

        @Test
        void exampleEHalfOpenSessionIsTakenOverByItsFinalToken() throws Exception
        {
            start();
            final RawNode node = new RawNode("a");
            final RawSocket second = raw("/dop");
            second.send(node.finalToken);
            second.next();
            second.expect(node.finalToken);
            assertEquals(1000, node.socket.closeCode(RawSocket.WAIT_MS));
            second.send(offerTo("a", "still-a"));
            second.expect(offer("a", "a", "still-a"));
            assertEquals(1, value(event("taken_over")));
        }

        @Test
        void exampleEStrictReferenceRefusesTheHalfOpenTakeover() throws Exception
        {
            start("--dop-half-open-takeover=false");
            final RawNode node = new RawNode("a");
            final RawSocket second = raw("/dop");
            second.send(node.finalToken);
            second.next();
            assertEquals(1000, second.closeCode(RawSocket.WAIT_MS));
            node.socket.send(offerTo("a", "old-socket-works"));
            node.socket.expect(offer("a", "a", "old-socket-works"));
            assertEquals(1, value(event("refused_half_open")));
        }

        @Test
        void admissionRefusalIsAnErrorFrameThenAFormalDisconnect()
        {
            start();
            peerJs("taken");
            final RawSocket socket = raw("/dop?key=peerjs&id=taken");
            final String serverToken = socket.next();
            socket.send(CLIENT_TOKEN);
            socket.expect(serverToken);
            socket.send(CLIENT_TOKEN);
            socket.expect("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
            socket.expect(DopToken.unique(serverToken, CLIENT_TOKEN));
        }
    }

    @Nested
    class Junk
    {
        @ParameterizedTest
        @ValueSource(strings = {"", "[1,\"x\"]", "0123456789012345678901234567890123456789012345678901234567890123x"})
        void unacceptableHandshakeTokenIsClosedWith1008(final String token) throws Exception
        {
            start();
            final RawSocket socket = raw("/dop");
            socket.next();
            socket.send(token);
            assertEquals(POLICY_VIOLATION, socket.closeCode(RawSocket.WAIT_MS));
            assertEquals(1, value("switchboard_dop_server_closes_total{cause=\"bad_token\"}"));
        }

        @Test
        void upgradesBeyondTheSessionCapAreRefusedWith503() throws Exception
        {
            start("--dop-max-sessions=2");
            raw("/dop").next();
            raw("/dop").next();
            final java.util.concurrent.CompletionException failure = assertThrows(
                java.util.concurrent.CompletionException.class, () -> raw("/dop"));
            assertEquals(503, assertInstanceOf(java.net.http.WebSocketHandshakeException.class, failure.getCause())
                .getResponse().statusCode());
            assertEquals(1, value("switchboard_dop_refused_total{reason=\"too_many\"}"));
        }

        @Test
        void aRetainedSessionAtTheCapStillResumesWhileANewSessionBeyondItIsClosed() throws Exception
        {
            start("--dop-max-sessions=1");
            final RawNode node = new RawNode("a");
            node.socket.abort();
            await("switchboard_dop_sessions{state=\"reconnecting\"}", 1);

            final RawSocket newcomer = raw("/dop?key=peerjs&id=b");
            final String serverToken = newcomer.next();
            newcomer.send(CLIENT_TOKEN);
            newcomer.expect(serverToken);
            newcomer.send(CLIENT_TOKEN);
            assertEquals(POLICY_VIOLATION, newcomer.closeCode(RawSocket.WAIT_MS));
            assertEquals(1, value("switchboard_dop_refused_total{reason=\"too_many_sessions\"}"));

            final RawSocket resumed = raw("/dop");
            resumed.send(node.finalToken);
            resumed.next();
            resumed.expect(node.finalToken);
            assertEquals(1, value(event("resumed")));
        }

        @Test
        void junkWhilePreconnectedIsIgnoredAndTheHandshakeCompletes() throws Exception
        {
            start();
            final RawSocket socket = raw("/dop?key=peerjs&id=a");
            final String serverToken = socket.next();
            socket.send(CLIENT_TOKEN);
            socket.expect(serverToken);
            socket.send("not the token");
            socket.sendBinary(new byte[]{0, (byte)0xff});
            socket.send(CLIENT_TOKEN);
            socket.expect(OPEN);
            assertEquals(2, value("switchboard_dop_frames_in_total{kind=\"ignored\"}"));
        }

        @Test
        void junkDataIsIgnoredByTheRealmAndTheSessionKeepsWorking()
        {
            start();
            final RawNode node = new RawNode("a");
            node.socket.send("not json");
            node.socket.send("[1,2,3]");
            node.socket.sendBinary(new byte[]{(byte)0xc3, 0x28});
            node.socket.send(offerTo("a", "fine"));
            node.socket.expect(offer("a", "a", "fine"));
        }

        @Test
        void socketThatNeverCompletesTheHandshakeIsClosedAndLeavesNothing() throws Exception
        {
            start("--dop-handshake-timeout-ms=100");
            final RawSocket silent = raw("/dop");
            silent.next();
            assertEquals(POLICY_VIOLATION, silent.closeCode(RawSocket.WAIT_MS));
            final RawSocket half = raw("/dop");
            half.send(CLIENT_TOKEN);
            half.next();
            assertEquals(POLICY_VIOLATION, half.closeCode(RawSocket.WAIT_MS));
            assertEquals(2, value("switchboard_dop_server_closes_total{cause=\"handshake_timeout\"}"));
            await("switchboard_dop_open_connections", 0);
            assertEquals(0, value("switchboard_dop_sessions{state=\"connected\"}"));
            assertEquals(0, value("switchboard_dop_sessions{state=\"reconnecting\"}"));
        }

        @Test
        void queueKeepsTheNewestWithinItsCapAndCountsTheRest() throws Exception
        {
            start("--dop-max-queued-messages=2");
            final RawNode node = new RawNode("a");
            final RawSocket peer = peerJs("p");
            node.socket.abort();
            await("switchboard_dop_sessions{state=\"reconnecting\"}", 1);
            for (int i = 0; i < 5; i++)
            {
                peer.send(offerTo("a", "m" + i));
            }
            await("switchboard_dop_queue_dropped_total{reason=\"over_cap\"}", 3);
            final RawSocket resumed = raw("/dop");
            resumed.send(node.finalToken);
            resumed.next();
            resumed.expect(node.finalToken);
            resumed.expect(offer("p", "a", "m3"));
            resumed.expect(offer("p", "a", "m4"));
        }
    }

    @Nested
    class JavaClient
    {
        @Test
        void exampleAConnectsAndIsAdmittedToTheRealm()
        {
            start();
            final DopClient client = client("a", 50).opened();
            assertEquals(32, client.connector.finalToken().length());
            client.connector.send(offerTo("a", "x"));
            client.expect("message:" + offer("a", "a", "x"));
        }

        @Test
        void exampleBDroppedSocketResumesTheSameSession() throws Exception
        {
            start();
            final DopClient client = client("a", 50).opened();
            final String finalToken = client.connector.finalToken();
            client.connector.dropSocket();
            client.expect("reconnecting");
            client.expect("reconnect");
            assertEquals(finalToken, client.connector.finalToken());
            assertEquals(1, value(event("resumed")));
        }

        @Test
        void exampleCSessionForgottenByTheServerBecomesANewOneWithTheQueueReplayed() throws Exception
        {
            start("--dop-retention-ms=50");
            final DopClient client = client("a", 400).opened();
            final String old = client.connector.finalToken();
            client.connector.dropSocket();
            client.expect("reconnecting");
            client.connector.send(offerTo("a", "queued"));
            assertEquals(old, client.expect("disconnect:"));
            client.expect("connect");
            client.expect("message:" + OPEN);
            client.expect("message:" + offer("a", "a", "queued"));
            final String renewed = client.connector.finalToken();
            assertNotEquals(old, renewed);
            assertTrue(renewed.startsWith(old.substring(0, 16)) || renewed.endsWith(old.substring(0, 16)), renewed);
            assertEquals(1, value(event("retention_expired")));
            assertEquals(0, value(event("resumed")));
        }

        @Test
        void exampleDDisconnectIsFormalAndFinal() throws Exception
        {
            start();
            final DopClient client = client("a", 50).opened();
            final String finalToken = client.connector.finalToken();
            client.connector.disconnect();
            assertEquals(finalToken, client.expect("disconnect:"));
            await(event("client_disconnected"), 1);
            peerJs("a");
            assertEquals(0, value(event("socket_lost")));
        }

        @Test
        void serverDisconnectStopsTheClient() throws Exception
        {
            start();
            final DopClient client = client("a", 50).opened();
            raw("/peerjs?key=peerjs&id=a&token=" + client.connector.finalToken()).expect(OPEN);
            assertEquals(client.connector.finalToken(), client.expect("disconnect:"));
            assertEquals(DopState.DISCONNECTED, client.connector.state());
        }
    }

    @Nested
    class SignalingAcrossReconnects
    {
        @Test
        void tenMessagesEachWayWithSocketsClosedMidStreamArriveOnceInOrder() throws Exception
        {
            start();
            try (TcpForwarder network = new TcpForwarder(port()))
            {
                final DopClient a = new DopClient(
                    URI.create("ws://127.0.0.1:" + network.port() + "/dop?key=peerjs&id=a"), 500);
                closeables.add(a);
                a.opened();
                final RawSocket b = peerJs("b");
                for (int i = 0; i < 10; i++)
                {
                    if (i == 4)
                    {
                        a.connector.dropSocket();
                        a.expect("reconnecting");
                    }
                    if (i == 7)
                    {
                        network.cut();
                        a.expect("reconnecting");
                    }
                    if (i == 4 || i == 7)
                    {
                        // Nothing may be in flight toward a socket the server has not yet seen die.
                        await("switchboard_dop_sessions{state=\"reconnecting\"}", 1);
                    }
                    a.connector.send(offerTo("b", "a" + i));
                    b.send(offerTo("a", "b" + i));
                    if (i == 4 || i == 7)
                    {
                        a.expect("reconnect");
                    }
                    a.expect("message:" + offer("b", "a", "b" + i));
                    b.expect(offer("a", "b", "a" + i));
                }
                b.expectSilence(100);
                assertEquals(2, value(event("resumed")));
            }
        }

        @Test
        void peerJsAndDopClientsExchangeOfferAndAnswerAlsoAcrossAResume() throws Exception
        {
            start();
            final DopClient dop = client("d", 500).opened();
            final RawSocket peerjs = peerJs("p");
            peerjs.send("{\"type\":\"OFFER\",\"dst\":\"d\",\"payload\":{\"sdp\":\"o1\"}}");
            dop.expect("message:{\"type\":\"OFFER\",\"src\":\"p\",\"dst\":\"d\",\"payload\":{\"sdp\":\"o1\"}}");
            dop.connector.send("{\"type\":\"ANSWER\",\"dst\":\"p\",\"payload\":{\"sdp\":\"a1\"}}");
            peerjs.expect("{\"type\":\"ANSWER\",\"src\":\"d\",\"dst\":\"p\",\"payload\":{\"sdp\":\"a1\"}}");

            dop.connector.dropSocket();
            dop.expect("reconnecting");
            await("switchboard_dop_sessions{state=\"reconnecting\"}", 1);
            peerjs.send("{\"type\":\"OFFER\",\"dst\":\"d\",\"payload\":{\"sdp\":\"o2\"}}");
            dop.expect("reconnect");
            dop.expect("message:{\"type\":\"OFFER\",\"src\":\"p\",\"dst\":\"d\",\"payload\":{\"sdp\":\"o2\"}}");
            dop.connector.send("{\"type\":\"ANSWER\",\"dst\":\"p\",\"payload\":{\"sdp\":\"a2\"}}");
            peerjs.expect("{\"type\":\"ANSWER\",\"src\":\"d\",\"dst\":\"p\",\"payload\":{\"sdp\":\"a2\"}}");
            assertEquals(0, value("switchboard_peerjs_expire_sent_total"));
        }
    }
}
