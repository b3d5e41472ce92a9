package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.RawSocket;
import io.switchboard.edge.testing.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The WebSocket API of peerjs.md section 3 and issue 5's improvements, over raw JDK WebSockets. */
class PeerJsWebSocketTest
{
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final int NORMAL_CLOSURE = 1000;

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

    private PeerJsAppliance start(final String... options)
    {
        appliance = PeerJsAppliance.start(dataDir, options);
        return appliance;
    }

    /** A round trip to itself: every frame the socket sent before has been handled by the server. */
    private static void processed(final RawSocket socket, final String ownId)
    {
        socket.send("{\"type\":\"OFFER\",\"dst\":\"" + ownId + "\",\"payload\":\"sync\"}");
        socket.expect("{\"type\":\"OFFER\",\"src\":\"" + ownId + "\",\"dst\":\"" + ownId + "\",\"payload\":\"sync\"}");
    }

    private void expectRefusal(final String query, final String frame)
    {
        final RawSocket socket = appliance.socket(query);
        socket.expect(frame);
        assertEquals(NORMAL_CLOSURE, socket.closeCode(RawSocket.WAIT_MS));
    }

    @Nested
    class Admission
    {
        @ParameterizedTest
        @ValueSource(strings = {"id=a&token=t", "key=peerjs&token=t", "key=peerjs&id=a", "key=peerjs&id=&token=t",
            "key=&id=a&token=t", "key=peerjs&id=a&token="})
        void missingOrEmptyParameterIsAnErrorThenClose(final String query)
        {
            start();
            expectRefusal(query,
                "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"No id, token, or key supplied to websocket server\"}}");
        }

        @Test
        void wrongKeyIsCheckedBeforeTheId()
        {
            start();
            appliance.client("taken", "t1");
            expectRefusal("key=other&id=taken&token=t2",
                "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}");
        }

        @Test
        void registeredIdWithAnotherTokenIsTaken()
        {
            start();
            appliance.client("taken", "t1");
            expectRefusal("key=peerjs&id=taken&token=t2", "{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
        }

        @Test
        void concurrentLimitCountsRegisteredIds() throws Exception
        {
            start("--peerjs-concurrent-limit=1");
            appliance.client("first", "t");
            expectRefusal("key=peerjs&id=second&token=t",
                "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Server has reached its concurrent user limit\"}}");
            assertEquals(1, Scrape.value(appliance.adminPort(),
                "switchboard_peerjs_admissions_total{result=\"concurrent_limit\"}"));
        }

        @Test
        void idsPerHostAreCappedOverEveryAgentAndAFreedIdMakesRoom() throws Exception
        {
            start("--peerjs-max-ids-per-host=2", "--peerjs-io-threads=2");
            final RawSocket first = appliance.client("first", "t");
            appliance.client("second", "t");
            appliance.client("second", "t"); // a takeover is the same id: it takes no more room
            expectRefusal("key=peerjs&id=third&token=t",
                "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Too many ids are registered from your address\"}}");
            assertEquals(1, Scrape.value(appliance.adminPort(),
                "switchboard_peerjs_admissions_total{result=\"host_limit\"}"));
            first.send("{\"type\":\"LEAVE\"}");
            first.roundTrip();
            appliance.client("third", "t");
        }

        @Test
        void queryIsDecodedAndTheLastDuplicateWins()
        {
            start();
            final RawSocket sender = appliance.client("sender", "t");
            final RawSocket decoded = appliance.socket("key=peerjs&id=first&id=h%C3%A9llo+w%26rld&token=t");
            decoded.expect(OPEN);
            sender.send("{\"type\":\"OFFER\",\"dst\":\"héllo w&rld\",\"payload\":1}");
            decoded.expect("{\"type\":\"OFFER\",\"src\":\"sender\",\"dst\":\"héllo w&rld\",\"payload\":1}");
        }

        @Test
        void closingFreesTheIdAtOnceAndTellsNobody() throws Exception
        {
            start();
            final RawSocket watcher = appliance.client("watcher", "t");
            final RawSocket leaving = appliance.client("leaving", "t1");
            leaving.close();
            Scrape.awaitValue(appliance.adminPort(), "switchboard_peerjs_clients", 1);
            appliance.client("leaving", "another-token");
            watcher.expectSilence(200);
        }
    }

    @Nested
    class Relay
    {
        @Test
        void envelopeIsRebuiltWithTheServersSrc()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            final RawSocket b = appliance.client("B", "t");
            a.send("{\"type\":\"OFFER\",\"dst\":\"B\",\"src\":\"FORGED\",\"extra\":1,\"payload\":{\"sdp\":{\"type\":\"offer\"}}}");
            b.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":{\"sdp\":{\"type\":\"offer\"}}}");
            a.send("{\"payload\":[1,\"x\",null],\"dst\":\"B\",\"type\":\"ANSWER\"}");
            b.expect("{\"type\":\"ANSWER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":[1,\"x\",null]}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"B\"}");
            b.expect("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"B\"}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"B\",\"payload\":\"text \\\"quoted\\\"\"}");
            b.expect("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"B\",\"payload\":\"text \\\"quoted\\\"\"}");
            a.send("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":-1.5e3}");
            b.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":-1.5e3}");
        }

        @Test
        void sendingToYourselfWorksAndBinaryFramesAreJsonToo()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            a.sendBinary("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":true}".getBytes(StandardCharsets.UTF_8));
            a.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"A\",\"payload\":true}");
        }

        @Test
        void largeMessagesArriveWhole()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            final String payload = "\"" + "0123456789".repeat(100_000) + "\"";
            a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":" + payload + "}");
            a.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"A\",\"payload\":" + payload + "}");
        }

        @Test
        void idsAreEscapedAsJson()
        {
            start();
            final RawSocket a = appliance.client("q%22uote%5C", "t");
            a.send("{\"type\":\"OFFER\",\"dst\":\"q\\\"uote\\\\\"}");
            a.expect("{\"type\":\"OFFER\",\"src\":\"q\\\"uote\\\\\",\"dst\":\"q\\\"uote\\\\\"}");
        }

        @Test
        void framesFromOneSocketArriveInOrder()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            final RawSocket b = appliance.client("B", "t");
            for (int i = 0; i < 500; i++)
            {
                a.send("{\"type\":\"CANDIDATE\",\"dst\":\"B\",\"payload\":" + i + "}");
            }
            for (int i = 0; i < 500; i++)
            {
                b.expect("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"B\",\"payload\":" + i + "}");
            }
        }

        @Test
        void heartbeatAndUnknownTypesAreNotRelayed()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            final RawSocket b = appliance.client("B", "t");
            a.send("{\"type\":\"HEARTBEAT\",\"dst\":\"B\"}");
            a.send("{\"type\":\"OPEN\",\"dst\":\"B\"}");
            a.send("{\"type\":\"ERROR\",\"dst\":\"B\"}");
            a.send("{\"type\":\"WHATEVER\",\"dst\":\"B\"}");
            a.send("{\"dst\":\"B\"}");
            a.send("{\"type\":\"OFFER\"}");
            a.send("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"last\"}");
            b.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":\"last\"}");
            b.expectSilence(200);
        }
    }

    @Nested
    class OfflineQueue
    {
        @Test
        void queuedMessagesFollowOpenInOrderBeforeLiveOnes()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            for (int i = 0; i < 20; i++)
            {
                a.send("{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":" + i + "}");
            }
            final RawSocket c = appliance.socket("key=peerjs&id=C&token=t");
            a.send("{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":\"live\"}");
            c.expect(OPEN);
            for (int i = 0; i < 20; i++)
            {
                c.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":" + i + "}");
            }
            c.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":\"live\"}");
        }

        @Test
        void leaveAndExpireAreNeverQueued()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            a.send("{\"type\":\"LEAVE\",\"dst\":\"C\"}");
            a.send("{\"type\":\"EXPIRE\",\"dst\":\"C\"}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"C\",\"payload\":1}");
            processed(a, "A");
            final RawSocket c = appliance.client("C", "t");
            c.expect("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"C\",\"payload\":1}");
            c.expectSilence(200);
        }

        @Test
        void wholeQueueExpiresWithOneExpirePerSender()
        {
            start("--peerjs-expire-timeout-ms=1000");
            final RawSocket a = appliance.client("A", "t");
            final RawSocket b = appliance.client("B", "t");
            a.send("{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":1}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"C\",\"payload\":2}");
            b.send("{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":3}");
            a.expect("{\"type\":\"EXPIRE\",\"src\":\"C\",\"dst\":\"A\"}");
            b.expect("{\"type\":\"EXPIRE\",\"src\":\"C\",\"dst\":\"B\"}");
            a.expectSilence(300);
            final RawSocket c = appliance.client("C", "t");
            c.expectSilence(200);
        }

        @Test
        void queuesAreBoundedAndCounted() throws Exception
        {
            start("--peerjs-max-queued-per-id=2");
            final RawSocket a = appliance.client("A", "t");
            for (int i = 0; i < 5; i++)
            {
                a.send("{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":" + i + "}");
            }
            a.send("{\"type\":\"OFFER\",\"dst\":\"A\"}");
            a.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"A\"}");
            assertEquals(3, Scrape.value(appliance.adminPort(),
                "switchboard_peerjs_relays_total{result=\"dropped_queue_full\"}"));
            final RawSocket c = appliance.client("C", "t");
            c.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":0}");
            c.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":1}");
            c.expectSilence(200);
        }
    }

    @Nested
    class Leave
    {
        @Test
        void leaveWithoutDstFreesTheSendersId()
        {
            start();
            final RawSocket a = appliance.client("A", "t1");
            a.send("{\"type\":\"LEAVE\"}");
            a.send("{\"type\":\"LEAVE\",\"dst\":null}");
            a.roundTrip(); // the LEAVEs are handled on the socket's thread; the next socket's admission on another
            final RawSocket again = appliance.socket("key=peerjs&id=A&token=t2");
            again.expect(OPEN);
            assertFalse(a.isClosed());
        }

        @Test
        void leaveToAnOnlinePeerIsRelayed()
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            final RawSocket b = appliance.client("B", "t");
            a.send("{\"type\":\"LEAVE\",\"dst\":\"B\"}");
            b.expect("{\"type\":\"LEAVE\",\"src\":\"A\",\"dst\":\"B\"}");
        }
    }

    @Nested
    class Liveness
    {
        @Test
        void socketWithoutHeartbeatIsClosedAfterTheAliveTimeout() throws Exception
        {
            start("--peerjs-alive-timeout-ms=1000");
            final RawSocket quiet = appliance.client("quiet", "t");
            final RawSocket busy = appliance.client("busy", "t");
            final RawSocket beating = appliance.client("beating", "t");
            for (int i = 0; i < 8; i++)
            {
                beating.send("{\"type\":\"HEARTBEAT\"}");
                busy.sendIfOpen("{\"type\":\"OFFER\",\"dst\":\"busy\"}");
                Thread.sleep(250);
            }
            assertEquals(NORMAL_CLOSURE, quiet.closeCode(RawSocket.WAIT_MS));
            assertEquals(NORMAL_CLOSURE, busy.closeCode(RawSocket.WAIT_MS));
            assertFalse(beating.isClosed());
            assertEquals(2, Scrape.awaitValue(appliance.adminPort(),
                "switchboard_peerjs_server_closes_total{cause=\"alive_timeout\"}", 2));
            appliance.client("quiet", "new-token");
        }
    }

    @Nested
    class BetterThanTheReference
    {
        @ParameterizedTest
        @ValueSource(strings = {"not json", "null", "42", "\"str\"", "[1,2]", "{\"type\":\"OFFER\",", "{} trailing",
            "{\"type\":\"OFFER\",\"dst\":\"B\"}{}"})
        void invalidFramesAreIgnoredAndTheConnectionKeepsWorking(final String frame) throws Exception
        {
            start();
            final RawSocket a = appliance.client("A", "t");
            final RawSocket b = appliance.client("B", "t");
            a.send(frame);
            a.send("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"after\"}");
            b.expect("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":\"after\"}");
            assertFalse(a.isClosed());
            assertTrue(Scrape.value(appliance.adminPort(), "switchboard_peerjs_frames_in_total{type=\"invalid\"}") +
                Scrape.value(appliance.adminPort(), "switchboard_peerjs_frames_in_total{type=\"ignored\"}") >= 1);
        }

        @Test
        void frameOverTheLimitGetsClose1009() throws Exception
        {
            start("--peerjs-max-frame-bytes=1024");
            final RawSocket a = appliance.client("A", "t");
            a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":\"" + "x".repeat(980) + "\"}");
            assertTrue(a.next().endsWith("\"payload\":\"" + "x".repeat(980) + "\"}"));
            a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":\"" + "x".repeat(2000) + "\"}");
            assertEquals(1009, a.closeCode(RawSocket.WAIT_MS));
            assertEquals(1, Scrape.value(appliance.adminPort(),
                "switchboard_peerjs_server_closes_total{cause=\"frame_too_large\"}"));
        }

        @Test
        void reconnectWithTheSameTokenTakesOverClosesTheOldSocketAndGetsOpen()
        {
            start();
            final RawSocket b = appliance.client("B", "t");
            final RawSocket old = appliance.client("A", "secret");
            final RawSocket taken = appliance.socket("key=peerjs&id=A&token=secret");
            taken.expect(OPEN);
            assertEquals(NORMAL_CLOSURE, old.closeCode(RawSocket.WAIT_MS));
            b.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":1}");
            taken.expect("{\"type\":\"OFFER\",\"src\":\"B\",\"dst\":\"A\",\"payload\":1}");
            taken.send("{\"type\":\"ANSWER\",\"dst\":\"B\",\"payload\":2}");
            b.expect("{\"type\":\"ANSWER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":2}");
            appliance.socket("key=peerjs&id=A&token=other")
                .expect("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
        }

        @Test
        void connectionsBeyondTheLimitAreRefusedBeforeTheUpgrade() throws Exception
        {
            start("--peerjs-max-connections=2");
            appliance.client("A", "t");
            appliance.client("B", "t");
            final java.util.concurrent.CompletionException failure = assertThrows(
                java.util.concurrent.CompletionException.class, () -> appliance.socket("key=peerjs&id=C&token=t"));
            assertEquals(503, assertInstanceOf(java.net.http.WebSocketHandshakeException.class, failure.getCause())
                .getResponse().statusCode());
        }
    }
}
