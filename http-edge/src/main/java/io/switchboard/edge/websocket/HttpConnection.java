package io.switchboard.edge.websocket;

import io.switchboard.edge.http.AccessLog;
import io.switchboard.edge.http.ClientAddressHandler;
import io.switchboard.edge.http.ListenerAdmission;
import io.switchboard.edge.tls.ServerTls;
import io.switchboard.edge.tls.TlsHandshakes;
import io.switchboard.protocol.http.ChunkedBody;
import io.switchboard.protocol.http.HttpRequestHead;
import io.switchboard.protocol.proxy.ProxyHeader;
import io.switchboard.protocol.proxy.TrustedProxies;
import org.agrona.concurrent.status.AtomicCounter;

import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One HTTP/1.1 connection of a signaling port, owned by one {@link SignalingAgent} from accept until it closes or
 * becomes a WebSocket: {@code socket -> request head (HttpRequestHead) -> body read and discarded -> HttpService ->
 * response}, with keep-alive and pipelining (requests are answered in order; while responses wait for the client to
 * read them, no further request is read). Every read and write of the socket while it speaks HTTP is here: a PROXY
 * header first (read raw), then, on a TLS port, the handshake and every byte through its {@link TlsChannel}; without
 * TLS there is no TlsChannel and the socket is read and written directly.
 * <p>
 * Limits: a head over {@link #MAX_HEAD_BYTES} gets 431, a malformed one 400 (505 for another major version), a body
 * over {@link #MAX_BODY_BYTES} 413 (as soon as its length says so), an absurd chunk size 400; each is counted, and the
 * connection then only drains what the client still sends until it closes or {@link #DRAIN_MS} pass.
 * <p>
 * Timeouts, one at a time on the agent's wheel: silent from accept or from the end of a response, the connection is
 * cut at the idle timeout; from the first byte of a head, the head must be complete within the parse timeout; from the
 * end of a head, its body within the parse timeout. Each cut is counted (parse, idle, body). Agent's thread only.
 */
final class HttpConnection implements SignalingAgent.Attachment
{
    /** The longest request head, its final empty line included. */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** The longest request body; the API reads none, so a body is discarded. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Room for body bytes behind a head that fills {@link #MAX_HEAD_BYTES}. */
    private static final int BODY_WINDOW_BYTES = 4 * 1024;
    /** What a connection first reads into: a usual request and then some; grown as a longer one needs. */
    private static final int FIRST_READ_BYTES = 2 * 1024;
    private static final int MAX_READ_BYTES = MAX_HEAD_BYTES + BODY_WINDOW_BYTES;
    /** Responses waiting for the client beyond which no further request is handled. */
    private static final int OUT_HIGH_WATER_BYTES = 64 * 1024;
    /** How long a refused connection's further bytes are drained before it is cut. */
    static final long DRAIN_MS = 1_000;
    /** The agent's clock was read at the start of its duty cycle, before the bytes were seen: never early. */
    private static final long CLOCK_MARGIN_MS = 1;
    private static final long NO_TIMER = -1;
    private static final String CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

    private enum Phase
    {
        /** Under --proxy-protocol, before the PROXY header is complete: the parse timeout runs. */
        PROXY,
        /** On a TLS port, before the handshake is complete: the parse timeout runs (a failure is counted by TLS). */
        HANDSHAKE,
        /** Between requests: the idle timeout runs. */
        IDLE,
        /** A head has begun: the parse timeout runs. */
        HEAD,
        /** A head is complete, its body is being read: the parse timeout runs, counted as body. */
        BODY,
        /** Refused: the answer is out or going, what the client sends is drained until it closes. */
        DRAINING,
        /** A WebSocket now, or closed. */
        DONE
    }

    /**
     * What every HTTP connection of one signaling port shares; {@code tls} and {@code handshakes} are null on a port
     * without TLS.
     */
    record Listener(
        HttpService service,
        ListenerAdmission admission,
        AtomicCounter refusedMalformed,
        AtomicCounter refusedHeadTooLarge,
        AtomicCounter refusedBodyTooLarge,
        ServerTls tls,
        TlsHandshakes handshakes)
    {
        /** A port without TLS. */
        static Listener of(final HttpService service, final ListenerAdmission admission)
        {
            return of(null, service, admission, null);
        }

        static Listener of(
            final String name, final HttpService service, final ListenerAdmission admission, final ServerTls tls)
        {
            return new Listener(service, admission, admission.refusedRequests("malformed"),
                admission.refusedRequests("head_too_large"), admission.refusedRequests("body_too_large"), tls,
                tls == null ? null : tls.handshakes(name));
        }
    }

    private final SocketChannel channel;
    private final ListenerAdmission.Lease lease;
    private final Listener listener;
    private final SignalingAgent agent;
    private final HttpExchange exchange = new HttpExchange(this);
    private final SignalingAgent.Timer onTimeout = this::onTimeout;
    /** The socket's TLS layer once its handshake begins (after any PROXY header); null on a port without TLS. */
    private TlsChannel tls;
    private SelectionKey key;
    private Phase phase;
    /** The client a trusted proxy's PROXY header named, or null: the peer is the client. */
    private InetSocketAddress proxied;
    /** Reads the PROXY header while {@link #phase} is PROXY; null after. */
    private ProxyHeader proxyHeader;
    private long timer = NO_TIMER;
    /** Bytes read and not yet handled, from a request's first byte on; null while there are none. */
    private ByteBuffer in;
    /** Responses not yet written, in write mode; null while there are none. */
    private ByteBuffer out;
    /** Bytes of {@link #in} already searched for the end of the head. */
    private int scannedTo;
    /** Length of the complete head at the start of {@link #in} while its body is read; else 0. */
    private int headLength;
    private int minorVersion;
    private boolean keepAlive;
    private boolean head;
    /** A refusal is being answered (until the connection closes). */
    private boolean refusing;
    /** When the request being answered had its whole head, for the request-time histogram. */
    private long requestStartNs;
    /** Body bytes of a Content-Length body still to come. */
    private long bodyLeft;
    /** Walks a chunked body; made for the first one. */
    private ChunkedBody chunks;
    private boolean chunkedBody;
    /** The connection ends once {@link #out} is written. */
    private boolean closeAfterWrite;

    HttpConnection(
        final SocketChannel channel, final ListenerAdmission.Lease lease, final Listener listener,
        final SignalingAgent agent)
    {
        this.channel = channel;
        this.lease = lease;
        this.listener = listener;
        this.agent = agent;
        this.phase = listener.admission().context().proxyProtocol() ? Phase.PROXY :
            listener.tls() != null ? Phase.HANDSHAKE : Phase.IDLE;
    }

    SignalingAgent agent()
    {
        return agent;
    }

    /** Command ADOPT, on the agent's thread: reads requests from now on; silent, it has the idle timeout. */
    @Override
    public void adopt()
    {
        if (phase == Phase.HANDSHAKE && !startTls())
        {
            return;
        }
        try
        {
            key = agent.register(this, channel, SelectionKey.OP_READ);
        }
        catch (final IOException | RuntimeException ex)
        {
            abort();
            return;
        }
        schedule(phase == Phase.IDLE ? listener.admission().context().idleTimeoutMs() :
            listener.admission().context().requestParseTimeoutMs());
    }

    /**
     * The handshake begins, if the handshake budget has room for the client (the host a PROXY header named, else the
     * peer; a trusted proxy's own connection counts in the total only): from now on every byte goes through the TLS
     * layer. Refused (counted), the connection is reset before any TLS byte.
     *
     * @return whether the handshake began
     */
    private boolean startTls()
    {
        final TlsHandshakes.Handshake handshake = listener.handshakes().begin(lease.host());
        if (handshake == null)
        {
            resetOnClose();
            abort();
            return false;
        }
        final SSLEngine engine;
        try
        {
            engine = listener.tls().newEngine();
        }
        catch (final RuntimeException ex)
        {
            handshake.failed(); // its place comes back: no TlsChannel will end it
            throw ex;
        }
        tls = new TlsChannel(
            channel, engine, handshake, listener.tls().handshakeTasks(), this, agent, listener.tls().releases());
        return true;
    }

    /**
     * Command RESUME, on the agent's thread: the handshake's delegated tasks are done on a task thread; the handshake
     * goes on, and what the client sent meanwhile is read.
     */
    @Override
    public void resume()
    {
        if (phase == Phase.DONE)
        {
            return; // cut meanwhile (the handshake timeout): the handshake was counted as failed then
        }
        try
        {
            tls.resume();
            key.interestOps(readInterest()); // none while the handshake has handed off its next tasks
            if (flush() && !tls.tasking())
            {
                read();
            }
        }
        catch (final IOException ex)
        {
            abort();
        }
        catch (final RuntimeException ex)
        {
            agent.survived(ex);
            abort();
        }
    }

    /** OP_READ, or nothing while the handshake's tasks run elsewhere (the engine cannot read meanwhile). */
    private int readInterest()
    {
        return tls != null && tls.tasking() ? 0 : SelectionKey.OP_READ;
    }

    @Override
    public void onReady(final int readyOps)
    {
        if (phase == Phase.DONE)
        {
            return;
        }
        try
        {
            if ((readyOps & SelectionKey.OP_WRITE) != 0 && !flush())
            {
                return;
            }
            // Plaintext the TLS layer holds raises no OP_READ: it is read once the responses are out.
            if (((readyOps & SelectionKey.OP_READ) != 0 || tls != null && tls.hasBufferedInput()) && out == null)
            {
                read();
            }
        }
        catch (final IOException ex)
        {
            abort();
        }
        catch (final RuntimeException ex)
        {
            agent.survived(ex);
            abort();
        }
    }

    @Override
    public void goAway()
    {
        abort();
    }

    /** Cuts the connection now and gives back its place in the counts. */
    @Override
    public void abort()
    {
        if (phase == Phase.DONE)
        {
            return;
        }
        phase = Phase.DONE;
        cancelTimer();
        in = null;
        out = null;
        if (tls != null)
        {
            tls.close();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Closed is closed.
        }
        lease.release();
    }

    // ---------------------------------------------------------------- reading

    private void read() throws IOException
    {
        do
        {
            if (in == null)
            {
                in = ByteBuffer.allocate(FIRST_READ_BYTES);
            }
            else if (!in.hasRemaining() && in.capacity() < MAX_READ_BYTES)
            {
                in = ByteBuffer.allocate(Math.min(4 * in.capacity(), MAX_READ_BYTES)).put(in.flip());
            }
            final int read = tls == null ? channel.read(in) : tls.read(in);
            if (read < 0)
            {
                abort(); // the client is gone (or has said all it will, which is the same to a server that answered)
                return;
            }
            if (tls != null && tls.tasking())
            {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ); // until the tasks are done: no spinning
            }
            if (phase == Phase.DRAINING)
            {
                in.clear();
                return;
            }
            if (phase == Phase.HANDSHAKE && tls.handshaken())
            {
                phase = Phase.IDLE;
                schedule(listener.admission().context().idleTimeoutMs());
            }
            handle();
            if (phase != Phase.DONE)
            {
                flush();
            }
        }
        // Bytes the TLS layer holds raise no OP_READ: they are read now.
        while (tls != null && tls.hasBufferedInput() && out == null &&
            (phase == Phase.HANDSHAKE || phase == Phase.IDLE || phase == Phase.HEAD || phase == Phase.BODY));
    }

    /** Handles what {@link #in} holds, request after request, until it needs more bytes or must wait for the client. */
    private void handle()
    {
        if (phase == Phase.PROXY && !proxyHeader())
        {
            return;
        }
        while (phase == Phase.IDLE || phase == Phase.HEAD || phase == Phase.BODY)
        {
            if (out != null && out.position() >= OUT_HIGH_WATER_BYTES)
            {
                return;
            }
            if (phase == Phase.BODY)
            {
                if (!body())
                {
                    return;
                }
                continue;
            }
            if (in == null || in.position() == 0)
            {
                in = null;
                return;
            }
            if (phase == Phase.IDLE)
            {
                phase = Phase.HEAD;
                scannedTo = 0;
                schedule(listener.admission().context().requestParseTimeoutMs());
            }
            if (!headEnded() && in.position() < MAX_HEAD_BYTES)
            {
                return; // parsed once it is all there: a head sent a byte at a time costs no more than one
            }
            final HttpRequestHead request = agent.requestHead;
            final int length = request.parse(in, 0, in.position(), MAX_HEAD_BYTES);
            if (length == HttpRequestHead.INCOMPLETE)
            {
                return;
            }
            if (length == HttpRequestHead.REFUSED)
            {
                final int status = request.errorStatus();
                (status == HttpRequestHead.HEADERS_TOO_LARGE ? listener.refusedHeadTooLarge() :
                    listener.refusedMalformed()).increment();
                refuse(status, request.error());
                return;
            }
            headLength = length;
            requestStartNs = System.nanoTime();
            minorVersion = request.minorVersion();
            keepAlive = request.keepAlive();
            head = request.isMethod("HEAD");
            if (request.contentLength() > MAX_BODY_BYTES)
            {
                listener.refusedBodyTooLarge().increment();
                refuse(413, "request body over " + MAX_BODY_BYTES + " bytes");
                return;
            }
            chunkedBody = request.chunked();
            bodyLeft = Math.max(0, request.contentLength());
            if (chunkedBody)
            {
                if (chunks == null)
                {
                    chunks = new ChunkedBody(MAX_BODY_BYTES);
                }
                chunks.reset();
            }
            phase = Phase.BODY;
            if (chunkedBody || bodyLeft > 0)
            {
                schedule(listener.admission().context().requestParseTimeoutMs());
                if (minorVersion == 1 && request.hasToken("Expect", "100-continue"))
                {
                    append(CONTINUE, null); // the client waits for it before it sends the body (RFC 9110 §10.1.1)
                }
            }
        }
    }

    /**
     * Under --proxy-protocol: reads the PROXY header (v1 or v2) at the start of {@link #in}; once it is whole, the
     * connection counts against the client it names and its requests follow. A header that is not one closes the
     * connection (counted), as does a client over its per-host cap.
     *
     * @return whether requests may be read now
     */
    private boolean proxyHeader()
    {
        if (proxyHeader == null)
        {
            proxyHeader = new ProxyHeader();
        }
        final int length = proxyHeader.decode(in, 0, in.position());
        if (length == ProxyHeader.NEED_MORE)
        {
            if (in.position() >= proxyHeader.maxBytes())
            {
                listener.admission().refusedProxyHeader().increment();
                abort();
            }
            return false;
        }
        if (length < 0)
        {
            listener.admission().refusedProxyHeader().increment();
            abort();
            return false;
        }
        if (proxyHeader.hasClient())
        {
            final InetSocketAddress client = proxyHeader.source();
            if (!lease.countAs(client.getAddress()))
            {
                listener.admission().refusedPerHost().increment();
                abort();
                return false;
            }
            proxied = client;
        }
        proxyHeader = null;
        in.flip().position(length);
        if (listener.tls() != null)
        {
            // What followed the header is the client's first TLS bytes: the handshake reads them first.
            phase = Phase.HANDSHAKE;
            if (!startTls())
            {
                return false;
            }
            tls.unread(in);
            in = null;
            schedule(listener.admission().context().requestParseTimeoutMs());
            return false;
        }
        in.compact();
        phase = Phase.IDLE;
        schedule(listener.admission().context().idleTimeoutMs());
        return true;
    }

    /**
     * The client of the request just parsed: the one a PROXY header named, else the peer; and when that is a trusted
     * proxy, the one its {@code Forwarded} or {@code X-Forwarded-For} header names (a header that does not parse is
     * counted, and ignored). Null when the socket no longer knows its peer.
     */
    private InetAddress requestClient()
    {
        InetSocketAddress source = proxied;
        if (source == null)
        {
            try
            {
                source = channel.getRemoteAddress() instanceof InetSocketAddress remote ? remote : null;
            }
            catch (final IOException ex)
            {
                return null;
            }
        }
        final TrustedProxies trusted = listener.admission().context().trustedProxies();
        if (source == null || refusing || !trusted.contains(source.getAddress()))
        {
            return source == null ? null : source.getAddress();
        }
        final HttpRequestHead request = agent.requestHead;
        return ClientAddressHandler.client(source, request.headers("Forwarded"), request.headers("X-Forwarded-For"),
            trusted, listener.admission().forwardedMalformed()).getAddress();
    }

    /**
     * Discards the body bytes behind the head in {@link #in}; once the body is over, the request is answered.
     *
     * @return whether the body was over (the next request may follow); false when more bytes are needed or the
     * connection was refused
     */
    private boolean body()
    {
        final int available = in.position() - headLength;
        final int consumed;
        if (chunkedBody)
        {
            consumed = chunks.consume(in, headLength, available);
            switch (chunks.state())
            {
                case MORE, DONE ->
                {
                }
                case BAD_SIZE ->
                {
                    listener.admission().refusedChunkSize().increment();
                    refuse(400, "invalid chunk size: a hex number of bytes below 2 GiB");
                    return false;
                }
                case TOO_LARGE ->
                {
                    listener.refusedBodyTooLarge().increment();
                    refuse(413, "request body over " + MAX_BODY_BYTES + " bytes");
                    return false;
                }
                default ->
                {
                    listener.refusedMalformed().increment();
                    refuse(400, "malformed chunked body");
                    return false;
                }
            }
        }
        else
        {
            consumed = (int)Math.min(bodyLeft, available);
            bodyLeft -= consumed;
        }
        drop(headLength, consumed);
        final boolean over = chunkedBody ? chunks.state() == ChunkedBody.State.DONE : bodyLeft == 0;
        if (!over)
        {
            return false;
        }
        cancelTimer();
        exchange.begin(agent.requestHead);
        listener.service().onRequest(exchange);
        if (phase == Phase.DONE)
        {
            return false; // upgraded to a WebSocket, or cut
        }
        drop(0, headLength);
        headLength = 0;
        phase = Phase.IDLE;
        if (!keepAlive)
        {
            closeAfterWrite = true;
            phase = Phase.DRAINING;
            schedule(DRAIN_MS);
            in = null;
            return false;
        }
        schedule(listener.admission().context().idleTimeoutMs());
        return true;
    }

    /** Whether {@link #in} holds an empty line that may end the head (searching only what came since last time). */
    private boolean headEnded()
    {
        final int end = in.position();
        for (int i = Math.max(1, scannedTo); i < end; i++)
        {
            final boolean emptyLine = in.get(i - 1) == '\n' || i >= 2 && in.get(i - 1) == '\r' && in.get(i - 2) == '\n';
            if (in.get(i) == '\n' && emptyLine)
            {
                scannedTo = i + 1;
                return true;
            }
        }
        scannedTo = end;
        return false;
    }

    /** Removes {@code in[from, from + length)}, moving what follows down. */
    private void drop(final int from, final int length)
    {
        if (length == 0)
        {
            return;
        }
        final int end = in.position();
        in.put(from, in, from + length, end - from - length);
        in.position(end - length);
    }

    // ---------------------------------------------------------------- answering

    /** {@link HttpExchange#send}: the response goes behind any not yet written. */
    void respond(final int status, final List<String> headers, final String contentType, final byte[] body)
    {
        logAccess(status, body == null ? 0 : body.length);
        if (!refusing)
        {
            listener.admission().requestTime().recordMicros((System.nanoTime() - requestStartNs) / 1_000);
        }
        final StringBuilder text = statusLine(status);
        text.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n");
        for (int i = 0; i < headers.size(); i += 2)
        {
            text.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
        if (contentType != null)
        {
            text.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null)
        {
            text.append("Content-Length: ").append(body.length).append("\r\n");
        }
        text.append("Date: ").append(HttpDate.now()).append("\r\n\r\n");
        append(text, head || body == null ? null : body);
    }

    /** {@link HttpExchange#upgrade}: writes the 101 now; the socket is no longer this connection's. */
    WebSocketUpgrade upgrade(final String acceptValue)
    {
        logAccess(101, 0);
        final StringBuilder text = statusLine(101);
        text.append("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ").append(acceptValue)
            .append("\r\nDate: ").append(HttpDate.now()).append("\r\n\r\n");
        append(text, null);
        try
        {
            if (!flush() || out != null)
            {
                abort();
                return null;
            }
        }
        catch (final IOException ex)
        {
            abort();
            return null;
        }
        final int ahead = in.position() - headLength;
        byte[] readAhead = null;
        if (ahead > 0)
        {
            readAhead = new byte[ahead];
            in.get(headLength, readAhead, 0, ahead);
        }
        phase = Phase.DONE;
        cancelTimer();
        in = null;
        key.interestOps(0); // until the WebSocket registers
        // Behind a trusted proxy, the WebSocket keeps the client it stands for; else its peer is the client.
        final boolean proxiedClient = proxied != null || !listener.admission().context().trustedProxies().isEmpty();
        return new WebSocketUpgrade(channel, tls, readAhead, lease::release, agent, key,
            proxiedClient ? requestClient() : null);
    }

    /** Answers {@code status} with {@code why} and ends the connection once the answer is out. */
    private void refuse(final int status, final String why)
    {
        refusing = true; // its request line may not be one: the access log says "-"
        keepAlive = false;
        head = false;
        minorVersion = 1;
        respond(status, List.of(), "text/plain; charset=utf-8", (why + "\n").getBytes(StandardCharsets.UTF_8));
        closeAfterWrite = true;
        phase = Phase.DRAINING;
        headLength = 0;
        in = null;
        schedule(DRAIN_MS);
    }

    /** The request's {@link AccessLog} line, when there is an access log. */
    private void logAccess(final int status, final long bytes)
    {
        if (!AccessLog.enabled())
        {
            return;
        }
        final HttpRequestHead request = agent.requestHead;
        AccessLog.log(requestClient(), refusing ? "-" : request.method() + " " + request.target() + " HTTP/1." + minorVersion,
            status, bytes);
    }

    private StringBuilder statusLine(final int status)
    {
        return new StringBuilder(256).append("HTTP/1.").append(minorVersion).append(' ').append(status).append(' ')
            .append(reason(status)).append("\r\n");
    }

    private void append(final CharSequence text, final byte[] body)
    {
        final int length = text.length() + (body == null ? 0 : body.length);
        if (out == null)
        {
            out = ByteBuffer.allocate(length);
        }
        else if (out.remaining() < length)
        {
            final ByteBuffer larger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + length));
            out = larger.put(out.flip());
        }
        for (int i = 0; i < text.length(); i++)
        {
            out.put((byte)text.charAt(i));
        }
        if (body != null)
        {
            out.put(body);
        }
    }

    /**
     * Writes what {@link #out} holds; when the kernel takes it all, reading goes on (or the connection ends, if it
     * was to); otherwise the socket waits for room.
     *
     * @return false when the connection can handle nothing more now (waiting for room, or cut)
     */
    private boolean flush() throws IOException
    {
        if (out == null && (tls == null || !tls.holds()))
        {
            return true;
        }
        if (out != null)
        {
            out.flip();
            if (tls == null)
            {
                channel.write(out);
            }
            else
            {
                tls.write(out);
            }
            if (out.hasRemaining())
            {
                out.compact();
                key.interestOps(SelectionKey.OP_WRITE);
                return false;
            }
            out = null;
        }
        if (tls != null && !tls.flushHeld())
        {
            key.interestOps(SelectionKey.OP_WRITE);
            return false;
        }
        if (closeAfterWrite)
        {
            endOutput();
            return false;
        }
        key.interestOps(readInterest());
        if (phase == Phase.IDLE && in != null)
        {
            handle(); // requests that came while the responses waited
            return phase != Phase.DONE && flush();
        }
        return true;
    }

    /** The answer is out: the client is told the end (FIN) and what it still sends is drained until it closes. */
    private void endOutput()
    {
        try
        {
            if (tls != null)
            {
                tls.shutdownOutput();
            }
            channel.shutdownOutput();
            key.interestOps(SelectionKey.OP_READ);
        }
        catch (final IOException ex)
        {
            abort();
        }
    }

    // ---------------------------------------------------------------- timeouts

    private void schedule(final long timeoutMs)
    {
        cancelTimer();
        timer = agent.schedule(agent.nowMs() + timeoutMs + CLOCK_MARGIN_MS, onTimeout);
    }

    private void cancelTimer()
    {
        if (timer != NO_TIMER)
        {
            agent.cancel(timer);
            timer = NO_TIMER;
        }
    }

    private void onTimeout(final long nowMs)
    {
        timer = NO_TIMER;
        final ListenerAdmission admission = listener.admission();
        switch (phase)
        {
            case PROXY -> admission.parseTimeouts().increment();
            case IDLE -> admission.idleTimeouts().increment();
            case HEAD -> admission.parseTimeouts().increment();
            case BODY -> admission.bodyTimeouts().increment();
            default ->
            {
            }
        }
        if (phase != Phase.DRAINING)
        {
            resetOnClose();
        }
        abort();
    }

    /** A cut for a timeout needs no goodbye: reset, no TIME_WAIT. */
    private void resetOnClose()
    {
        try
        {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
        catch (final IOException ex)
        {
            // A plain close then.
        }
    }

    private static String reason(final int status)
    {
        return switch (status)
        {
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 413 -> "Content Too Large";
            case 426 -> "Upgrade Required";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
