package io.switchboard.edge.websocket;

import io.switchboard.edge.http.DescriptorLimit;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.http.HttpEdgeContext;
import io.switchboard.edge.http.ListenerAdmission;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.protocol.websocket.WebSocketFrameHeader;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handshake on one agent's HTTP connection becomes a WebSocket owned by that agent or by another: the frame the
 * client sent with its upgrade request is the WebSocket's first message, later frames reach the owner only, and the
 * socket's place in the listener's counts is kept until the WebSocket closes.
 */
class WebSocketUpgradeTest
{
    private static final long DELIVERY_MS = 50;
    private static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private final NanoClock clock = () -> 1_000_000_000L;
    private final Liveness liveness = new Liveness(new Metrics());
    private final SignalingAgent handshaking = new SignalingAgent("handshaking", liveness.register("a"), clock);
    private final SignalingAgent other = new SignalingAgent("other", liveness.register("b"), clock);
    private final List<String> messages = new ArrayList<>();
    private final boolean[] closed = new boolean[1];
    private final Metrics metrics = new Metrics();
    private ListenerAdmission admission;
    private ServerSocketChannel listener;
    private Socket client;
    private SignalingAgent owner;

    @BeforeEach
    void open() throws Exception
    {
        final HttpEdgeContext context = new HttpEdgeContext().descriptorLimit(new DescriptorLimit(10_000, 10_000))
            .conclude();
        admission = new HttpEdge(context, metrics).admission("test");
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        handshaking.onStart();
        other.onStart();
    }

    @AfterEach
    void close() throws IOException
    {
        handshaking.onClose();
        other.onClose();
        client.close();
        listener.close();
    }

    @ParameterizedTest(name = "owned by the {0} agent")
    @ValueSource(strings = {"handshaking", "other"})
    void theUpgradedSocketIsTheOwnersWithItsReadAheadFirst(final String ownerName) throws Exception
    {
        owner = ownerName.equals("handshaking") ? handshaking : other;
        client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        client.setSoTimeout(5_000);
        final SocketChannel accepted = listener.accept();
        accepted.configureBlocking(false);
        final ListenerAdmission.Lease lease = admission.admit(InetAddress.getLoopbackAddress());
        handshaking.enqueue(SignalingAgent.Command.ADOPT,
            new HttpConnection(accepted, lease, HttpConnection.Listener.of(this::upgrade, admission), handshaking));
        handshaking.doWork();

        final ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(UPGRADE.getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(
            AgentSockets.maskedFrame(WebSocketFrameHeader.OP_TEXT, "early".getBytes(StandardCharsets.UTF_8)));
        client.getOutputStream().write(request.toByteArray());
        Thread.sleep(DELIVERY_MS);
        cycles();
        final String head = readHead();
        assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nDate: "), head);
        assertEquals(List.of("early"), messages, "the frame sent with the upgrade request");

        client.getOutputStream().write(
            AgentSockets.maskedFrame(WebSocketFrameHeader.OP_TEXT, "later".getBytes(StandardCharsets.UTF_8)));
        Thread.sleep(DELIVERY_MS);
        final SignalingAgent notOwner = owner == handshaking ? other : handshaking;
        notOwner.doWork();
        notOwner.doWork();
        assertEquals(List.of("early"), messages, "only the owner reads the socket");
        owner.doWork();
        assertEquals(List.of("early", "later"), messages);
        assertEquals(1, openConnections(), "the WebSocket keeps its place in the counts");

        client.close();
        Thread.sleep(DELIVERY_MS);
        owner.doWork();
        assertTrue(closed[0], "the WebSocket closed");
        assertEquals(0, openConnections(), "its place is given back");
    }

    private void upgrade(final HttpExchange exchange)
    {
        final WebSocketUpgrade upgrade = WebSocketHandshake.accept(exchange);
        final WebSocketConnection.Settings settings = new WebSocketConnection.Settings(64 * 1024,
            new PartialBudget(PartialBudget.DEFAULT_PER_SOCKET_BYTES, PartialBudget.DEFAULT_TOTAL_BYTES, metrics),
            metrics.counter("test_too_large", "", "test"), metrics.counter("test_protocol_error", "", "test"));
        upgrade.connect(new WebSocketConnection.Handler()
        {
            @Override
            public void onMessage(final byte[] bytes, final int length)
            {
                messages.add(new String(bytes, 0, length, StandardCharsets.UTF_8));
            }

            @Override
            public void onClosed()
            {
                closed[0] = true;
            }
        }, settings, owner).start();
    }

    /** Duty cycles of both agents, the handshaking one first, until neither has work. */
    private void cycles() throws Exception
    {
        for (int i = 0; i < 4; i++)
        {
            handshaking.doWork();
            other.doWork();
        }
    }

    private String readHead() throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n"))
        {
            head.write(client.getInputStream().read());
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private long openConnections()
    {
        return metrics.reader().getCounterValue(findOpenGauge());
    }

    private int findOpenGauge()
    {
        final int[] id = {-1};
        metrics.reader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (label.startsWith("switchboard_http_connections_open"))
            {
                id[0] = counterId;
            }
        });
        return id[0];
    }
}
