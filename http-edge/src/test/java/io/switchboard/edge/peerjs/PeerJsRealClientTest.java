package io.switchboard.edge.peerjs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The unmodified peerjs@1.5.5 client in Node 20 (WebRTC from node-datachannel) against the appliance, as
 * peerjs.md section 5 describes: ids, a DataConnection with json and binary serialization, the error types the
 * client reports for a taken id, a wrong key and an unknown peer, and reconnect() after a server restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerJsRealClientTest
{
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @TempDir
    static Path dataDir;

    private PeerJsAppliance appliance;

    @BeforeAll
    void start() throws Exception
    {
        NodeClient.install();
        appliance = PeerJsAppliance.start(dataDir.resolve("shared"), "--peerjs-path=/signal", "--peerjs-key=e2e-key");
    }

    @AfterAll
    void stop()
    {
        appliance.close();
    }

    private NodeClient client(final String scenario) throws Exception
    {
        return NodeClient.run(scenario, appliance.port(), "--path=/signal", "--key=e2e-key");
    }

    @Test
    void twoPeersGetIdsAndExchangeJsonAndBinaryMessages() throws Exception
    {
        try (NodeClient node = client("exchange"))
        {
            final String[] ids = node.next(20).split(" ");
            assertEquals("ids", ids[0]);
            assertTrue(ids[1].matches(UUID) && ids[2].matches(UUID), String.join(" ", ids));
            assertEquals("echo json {\"hello\":\"world\",\"n\":42,\"serialization\":\"json\"}", node.next(15));
            assertEquals("echo binary {\"hello\":\"world\",\"n\":42,\"serialization\":\"binary\"}", node.next(15));
            node.finish();
        }
    }

    @Test
    void aTakenIdGivesUnavailableId() throws Exception
    {
        try (NodeClient node = client("taken-id"))
        {
            final String id = node.next(20).substring("open ".length());
            assertEquals("error unavailable-id ID \"" + id + "\" is taken", node.next(15));
            node.finish();
        }
    }

    @Test
    void aWrongKeyGivesServerError() throws Exception
    {
        try (NodeClient node = client("wrong-key"))
        {
            assertEquals("error server-error Invalid key provided", node.next(20));
            node.finish();
        }
    }

    @Test
    void connectingToAnUnknownIdGivesPeerUnavailableWithinFiveToSevenSeconds() throws Exception
    {
        try (NodeClient node = client("unknown-peer"))
        {
            assertTrue(node.next(20).startsWith("open "));
            final String[] error = node.next(15).split(" ", 4);
            assertEquals("peer-unavailable", error[1]);
            final long elapsedMs = Long.parseLong(error[2]);
            assertTrue(elapsedMs >= 4_900 && elapsedMs <= 7_500, "EXPIRE after " + elapsedMs + " ms");
            assertEquals("Could not connect to peer nobody-is-here", error[3]);
            node.finish();
        }
    }

    @Test
    void reconnectAfterAServerRestartOpensWithTheSameId() throws Exception
    {
        final Path restartDir = Files.createDirectories(dataDir.resolve("restart"));
        PeerJsAppliance first = PeerJsAppliance.start(restartDir);
        final int port = first.port();
        try (NodeClient node = NodeClient.run("reconnect", port))
        {
            final String opened = node.next(20);
            assertTrue(opened.matches("open " + UUID), opened);
            first.close();
            first = null;
            assertEquals("error network Lost connection to server.", node.next(15));
            assertEquals("disconnected", node.next(15));
            try (PeerJsAppliance second = PeerJsAppliance.start(restartDir, "--peerjs-port=" + port))
            {
                node.tell("restarted");
                assertEquals("re" + opened, node.next(15));
                node.finish();
            }
        }
        finally
        {
            if (first != null)
            {
                first.close();
            }
        }
    }
}
