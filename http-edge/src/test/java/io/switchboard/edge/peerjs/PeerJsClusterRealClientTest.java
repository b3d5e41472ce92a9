package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.ClusterNodes;
import io.switchboard.edge.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unmodified peerjs@1.5.5 client in Node against a cluster of three real appliances (issue 16): two peers on
 * different nodes open DataConnections through signaling that crosses the nodes; an id held on one node is taken on
 * another; the node holding one peer is killed, the peer reconnects through the "load balancer" (a forwarder now
 * pointing at a survivor) with its id and token, and a new DataConnection opens across the nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerJsClusterRealClientTest
{
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    private static final long ALIVE_TIMEOUT_MS = 2_000;
    /** The client's HEARTBEAT interval (5 s by default) must be below the server's alive timeout. */
    private static final String PING = "--ping-ms=500";

    /** Static: an instance field is injected after a PER_CLASS @BeforeAll has run. */
    @TempDir
    static Path dir;

    private ClusterNodes cluster;

    @BeforeAll
    void start() throws Exception
    {
        NodeClient.install();
        cluster = ClusterNodes.start(dir, 3, ALIVE_TIMEOUT_MS);
    }

    @AfterAll
    void stop() throws Exception
    {
        cluster.close();
    }

    @Test
    void peersOnTwoNodesExchangeAndOneWhoseNodeDiedIsReachableAgainFromAnother() throws Exception
    {
        try (TcpForwarder balancer = new TcpForwarder(cluster.port(2, "peerjs"));
            NodeClient node = NodeClient.run("cluster-exchange", cluster.port(0, "peerjs"),
                "--port-b=" + balancer.port(), "--timeout-s=90", PING))
        {
            final String[] ids = node.next(30).split(" ");
            assertEquals("ids", ids[0]);
            assertTrue(ids[1].matches(UUID) && ids[2].matches(UUID), String.join(" ", ids));
            assertEquals("echo json {\"hello\":\"world\",\"n\":42,\"serialization\":\"json\"}", node.next(20));
            assertEquals("echo binary {\"hello\":\"world\",\"n\":42,\"serialization\":\"binary\"}", node.next(20));
            assertEquals("exchanged", node.next(10));

            balancer.target(cluster.port(1, "peerjs"));
            cluster.kill(2);
            assertEquals("disconnected", node.next(10));
            node.tell("moved");
            assertEquals("reopen " + ids[2], node.next(ALIVE_TIMEOUT_MS / 1000 + 20));
            assertEquals("again json {\"hello\":\"world\",\"n\":42,\"serialization\":\"json\"}", node.next(20));
            assertEquals("again binary {\"hello\":\"world\",\"n\":42,\"serialization\":\"binary\"}", node.next(20));
            node.finish();
        }
        finally
        {
            if (cluster.node(2) == null)
            {
                cluster.restart(2);
            }
        }
    }

    @Test
    void anIdHeldOnOneNodeIsTakenOnAnother() throws Exception
    {
        try (NodeClient node = NodeClient.run("cluster-taken", cluster.port(0, "peerjs"),
            "--port-b=" + cluster.port(1, "peerjs"), PING))
        {
            final String id = node.next(30).substring("open ".length());
            assertEquals("error unavailable-id ID \"" + id + "\" is taken", node.next(15));
            node.finish();
        }
    }
}
