package io.switchboard.tools.ws;

import io.switchboard.protocol.websocket.Masking;
import io.switchboard.protocol.websocket.WebSocketFrameHeader;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal WebSocket client for load: one selector thread owns many connections, speaks the RFC 6455 handshake and
 * masked text frames, and hands each text message to a {@link Handler}; with an {@link SSLContext}, wss (one client
 * SSLEngine per connection, its handshake before the upgrade request). No extensions, no fragmentation on send; the
 * small per-connection footprint lets a few processes hold tens of thousands of sockets.
 */
final class WsLoop implements AutoCloseable
{
    /** What the load does with a connection's events; called on the loop's thread. */
    interface Handler
    {
        void onOpen(Connection connection);

        /**
         * One text message: {@code length} bytes at {@code offset} of {@code buffer} (absolute; the loop's read
         * buffer, valid during the call).
         */
        void onText(Connection connection, ByteBuffer buffer, int offset, int length, long nowNanos);

        void onClosed(Connection connection);

        /** Called about every {@code tickNanos}, for timers such as heartbeats. */
        void onTick(long nowNanos);
    }

    private static final int READ_BYTES = 64 * 1024;

    /** One client WebSocket. */
    static final class Connection
    {
        final int index;
        final String pathAndQuery;
        /** Where this connection goes; null: the loop's target. */
        final InetSocketAddress target;
        private SocketChannel channel;
        private SelectionKey key;
        private boolean upgraded;
        private ByteBuffer pending;
        private ByteBuffer partial;
        private boolean closed;
        /** wss: the connection's TLS engine, and network bytes of a record not complete yet; else null. */
        private SSLEngine engine;
        private ByteBuffer netPartial;
        private boolean upgradeSent;

        Connection(final int index, final String pathAndQuery)
        {
            this(index, pathAndQuery, null);
        }

        Connection(final int index, final String pathAndQuery, final InetSocketAddress target)
        {
            this.index = index;
            this.pathAndQuery = pathAndQuery;
            this.target = target;
        }

        boolean isOpen()
        {
            return upgraded && !closed;
        }
    }

    private final Selector selector;
    private final InetSocketAddress target;
    private final Handler handler;
    private final long tickNanos;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BYTES);
    /** Each frame is masked into this and written from it: no copy of a heap buffer by the JDK per write. */
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(READ_BYTES);
    private final WebSocketFrameHeader frameHeader = new WebSocketFrameHeader();
    /** wss: the context engines come from, and the loop's network buffers; null for ws. */
    private final SSLContext tls;
    private final ByteBuffer netIn;
    private final ByteBuffer netOut;
    private final ArrayDeque<Connection> toConnect = new ArrayDeque<>();
    private final List<Connection> connections = new ArrayList<>();
    private int connecting;
    private final int maxConnecting;

    WsLoop(final InetSocketAddress target, final Handler handler, final long tickNanos, final int maxConnecting)
        throws IOException
    {
        this(target, handler, tickNanos, maxConnecting, null);
    }

    /** With {@code tls} (null for ws), every connection is wss. */
    WsLoop(
        final InetSocketAddress target, final Handler handler, final long tickNanos, final int maxConnecting,
        final SSLContext tls) throws IOException
    {
        this.tls = tls;
        this.netIn = tls == null ? null : ByteBuffer.allocateDirect(READ_BYTES + 32 * 1024);
        this.netOut = tls == null ? null : ByteBuffer.allocateDirect(READ_BYTES + 32 * 1024);
        this.selector = Selector.open();
        this.target = target;
        this.handler = handler;
        this.tickNanos = tickNanos;
        this.maxConnecting = maxConnecting;
    }

    /** Queues a connection; at most {@code maxConnecting} handshakes run at once. */
    void add(final Connection connection)
    {
        connections.add(connection);
        toConnect.add(connection);
    }

    List<Connection> connections()
    {
        return connections;
    }

    /** Cuts {@code connection}'s TCP connection at once (no close frame), as a client that lost its network does. */
    void cut(final Connection connection)
    {
        closed(connection);
    }

    /** Runs the loop until {@code deadlineNanos} ({@link System#nanoTime()}). */
    void runUntil(final long deadlineNanos) throws IOException
    {
        long nextTick = System.nanoTime();
        while (true)
        {
            startConnects();
            final long now = System.nanoTime();
            if (now >= deadlineNanos)
            {
                return;
            }
            if (now >= nextTick)
            {
                handler.onTick(now);
                nextTick = now + tickNanos;
            }
            selector.select(Math.max(1, Math.min(deadlineNanos, nextTick) - now) / 1_000_000 + 1);
            for (final SelectionKey ready : selector.selectedKeys())
            {
                handle((Connection)ready.attachment(), ready);
            }
            selector.selectedKeys().clear();
        }
    }

    private void startConnects() throws IOException
    {
        while (connecting < maxConnecting && !toConnect.isEmpty())
        {
            final Connection connection = toConnect.poll();
            final SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            connection.channel = channel;
            connecting++;
            if (channel.connect(targetOf(connection)))
            {
                connection.key = channel.register(selector, 0, connection);
                sendHandshake(connection);
            }
            else
            {
                connection.key = channel.register(selector, SelectionKey.OP_CONNECT, connection);
            }
        }
    }

    private InetSocketAddress targetOf(final Connection connection)
    {
        return connection.target == null ? target : connection.target;
    }

    private void handle(final Connection connection, final SelectionKey ready)
    {
        try
        {
            if (ready.isValid() && ready.isConnectable())
            {
                connection.channel.finishConnect();
                ready.interestOps(0);
                sendHandshake(connection);
            }
            if (ready.isValid() && ready.isWritable())
            {
                flush(connection);
            }
            if (ready.isValid() && ready.isReadable())
            {
                read(connection);
            }
        }
        catch (final IOException ex)
        {
            closed(connection);
        }
    }

    private void sendHandshake(final Connection connection) throws IOException
    {
        if (tls != null && connection.engine == null)
        {
            final InetSocketAddress target = targetOf(connection);
            connection.engine = tls.createSSLEngine(target.getHostString(), target.getPort());
            connection.engine.setUseClientMode(true);
            connection.engine.beginHandshake();
            connection.key.interestOps(connection.key.interestOps() | SelectionKey.OP_READ);
            drive(connection, connection.engine.getHandshakeStatus());
            return; // the upgrade request follows the TLS handshake
        }
        connection.upgradeSent = true;
        final InetSocketAddress target = targetOf(connection);
        final byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        final String request = "GET " + connection.pathAndQuery + " HTTP/1.1\r\n" +
            "Host: " + target.getHostString() + ":" + target.getPort() + "\r\n" +
            "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n" +
            "Sec-WebSocket-Version: 13\r\n\r\n";
        write(connection, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        connection.key.interestOps(connection.key.interestOps() | SelectionKey.OP_READ);
    }

    /** Sends one masked text frame, {@code payload[0, length)}; frames queue behind any unsent bytes. */
    void sendText(final Connection connection, final byte[] payload, final int length)
    {
        if (!connection.isOpen())
        {
            return;
        }
        final int frameLength = WebSocketFrameHeader.length(length, true) + length;
        final ByteBuffer frame = frameLength <= writeBuffer.capacity() ?
            writeBuffer.clear() : ByteBuffer.allocate(frameLength);
        final int mask = ThreadLocalRandom.current().nextInt();
        WebSocketFrameHeader.putMasked(frame, WebSocketFrameHeader.OP_TEXT, length, mask);
        Masking.putMasked(frame, payload, 0, length, mask);
        frame.flip();
        try
        {
            write(connection, frame);
        }
        catch (final IOException ex)
        {
            closed(connection);
        }
    }

    private void write(final Connection connection, final ByteBuffer bytes) throws IOException
    {
        if (connection.engine != null)
        {
            while (bytes.hasRemaining())
            {
                final ByteBuffer out = netOut.clear();
                while (bytes.hasRemaining() && out.remaining() >= connection.engine.getSession().getPacketBufferSize())
                {
                    if (connection.engine.wrap(bytes, out).getStatus() != SSLEngineResult.Status.OK)
                    {
                        throw new SSLException("cannot encrypt");
                    }
                }
                writeRaw(connection, out.flip());
            }
            return;
        }
        writeRaw(connection, bytes);
    }

    private void writeRaw(final Connection connection, final ByteBuffer bytes) throws IOException
    {
        if (connection.pending != null)
        {
            final ByteBuffer joined = ByteBuffer.allocate(connection.pending.remaining() + bytes.remaining());
            joined.put(connection.pending).put(bytes).flip();
            connection.pending = joined;
        }
        else
        {
            connection.channel.write(bytes);
            if (bytes.hasRemaining())
            {
                // The rest waits for OP_WRITE in a buffer of its own: the write buffer is reused by the next frame.
                connection.pending = ByteBuffer.allocate(bytes.remaining()).put(bytes).flip();
                connection.key.interestOps(connection.key.interestOps() | SelectionKey.OP_WRITE);
            }
        }
    }

    private void flush(final Connection connection) throws IOException
    {
        connection.channel.write(connection.pending);
        if (!connection.pending.hasRemaining())
        {
            connection.pending = null;
            connection.key.interestOps(connection.key.interestOps() & ~SelectionKey.OP_WRITE);
        }
    }

    /** wss: reads network bytes, answers the handshake, and handles the plaintext in as many passes as it takes. */
    private void readTls(final Connection connection) throws IOException
    {
        final ByteBuffer net = netIn.clear();
        if (connection.netPartial != null)
        {
            net.put(connection.netPartial);
            connection.netPartial = null;
        }
        final int read = connection.channel.read(net);
        net.flip();
        final SSLEngine engine = connection.engine;
        boolean more = true;
        while (more && !connection.closed)
        {
            readBuffer.clear();
            if (connection.partial != null)
            {
                readBuffer.put(connection.partial);
                connection.partial = null;
            }
            SSLEngineResult result;
            do
            {
                result = engine.unwrap(net, readBuffer);
                drive(connection, result.getHandshakeStatus());
            }
            while (result.getStatus() == SSLEngineResult.Status.OK && net.hasRemaining() &&
                readBuffer.remaining() >= engine.getSession().getApplicationBufferSize());
            more = result.getStatus() == SSLEngineResult.Status.OK && net.hasRemaining();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED)
            {
                closed(connection);
                return;
            }
            readBuffer.flip();
            frames(connection);
        }
        if (net.hasRemaining() && !connection.closed)
        {
            connection.netPartial = ByteBuffer.allocate(net.remaining()).put(net).flip();
        }
        if (read < 0)
        {
            closed(connection);
        }
    }

    /** Runs the handshake's tasks and sends its messages; once it is over, the upgrade request goes. */
    private void drive(final Connection connection, final SSLEngineResult.HandshakeStatus status) throws IOException
    {
        SSLEngineResult.HandshakeStatus now = status;
        while (true)
        {
            if (now == SSLEngineResult.HandshakeStatus.NEED_TASK)
            {
                Runnable task;
                while ((task = connection.engine.getDelegatedTask()) != null)
                {
                    task.run();
                }
                now = connection.engine.getHandshakeStatus();
            }
            else if (now == SSLEngineResult.HandshakeStatus.NEED_WRAP)
            {
                final ByteBuffer out = netOut.clear();
                now = connection.engine.wrap(ByteBuffer.allocate(0), out).getHandshakeStatus();
                writeRaw(connection, out.flip());
            }
            else
            {
                break;
            }
        }
        if (!connection.upgradeSent && now == SSLEngineResult.HandshakeStatus.FINISHED)
        {
            sendHandshake(connection);
        }
    }

    private void read(final Connection connection) throws IOException
    {
        if (connection.engine != null)
        {
            readTls(connection);
            return;
        }
        readBuffer.clear();
        if (connection.partial != null)
        {
            readBuffer.put(connection.partial);
            connection.partial = null;
        }
        final int read = connection.channel.read(readBuffer);
        if (read < 0)
        {
            closed(connection);
            return;
        }
        readBuffer.flip();
        frames(connection);
    }

    /** Handles the plaintext in {@link #readBuffer}: the upgrade's answer, then frames; keeps an incomplete rest. */
    private void frames(final Connection connection) throws IOException
    {
        final long now = System.nanoTime();
        if (!connection.upgraded && !readHandshake(connection))
        {
            keepPartial(connection);
            return;
        }
        while (readBuffer.hasRemaining())
        {
            final int start = readBuffer.position();
            final int header = frameHeader.wrap(readBuffer, start, readBuffer.remaining());
            if (header == 0)
            {
                break;
            }
            final long length = frameHeader.payloadLength();
            final int opcode = frameHeader.opcode();
            if (length < 0 || length > READ_BYTES - WebSocketFrameHeader.MAX_HEADER_BYTES)
            {
                throw new IOException("frame of " + length + " bytes is larger than the load client reads");
            }
            if (readBuffer.remaining() < header + length)
            {
                break;
            }
            final int payloadAt = start + header;
            readBuffer.position(payloadAt + (int)length);
            if (opcode == WebSocketFrameHeader.OP_TEXT)
            {
                handler.onText(connection, readBuffer, payloadAt, (int)length, now);
            }
            else if (opcode == WebSocketFrameHeader.OP_CLOSE)
            {
                closed(connection);
                return;
            }
            else if (opcode == WebSocketFrameHeader.OP_PING)
            {
                sendControl(connection, WebSocketFrameHeader.OP_PONG);
            }
        }
        keepPartial(connection);
    }

    private boolean readHandshake(final Connection connection) throws IOException
    {
        for (int i = readBuffer.position(); i + 3 < readBuffer.limit(); i++)
        {
            if (readBuffer.get(i) == '\r' && readBuffer.get(i + 1) == '\n' &&
                readBuffer.get(i + 2) == '\r' && readBuffer.get(i + 3) == '\n')
            {
                final byte[] head = new byte[i - readBuffer.position()];
                readBuffer.get(head);
                readBuffer.position(i + 4);
                if (!new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"))
                {
                    throw new IOException("upgrade refused: " + new String(head, StandardCharsets.US_ASCII));
                }
                connection.upgraded = true;
                connecting--;
                handler.onOpen(connection);
                return true;
            }
        }
        return false;
    }

    private void sendControl(final Connection connection, final int opcode) throws IOException
    {
        final ByteBuffer frame = ByteBuffer.allocate(WebSocketFrameHeader.length(0, true));
        WebSocketFrameHeader.putMasked(frame, opcode, 0, 0);
        write(connection, frame.flip());
    }

    private void keepPartial(final Connection connection)
    {
        if (readBuffer.hasRemaining())
        {
            final ByteBuffer rest = ByteBuffer.allocate(readBuffer.remaining());
            rest.put(readBuffer).flip();
            connection.partial = rest;
        }
    }

    private void closed(final Connection connection)
    {
        if (connection.closed)
        {
            return;
        }
        if (!connection.upgraded)
        {
            connecting--;
        }
        connection.closed = true;
        connections.remove(connection);
        try
        {
            connection.channel.close();
        }
        catch (final IOException ignored)
        {
            // Closing a broken socket; nothing more to do.
        }
        handler.onClosed(connection);
    }

    @Override
    public void close() throws IOException
    {
        for (final Connection connection : connections)
        {
            if (connection.channel != null)
            {
                connection.channel.close();
            }
        }
        selector.close();
    }
}
