package io.switchboard.edge.websocket;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.protocol.websocket.Masking;
import io.switchboard.protocol.websocket.WebSocketFrameHeader;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real loopback sockets for agent tests: the server end becomes a {@link WebSocketConnection} of an agent (its
 * handshake taken as done), the client end is a plain blocking socket that writes masked frames and reads raw bytes.
 * Public for the agent tests of the protocols whose sockets the agents own (dop).
 */
public final class AgentSockets implements AutoCloseable
{
    private final ServerSocketChannel listener;
    private final WebSocketConnection.Settings settings;

    public AgentSockets() throws IOException
    {
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final Metrics metrics = new Metrics();
        settings = new WebSocketConnection.Settings(64 * 1024,
            new PartialBudget(PartialBudget.DEFAULT_PER_SOCKET_BYTES, PartialBudget.DEFAULT_TOTAL_BYTES, metrics),
            metrics.counter("test_too_large", "", "test"), metrics.counter("test_protocol_error", "", "test"));
    }

    /** A connected pair: {@code client} is the peer of {@code server}, which is not started yet. */
    public record Pair(Socket client, WebSocketConnection server)
    {
        /** The client sends one masked text frame. */
        public void sendText(final String text) throws IOException
        {
            client.getOutputStream().write(maskedFrame(WebSocketFrameHeader.OP_TEXT, text.getBytes(StandardCharsets.UTF_8)));
        }

        /** The client sends a masked close frame with {@code code}. */
        public void sendClose(final int code) throws IOException
        {
            client.getOutputStream().write(maskedFrame(WebSocketFrameHeader.OP_CLOSE, new byte[]{(byte)(code >>> 8), (byte)code}));
        }

        /** Reads {@code length} bytes the server sent (blocking, with the socket's timeout). */
        public byte[] read(final int length) throws IOException
        {
            final InputStream in = client.getInputStream();
            return in.readNBytes(length);
        }

        /** The next frame the server sent, which must be a final, unmasked text frame: its text. */
        public String readText() throws IOException
        {
            return new String(readFrame(WebSocketFrameHeader.OP_TEXT), StandardCharsets.UTF_8);
        }

        /** The next frame the server sent, which must be a close frame: its code. */
        public int readCloseCode() throws IOException
        {
            final byte[] payload = readFrame(WebSocketFrameHeader.OP_CLOSE);
            return (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        }

        private byte[] readFrame(final int opcode) throws IOException
        {
            final InputStream in = client.getInputStream();
            final byte[] head = new byte[WebSocketFrameHeader.MAX_HEADER_BYTES];
            final WebSocketFrameHeader header = new WebSocketFrameHeader();
            int available = in.readNBytes(head, 0, 2);
            while (header.wrap(ByteBuffer.wrap(head), 0, available) == 0)
            {
                assertTrue(available < header.bytesNeeded(), "a frame header from the server");
                available += in.readNBytes(head, available, header.bytesNeeded() - available);
            }
            assertTrue(header.fin(), "final frame");
            assertEquals(opcode, header.opcode(), "frame type");
            assertFalse(header.masked(), "server frames are not masked");
            return in.readNBytes((int)header.payloadLength());
        }

        /** Whether the server has cut the TCP connection: the client reads end of stream. */
        public boolean cutByServer() throws IOException
        {
            return client.getInputStream().read() < 0;
        }
    }

    public Pair open(final SignalingAgent agent, final WebSocketConnection.Handler handler) throws IOException
    {
        final Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        client.setSoTimeout(5_000);
        final SocketChannel accepted = listener.accept();
        accepted.configureBlocking(false);
        return new Pair(client, new WebSocketConnection(accepted, null, handler, settings, agent));
    }

    static byte[] maskedFrame(final int opcode, final byte[] payload)
    {
        final int mask = 0x1234_5678;
        final ByteBuffer frame = ByteBuffer.allocate(WebSocketFrameHeader.length(payload.length, true) + payload.length);
        WebSocketFrameHeader.putMasked(frame, opcode, payload.length, mask);
        Masking.putMasked(frame, payload, 0, payload.length, mask);
        return frame.array();
    }

    @Override
    public void close() throws IOException
    {
        listener.close();
    }
}
