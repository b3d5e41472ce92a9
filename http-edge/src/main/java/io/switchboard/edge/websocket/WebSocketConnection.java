package io.switchboard.edge.websocket;

import io.switchboard.protocol.websocket.Masking;
import io.switchboard.protocol.websocket.WebSocketFrameHeader;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;

import static io.switchboard.protocol.websocket.WebSocketFrameHeader.MAX_CONTROL_PAYLOAD;
import static io.switchboard.protocol.websocket.WebSocketFrameHeader.OP_BINARY;
import static io.switchboard.protocol.websocket.WebSocketFrameHeader.OP_CLOSE;
import static io.switchboard.protocol.websocket.WebSocketFrameHeader.OP_CONTINUATION;
import static io.switchboard.protocol.websocket.WebSocketFrameHeader.OP_PING;
import static io.switchboard.protocol.websocket.WebSocketFrameHeader.OP_PONG;
import static io.switchboard.protocol.websocket.WebSocketFrameHeader.OP_TEXT;

/**
 * One server-side WebSocket (RFC 6455) over a socket whose handshake an {@link HttpConnection} completed:
 * {@code socket -> read buffer of the owning agent -> frames -> unmask -> whole message -> handler}, and
 * {@code send -> frame into the writer's buffer -> socket}, queueing only what the kernel did not take. An idle
 * connection holds no buffer: bytes of an incomplete frame are kept only until the frame is complete, and the read
 * and write buffers belong to agents, not connections. On a wss port every read and write goes through the socket's
 * {@link TlsChannel} (its handshake done by the {@link HttpConnection}); without TLS there is none and the socket is
 * read and written directly.
 * <p>
 * Rules enforced: client frames are masked, RSV bits are zero, control frames are final and at most 125 bytes,
 * fragments continue a started message, text is UTF-8 (1002 or 1007 on a violation), a close code is one a peer may
 * send (RFC 6455 7.4; else 1002), a message longer than the frame limit or the per-socket limit of the
 * {@link PartialBudget} gets 1009 before any of it is buffered. What the socket holds of an unfinished frame or
 * message is taken from that budget; a socket that would pass it gets 1009, and gives it all back when it goes. Pings are answered; pongs ignored; no extension is ever negotiated.
 * Single writer: the connection is touched by the thread of its {@link SignalingAgent} only (the agent that owns
 * the id its query names), which delivers its messages in arrival order and alone sends on it, so neither side
 * takes a lock; another thread may only {@link #start} it. What the agent's thread sends goes to that agent's
 * {@link Outbox}, written at the end of its duty cycle (a thread driving an agent's duty cycles itself, as tests do,
 * writes at once). The close grace is a deadline on the owning agent's wheel.
 */
public final class WebSocketConnection implements SignalingAgent.Attachment
{
    /** Where a connection's messages and its end go. */
    public interface Handler
    {
        /**
         * One whole text or binary message in {@code bytes[0, length)}, valid only during the call: the array is
         * the thread's, reused for the next message.
         */
        void onMessage(byte[] bytes, int length);

        /** The TCP connection is gone (called once, on the agent's thread). */
        void onClosed();

        /**
         * The agent has started reading the socket (called once, on the agent's thread, before any message): the
         * moment to start the connection's deadlines on the agent's wheel.
         */
        default void onStarted()
        {
        }
    }

    /** A handler told its connection before the connection starts reading. */
    public interface Endpoint extends Handler
    {
        void attach(WebSocketConnection connection);
    }

    public static final int NORMAL_CLOSURE = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;

    /** How long a closing socket waits for the peer's close frame before the TCP connection is cut. */
    public static final long CLOSE_GRACE_MS = 2_000;

    private static final byte[] NO_BYTES = new byte[0];
    private static final long NO_TIMER = -1;

    private final SocketChannel channel;
    /** The socket's TLS layer on a wss port, else null: every read and write goes through it when there is one. */
    private final TlsChannel tls;
    /** The client a trusted proxy named (PROXY header, Forwarded), or null: the peer is the client. */
    private final InetAddress client;
    /** Runs once the channel is closed: gives back its place in the listener's connection counts; or null. */
    private final Runnable released;
    private final SignalingAgent agent;
    private final Handler handler;
    private final Settings settings;

    // Read side: touched by the agent's thread only.
    /** The start of an incomplete frame that fits the read buffer, carried to the next read; else null. */
    private byte[] carried;
    /** An incomplete frame larger than the read buffer, filled by the next reads; else null. */
    private ByteBuffer large;
    /** The message being assembled from fragments; null between messages. */
    private MessageAssembler assembler;
    /** Bytes of {@link #carried} taken from the budget (none for the bytes read past the upgrade request). */
    private int carriedHeld;
    /** Bytes of {@link #carried} and {@link #large} taken from the budget (the assembler holds its own). */
    private long partialBytes;
    /** Total length of the frame {@link #frame} last found incomplete. */
    private long incompleteFrameBytes;
    private boolean closeReceived;
    /** The close grace's timer on the agent's wheel, or {@link #NO_TIMER} (agent's thread only). */
    private long graceTimer = NO_TIMER;

    // Write side: the agent's thread only, like the read side.
    /** The channel's key in the agent's selector; null until registered. */
    private SelectionKey key;
    private ArrayDeque<ByteBuffer> queued;
    private long queuedBytes;
    private boolean closeSent;
    private boolean closeAfterFlush;
    private volatile boolean closed;

    /**
     * What every socket of one listener shares.
     *
     * @param maxMessageBytes longer messages get close 1009
     * @param partials what unfinished frames and messages may hold, shared by every WebSocket of the appliance
     * @param closedTooLarge counts closes for an over-long message
     * @param closedProtocolError counts closes for a protocol violation (1002, 1007)
     */
    public record Settings(
        int maxMessageBytes,
        PartialBudget partials,
        AtomicCounter closedTooLarge,
        AtomicCounter closedProtocolError)
    {
    }

    /**
     * A connection over {@code channel} (non-blocking, its handshake done) for {@code agent}; {@code readAhead} holds
     * the client's bytes already read past its handshake, or is null. Call {@link #start} to read it.
     */
    WebSocketConnection(
        final SocketChannel channel, final byte[] readAhead, final Handler handler, final Settings settings,
        final SignalingAgent agent)
    {
        this(channel, null, readAhead, null, handler, settings, agent, null);
    }

    /**
     * As above, reading and writing through {@code tls} (its handshake done; null without TLS), and {@code released}
     * runs once the channel is closed (on the agent's thread), giving back what the listener counted for it (null
     * when nothing was); {@code client} is the client a trusted proxy named, or null.
     */
    WebSocketConnection(
        final SocketChannel channel, final TlsChannel tls, final byte[] readAhead, final Runnable released,
        final Handler handler, final Settings settings, final SignalingAgent agent, final InetAddress client)
    {
        this.client = client;
        this.channel = channel;
        this.tls = tls;
        this.released = released;
        this.agent = agent;
        this.handler = handler;
        this.settings = settings;
        this.carried = readAhead;
    }

    /** Starts reading on the agent's thread; call once the handler is ready for messages. Sending works before. */
    public void start()
    {
        agent.enqueue(SignalingAgent.Command.REGISTER, this);
    }

    /** On the agent's thread: the selector watches the socket from now on. */
    void register()
    {
        final boolean failed;
        if (closed)
        {
            return;
        }
        SelectionKey registered = null;
        try
        {
            registered = agent.register(this, channel,
                SelectionKey.OP_READ | (queued != null ? SelectionKey.OP_WRITE : 0));
        }
        catch (final IOException ex)
        {
            // Closed meanwhile: cut below.
        }
        key = registered;
        failed = registered == null;
        if (failed)
        {
            abort();
            return;
        }
        handler.onStarted();
        if ((carried != null || tls != null && tls.hasBufferedInput()) && !closed)
        {
            onReady(SelectionKey.OP_READ); // the client's frames that came with its upgrade request
        }
    }

    /** On the agent's thread: the socket is writable and/or readable ({@link SelectionKey} ops). */
    @Override
    public void onReady(final int readyOps)
    {
        try
        {
            if ((readyOps & SelectionKey.OP_WRITE) != 0)
            {
                onWritable();
            }
            if ((readyOps & SelectionKey.OP_READ) != 0 && !closed)
            {
                onReadable();
            }
        }
        catch (final RuntimeException ex)
        {
            // A fault in one connection's handling ends that connection, never the agent and its other sockets.
            agent.survived(ex);
            abort();
        }
    }

    /**
     * Sends one text message, {@code payload[0, length)}, copied before this returns; false when the socket is
     * closing or closed.
     */
    public boolean sendText(final byte[] payload, final int length)
    {
        final SignalingAgent sender = SignalingAgent.current();
        if (sender != null)
        {
            if (closed || closeSent)
            {
                return false;
            }
            if (sender.outbox().defer(this, payload, length))
            {
                return true;
            }
        }
        return sendFrame(OP_TEXT, payload, 0, length);
    }

    /**
     * On the owning agent's thread: {@code timer} is called on that thread {@code delayMs} from now (at most
     * {@link SignalingAgent#TICK_MS} later).
     *
     * @return the timer's id, for {@link #cancelTimer}
     */
    public long scheduleAfter(final long delayMs, final SignalingAgent.Timer timer)
    {
        return agent.schedule(agent.nowMs() + delayMs, timer);
    }

    /** On the owning agent's thread: the agent's clock, in milliseconds, as of its current duty cycle. */
    public long nowMs()
    {
        return agent.nowMs();
    }

    /** Whether the caller runs on the thread of the agent that owns this connection. */
    public boolean onOwnerThread()
    {
        return agent.onAgentThread();
    }

    /** On the owning agent's thread: the timer {@link #scheduleAfter} returned will not fire. */
    public void cancelTimer(final long timerId)
    {
        agent.cancel(timerId);
    }

    /**
     * The client's address (its host, without the port): the one a trusted proxy named for it, else the peer's; null
     * when the socket no longer knows it.
     */
    public InetAddress clientHost()
    {
        if (client != null)
        {
            return client;
        }
        try
        {
            return channel.getRemoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * Bytes handed to {@link #sendText} that the kernel has not taken yet: plaintext queued, and on a wss socket the
     * encrypted bytes its TLS layer holds, both in the one send budget.
     */
    public long queuedBytes()
    {
        return tls == null ? queuedBytes : queuedBytes + tls.heldBytes();
    }

    public boolean isOpen()
    {
        return !closed;
    }

    /** Whether a close frame has been sent: the socket takes no more messages. */
    public boolean isClosing()
    {
        return closeSent || closed;
    }

    /**
     * Sends a close frame with {@code code}; the TCP connection is cut once the peer answers or after
     * {@link #CLOSE_GRACE_MS}. Nothing happens when a close was sent already.
     */
    public void close(final int code)
    {
        if (closeSent || closed)
        {
            return;
        }
        sendClose(code);
        if (agent.onAgentThread())
        {
            startGrace();
        }
        else
        {
            agent.enqueue(SignalingAgent.Command.GRACE, this);
        }
    }

    /** On the agent's thread: cut the connection once its close grace has passed, unless it ends before. */
    void startGrace()
    {
        if (!closed && graceTimer == NO_TIMER)
        {
            graceTimer = agent.schedule(agent.nowMs() + CLOSE_GRACE_MS, nowMs -> graceOver());
        }
    }

    private void graceOver()
    {
        graceTimer = NO_TIMER;
        abort();
    }

    /** On the agent's thread as the appliance stops: a close frame saying 1001, then the TCP connection is cut. */
    @Override
    public void goAway()
    {
        if (!closeSent && !closed)
        {
            sendClose(GOING_AWAY);
        }
        abort();
    }

    /** On the agent's thread: cuts the TCP connection now; the handler hears of it once. */
    @Override
    public void abort()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        queued = null;
        queuedBytes = 0;
        if (graceTimer != NO_TIMER)
        {
            agent.cancel(graceTimer);
            graceTimer = NO_TIMER;
        }
        if (tls != null)
        {
            tls.close(); // close_notify, when it can go at once
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Closed is closed.
        }
        if (released != null)
        {
            released.run();
        }
        carried = null;
        large = null;
        dropMessage();
        settings.partials().give(partialBytes);
        partialBytes = 0;
        carriedHeld = 0;
        try
        {
            handler.onClosed();
        }
        catch (final RuntimeException ex)
        {
            agent.survived(ex);
        }
    }

    // ---------------------------------------------------------------- read side (the agent's thread)

    private void onReadable()
    {
        final ByteBuffer buffer = agent.readBuffer;
        try
        {
            while (!closed && !closeReceived)
            {
                if (large != null)
                {
                    final int read = tls == null ? channel.read(large) : tls.read(large);
                    if (read <= 0)
                    {
                        endOfReads(read);
                        return;
                    }
                    if (!large.hasRemaining())
                    {
                        final ByteBuffer frame = large.flip();
                        large = null;
                        letGo(frame.capacity()); // before its payload is copied on: the copy may need the bytes
                        frames(frame);
                    }
                    continue;
                }
                buffer.clear();
                if (carried != null)
                {
                    buffer.put(carried);
                }
                final int read = tls == null ? channel.read(buffer) : tls.read(buffer);
                if (read < 0 || buffer.position() == 0)
                {
                    endOfReads(read);
                    return;
                }
                carried = null;
                letGo(carriedHeld);
                carriedHeld = 0;
                final boolean drained = buffer.hasRemaining();
                buffer.flip();
                frames(buffer);
                if (drained && (tls == null || !tls.hasBufferedInput()))
                {
                    // The kernel had less than the buffer holds: no second read just to be told EAGAIN. The
                    // selector is level-triggered, so anything that arrived meanwhile raises the next event.
                    return;
                }
            }
        }
        catch (final IOException ex)
        {
            abort();
        }
    }

    private void endOfReads(final int read)
    {
        if (read < 0)
        {
            abort();
        }
    }

    /** Handles every whole frame in {@code buffer}; keeps an incomplete last one for the next read. */
    private void frames(final ByteBuffer buffer)
    {
        while (buffer.hasRemaining() && !closed && !closeReceived)
        {
            final int consumed = frame(buffer);
            if (consumed < 0)
            {
                return;
            }
            if (consumed == 0)
            {
                if (incompleteFrameBytes > SignalingAgent.BUFFER_BYTES)
                {
                    if (hold(incompleteFrameBytes))
                    {
                        large = ByteBuffer.allocate((int)incompleteFrameBytes).order(ByteOrder.BIG_ENDIAN);
                        large.put(buffer);
                    }
                }
                else if (hold(buffer.remaining()))
                {
                    carried = new byte[buffer.remaining()];
                    carriedHeld = carried.length;
                    buffer.get(carried);
                }
                return;
            }
        }
    }

    /**
     * Handles the frame at {@code buffer}'s position.
     *
     * @return bytes consumed; 0 when the frame is incomplete (its length then in {@link #incompleteFrameBytes});
     * -1 when the connection was failed
     */
    private int frame(final ByteBuffer buffer)
    {
        final int at = buffer.position();
        final int available = buffer.remaining();
        final WebSocketFrameHeader frameHeader = agent.frameHeader;
        final int header = frameHeader.wrap(buffer, at, available);
        if (header == 0)
        {
            incompleteFrameBytes = frameHeader.bytesNeeded();
            return 0;
        }
        final boolean fin = frameHeader.fin();
        final int opcode = frameHeader.opcode();
        final long length = frameHeader.payloadLength();
        if (frameHeader.rsv() != 0 || !frameHeader.masked() || length < 0)
        {
            return fail(PROTOCOL_ERROR);
        }
        final boolean control = opcode >= OP_CLOSE;
        if (control ? !fin || length > MAX_CONTROL_PAYLOAD || opcode > OP_PONG :
            opcode > OP_BINARY || (opcode == OP_CONTINUATION) != (assembler != null))
        {
            return fail(PROTOCOL_ERROR);
        }
        final long messageBytes = (assembler != null ? assembler.length() : 0) + length;
        if (!control && messageBytes > settings.maxMessageBytes())
        {
            settings.closedTooLarge().increment();
            return fail(MESSAGE_TOO_BIG);
        }
        if (!control && !settings.partials().fitsOneSocket(messageBytes))
        {
            return fail(MESSAGE_TOO_BIG);
        }
        if (available < header + length)
        {
            incompleteFrameBytes = header + length;
            return 0;
        }
        final int payloadAt = at + header;
        final int payloadLength = (int)length;
        buffer.position(payloadAt + payloadLength);
        if (closeSent && !control)
        {
            return header + payloadLength;
        }
        final int mask = buffer.getInt(payloadAt - WebSocketFrameHeader.MASKING_KEY_BYTES);
        if (!control && !(fin && opcode != OP_CONTINUATION))
        {
            return fragment(opcode, fin, buffer, payloadAt, payloadLength, mask) ? header + payloadLength : -1;
        }
        // A whole message is handled before the next frame is read: the agent's message buffer holds it.
        final byte[] payload = payloadLength == 0 ? NO_BYTES :
            !control && payloadLength <= SignalingAgent.BUFFER_BYTES ? agent.message() : new byte[payloadLength];
        buffer.get(payloadAt, payload, 0, payloadLength);
        Masking.unmask(payload, 0, payloadLength, mask);

        if (opcode == OP_CLOSE)
        {
            onCloseFrame(payload);
        }
        else if (opcode == OP_PING)
        {
            sendFrame(OP_PONG, payload, 0, payloadLength);
        }
        else
        {
            deliver(payload, payloadLength, opcode == OP_TEXT);
        }
        return closed || closeReceived ? -1 : header + payloadLength;
    }

    /**
     * A frame of a fragmented message: the first starts the assembler, each appends; the final one delivers the
     * whole message once the assembler's bytes are back in the budget.
     *
     * @return false when the connection was failed (1009: the budget refused the room)
     */
    private boolean fragment(
        final int opcode, final boolean fin, final ByteBuffer buffer, final int at, final int length, final int mask)
    {
        if (opcode != OP_CONTINUATION)
        {
            assembler = MessageAssembler.start(opcode == OP_TEXT, length,
                Math.min(settings.maxMessageBytes(), settings.partials().perSocketBytes()), settings.partials());
            if (assembler == null)
            {
                fail(MESSAGE_TOO_BIG);
                return false;
            }
        }
        if (!assembler.append(buffer, at, length, mask))
        {
            fail(MESSAGE_TOO_BIG);
            return false;
        }
        if (fin)
        {
            final MessageAssembler whole = assembler;
            dropMessage();
            deliver(whole.bytes(), whole.length(), whole.isText());
        }
        return !closed && !closeReceived;
    }

    private void deliver(final byte[] bytes, final int length, final boolean text)
    {
        if (text && !Utf8.isValid(bytes, 0, length))
        {
            fail(INVALID_PAYLOAD);
            return;
        }
        handler.onMessage(bytes, length);
    }

    /**
     * The peer's close: answered with its code (1000 when it gave none), then the connection ends; a code a peer may
     * not send, or a one-byte payload, gets 1002, a reason that is not UTF-8 1007.
     */
    private void onCloseFrame(final byte[] payload)
    {
        if (payload.length == 0)
        {
            endReading(NORMAL_CLOSURE);
            return;
        }
        final int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        if (!isValidCloseCode(code))
        {
            fail(PROTOCOL_ERROR);
        }
        else if (!Utf8.isValid(payload, 2, payload.length - 2))
        {
            fail(INVALID_PAYLOAD);
        }
        else
        {
            endReading(code);
        }
    }

    /**
     * Whether a peer may send {@code code} in its close frame (RFC 6455 7.4): the defined and IANA-registered
     * 1000-1003 and 1007-1014, and 3000-4999 for libraries and applications; never 1004-1006 or 1015, which only
     * describe a close locally, nor the unassigned rest.
     */
    public static boolean isValidCloseCode(final int code)
    {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    /** Takes {@code bytes} more of the partial budget; when refused the socket is failed with 1009. */
    private boolean hold(final long bytes)
    {
        if (settings.partials().take(bytes))
        {
            partialBytes += bytes;
            return true;
        }
        fail(MESSAGE_TOO_BIG);
        return false;
    }

    private void letGo(final long bytes)
    {
        partialBytes -= bytes;
        settings.partials().give(bytes);
    }

    private void dropMessage()
    {
        if (assembler != null)
        {
            assembler.release();
            assembler = null;
        }
    }

    private int fail(final int code)
    {
        if (code == PROTOCOL_ERROR || code == INVALID_PAYLOAD)
        {
            settings.closedProtocolError().increment();
        }
        endReading(code);
        return -1;
    }

    /** Reads nothing more; sends a close frame unless one went already, and cuts the connection once it is out. */
    private void endReading(final int code)
    {
        closeReceived = true;
        dropMessage();
        final boolean cutNow;
        final boolean sentHere;
        sentHere = !closeSent;
        if (sentHere)
        {
            sendClose(code);
        }
        closeAfterFlush = true;
        cutNow = queued == null;
        if (!cutNow)
        {
            // Nothing more is read: a level-triggered OP_READ would only fire again and again.
            interest(SelectionKey.OP_WRITE);
        }
        if (cutNow)
        {
            abort();
        }
        else if (sentHere)
        {
            startGrace(); // a peer that never reads its queue does not keep the socket
        }
    }

    // ---------------------------------------------------------------- write side (the agent's thread)


    private void sendClose(final int code)
    {
        final byte[] payload = {(byte)(code >>> 8), (byte)code};
        sendFrame(OP_CLOSE, payload, 0, payload.length);
        closeSent = true;
    }

    private boolean sendFrame(final int opcode, final byte[] payload, final int offset, final int length)
    {
        if (closed || closeSent)
        {
            return false;
        }
        final SignalingAgent sender = SignalingAgent.current();
        final int header = WebSocketFrameHeader.length(length, false);
        if (sender != null)
        {
            sender.outbox().flush(this);
            if (header + length <= SignalingAgent.BUFFER_BYTES)
            {
                final ByteBuffer out = sender.writeBuffer.clear();
                WebSocketFrameHeader.put(out, opcode, length);
                out.put(payload, offset, length).flip();
                return writeOut(out);
            }
        }
        else if (queued == null)
        {
            // A thread driving the agent's duty cycles itself (not a runner's agent thread) frames into its own buffer.
            final ByteBuffer out = ByteBuffer.allocate(header + length).order(ByteOrder.BIG_ENDIAN);
            WebSocketFrameHeader.put(out, opcode, length);
            out.put(payload, offset, length).flip();
            return writeOut(out);
        }
        final ByteBuffer frame = ByteBuffer.allocate(header + length).order(ByteOrder.BIG_ENDIAN);
        WebSocketFrameHeader.put(frame, opcode, length);
        frame.put(payload, offset, length).flip();
        enqueue(frame);
        return true;
    }

    /**
     * Writes the text frames {@code buffers} deferred for this socket from {@code first} on, in order, gathered
     * into as few system calls as the outbox's write buffer allows.
     */
    void writeDeferred(final Outbox buffers, final int first)
    {
        final ByteBuffer out = buffers.writeBuffer().clear();
        for (int i = first; i < buffers.size(); i++)
        {
            if (buffers.target(i) != this)
            {
                continue;
            }
            buffers.forget(i);
            if (closed || closeSent)
            {
                continue;
            }
            final int payloadLength = buffers.length(i);
            final int length = WebSocketFrameHeader.length(payloadLength, false) + payloadLength;
            if (length > out.remaining() && out.position() > 0)
            {
                if (!writeOut(out.flip()))
                {
                    return;
                }
                out.clear();
            }
            if (length > out.remaining())
            {
                final ByteBuffer large = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
                WebSocketFrameHeader.put(large, OP_TEXT, payloadLength);
                enqueue(large.put(buffers.deferred(), buffers.offset(i), payloadLength).flip());
                continue;
            }
            WebSocketFrameHeader.put(out, OP_TEXT, payloadLength);
            out.put(buffers.deferred(), buffers.offset(i), payloadLength);
        }
        writeOut(out.flip());
    }

    /** Writes {@code out}, queueing whatever the kernel does not take; false when the write failed. */
    private boolean writeOut(final ByteBuffer out)
    {
        if (!out.hasRemaining())
        {
            return true;
        }
        if (queued == null)
        {
            try
            {
                if (tls == null)
                {
                    channel.write(out);
                }
                else
                {
                    tls.write(out);
                }
            }
            catch (final IOException ex)
            {
                // The caller may be in the middle of a relay to this socket: cut in the agent's next duty cycle.
                closeSent = true;
                agent.enqueue(SignalingAgent.Command.ABORT, this);
                return false;
            }
            if (!out.hasRemaining())
            {
                if (tls != null && tls.holds())
                {
                    awaitRoom(); // encrypted bytes wait for the kernel: what follows waits behind them
                }
                return true;
            }
        }
        final ByteBuffer rest = ByteBuffer.allocate(out.remaining());
        rest.put(out).flip();
        enqueue(rest);
        return true;
    }

    private void enqueue(final ByteBuffer bytes)
    {
        awaitRoom();
        queued.add(bytes);
        queuedBytes += bytes.remaining();
    }

    /** What is sent from now on is queued until the socket has room (OP_WRITE). */
    private void awaitRoom()
    {
        if (queued == null)
        {
            queued = new ArrayDeque<>(4);
            interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    /** Before the key exists, {@link #register} asks for what {@link #queued} needs. */
    private void interest(final int ops)
    {
        if (key != null && key.isValid())
        {
            key.interestOps(ops);
            agent.interestChanged();
        }
    }

    private void onWritable()
    {
        boolean cut = false;
        try
        {
            while (queued != null && !queued.isEmpty())
            {
                final ByteBuffer head = queued.peek();
                final int before = head.remaining();
                if (tls == null)
                {
                    channel.write(head);
                }
                else
                {
                    tls.write(head);
                }
                queuedBytes -= before - head.remaining();
                if (head.hasRemaining())
                {
                    return;
                }
                queued.poll();
            }
            if (tls != null && !tls.flushHeld())
            {
                return;
            }
            queued = null;
            interest(closeReceived ? 0 : SelectionKey.OP_READ);
            cut = closeAfterFlush;
        }
        catch (final IOException ex)
        {
            cut = true;
        }
        if (cut)
        {
            abort();
        }
    }
}
