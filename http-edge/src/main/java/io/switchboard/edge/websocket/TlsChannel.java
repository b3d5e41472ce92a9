package io.switchboard.edge.websocket;

import io.switchboard.edge.tls.ReleasedTls;
import io.switchboard.edge.tls.TlsHandshakes;
import io.switchboard.edge.tls.TlsRecords;
import io.switchboard.edge.tls.TlsReleases;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TLS layer of one connection of a signaling port, between its socket and its {@link HttpConnection} or
 * {@link WebSocketConnection}: {@code socket -> network bytes -> SSLEngine.unwrap -> plaintext for the reader} and
 * {@code plaintext -> SSLEngine.wrap -> socket}. The handshake runs inside the first reads and is counted once,
 * completed or failed, giving back its place in the handshake budget ({@link TlsHandshakes.Handshake}). Its delegated
 * tasks (the expensive steps: key exchange, signature) run on the TLS handshake threads when there are any: the
 * engine is then left alone, the socket not read, until a task thread has run them all and asked the agent to
 * {@link SignalingAgent.Command#RESUME resume} the connection ({@link #resume}); without them, inline on the agent.
 * A connection cut while its tasks are out keeps its place in the budget until they come back ({@link Offload}):
 * the work is still in progress, and the task threads' queue is sized by the budget.
 * <p>
 * Owns its {@link SSLEngine} and only what it must keep between two calls: the start of a record still incomplete,
 * plaintext the reader had no room for, and encrypted bytes the kernel did not take ({@link #heldBytes}, which the
 * connection counts in its send budget). The network buffers it works in belong to the agent ({@link Scratch}), so an
 * idle connection holds none. Agent's thread only; a connection without TLS has no TlsChannel at all.
 * <p>
 * Once the handshake is over and the engine holds nothing, a TLS 1.3 AES-GCM connection lets the engine go
 * ({@link TlsReleases}, {@code --tls-release-engine}): from then on its records are sealed and opened by
 * {@link ReleasedTls} with the agent's {@link TlsRecords}, and the connection keeps only their keys.
 */
final class TlsChannel
{
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** {@link Offload} states: the tasks run on a task thread; they came back; the connection was cut meanwhile. */
    private static final int TASKS_OUT = 0;
    private static final int TASKS_BACK = 1;
    private static final int TASKS_CUT = 2;

    private final SocketChannel channel;
    /** The JDK's engine; null once let go ({@link #records}). */
    private SSLEngine engine;
    /** The session's largest network record and plaintext, which the agent's buffers must hold ({@link #scratch}). */
    private final int packetBytes;
    private final int applicationBytes;
    /** Where the engine may be let go; null: never (off, or tried and kept for good). */
    private TlsReleases releases;
    /** The record state once the engine was let go, or null. */
    private ReleasedTls records;
    private boolean outboundDone;
    private final TlsHandshakes.Handshake handshake;
    /** Where delegated tasks of the handshake run; null: inline. */
    private final Executor tasks;
    /** The connection a task thread has the agent resume. */
    private final SignalingAgent.Attachment connection;
    private SignalingAgent agent;
    /** The start of a record that is not complete yet, or null. */
    private byte[] netIn;
    /** Plaintext unwrapped that the reader had no room for, from {@link #plainInAt}; or null. */
    private byte[] plainIn;
    private int plainInAt;
    /** Encrypted bytes the kernel has not taken yet, in read mode; or null. */
    private ByteBuffer netOut;
    /** {@link #netIn} came from before the TLS layer: no OP_READ will say it is there. */
    private boolean unread;
    private boolean handshaken;
    /** Delegated tasks out on a task thread, or null: while out, nothing touches the engine until {@link #resume}. */
    private Offload offload;
    private boolean inboundDone;
    private boolean closed;
    /** The counters of the releases, once released. */
    private TlsReleases releasedBy;

    /**
     * @param handshake the handshake's place in the budget, ended here
     * @param tasks where the handshake's delegated tasks run (null: inline); when they are done, {@code connection}
     *              is resumed by {@code agent}
     */
    TlsChannel(
        final SocketChannel channel, final SSLEngine engine, final TlsHandshakes.Handshake handshake,
        final Executor tasks, final SignalingAgent.Attachment connection, final SignalingAgent agent,
        final TlsReleases releases)
    {
        this.releases = releases;
        this.channel = channel;
        this.engine = engine;
        this.packetBytes = engine.getSession().getPacketBufferSize();
        this.applicationBytes = engine.getSession().getApplicationBufferSize();
        this.handshake = handshake;
        this.tasks = tasks;
        this.connection = connection;
        this.agent = agent;
    }

    /** The connection is owned by {@code owner} from now on: its buffers are the ones borrowed. */
    void ownedBy(final SignalingAgent owner)
    {
        agent = owner;
    }

    /** Network bytes already read from the socket (behind a PROXY header): they are the first the engine sees. */
    void unread(final ByteBuffer bytes)
    {
        if (bytes.hasRemaining())
        {
            netIn = new byte[bytes.remaining()];
            bytes.get(netIn);
            unread = true;
        }
    }

    boolean handshaken()
    {
        return handshaken;
    }

    /**
     * Whether bytes wait here for the reader (plaintext it had no room for, or network bytes read before the TLS
     * layer existed): the selector will not say so, the reader must read again.
     */
    boolean hasBufferedInput()
    {
        return offload == null && (plainIn != null || unread);
    }

    /** Whether the handshake's delegated tasks run on a task thread: the socket must not be watched for reading. */
    boolean tasking()
    {
        return offload != null;
    }

    /**
     * Command RESUME, on the agent's thread: the delegated tasks are done; the handshake goes on (what the engine now
     * has to send is sent). The caller then reads what is held and what the socket has.
     */
    void resume() throws IOException
    {
        offload = null;
        try
        {
            handshake(engine.getHandshakeStatus());
        }
        catch (final SSLException ex)
        {
            inboundDone = true;
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            inboundDone = true;
            throw new SSLException("the TLS engine failed the handshake", ex);
        }
    }

    /** Whether encrypted bytes wait for room in the kernel: the connection must watch for OP_WRITE. */
    boolean holds()
    {
        return netOut != null;
    }

    /** Encrypted bytes waiting for the kernel. */
    int heldBytes()
    {
        return netOut == null ? 0 : netOut.remaining();
    }

    /**
     * Reads what the socket has, as the plain channel's {@code read}: plaintext into {@code dst}, the handshake's own
     * messages answered on the way.
     *
     * @return plaintext bytes put in {@code dst}; -1 at the end of the stream (FIN or close_notify)
     * @throws SSLException when the peer does not speak TLS or breaks it (the handshake then counts as failed)
     */
    int read(final ByteBuffer dst) throws IOException
    {
        int delivered = 0;
        if (offload != null)
        {
            return 0; // the engine is the task thread's for now; the socket's bytes wait in the kernel
        }
        unread = false;
        if (plainIn != null)
        {
            delivered = takePlain(dst);
            if (plainIn != null)
            {
                return delivered;
            }
        }
        if (inboundDone)
        {
            return delivered > 0 ? delivered : -1;
        }
        if (records != null)
        {
            return readReleased(dst, delivered);
        }
        final Scratch scratch = scratch();
        final ByteBuffer net = scratch.netIn.clear();
        if (netIn != null)
        {
            net.put(netIn);
            netIn = null;
        }
        final int read = channel.read(net);
        net.flip();
        try
        {
            delivered += unwrap(net, dst, scratch);
        }
        catch (final SSLException ex)
        {
            inboundDone = true;
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            // What the engine makes of a peer's bytes is bad input, refused like any other, not a fault of ours.
            inboundDone = true;
            throw new SSLException("the TLS engine refused the peer's bytes", ex);
        }
        if (net.hasRemaining() && !inboundDone)
        {
            netIn = new byte[net.remaining()];
            net.get(netIn);
        }
        release();
        return read < 0 && delivered == 0 ? -1 : delivered;
    }

    /** {@link #read} of a connection whose engine was let go. */
    private int readReleased(final ByteBuffer dst, final int before) throws IOException
    {
        int delivered = before;
        final Scratch scratch = scratch();
        final TlsRecords tools = scratch.records();
        final ByteBuffer net = scratch.netIn.clear();
        if (netIn != null)
        {
            net.put(netIn);
            netIn = null;
        }
        final int read = channel.read(net);
        net.flip();
        final ByteBuffer reply = scratch.netOut.clear();
        final boolean closedBefore = outboundDone;
        try
        {
            while (true)
            {
                final int opened = records.open(tools, net, reply);
                if (opened == ReleasedTls.NEED_MORE)
                {
                    break;
                }
                if (opened == ReleasedTls.CLOSED)
                {
                    inboundDone = true; // the peer's close_notify: ours goes with the connection's close
                    break;
                }
                if (opened > 0)
                {
                    delivered += keepPlain(tools.plaintext(opened), dst);
                    if (plainIn != null)
                    {
                        break; // the reader has what it can take; the rest waits, still sealed, in netIn
                    }
                }
            }
        }
        catch (final ReleasedTls.Alert ex)
        {
            inboundDone = true;
            outboundDone = true; // after a fatal alert nothing more is sent, not even close_notify
            releases().closedOn(ex);
            if (ex.description() >= 0)
            {
                records.sealAlert(tools, ex.description(), reply);
            }
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            // A record our layer cannot take ends this connection, never the agent.
            inboundDone = true;
            outboundDone = true;
            throw new SSLException("a record that cannot be processed", ex);
        }
        finally
        {
            // Nothing after our close_notify (RFC 8446 section 6.1): not even the answer to a KeyUpdate.
            if (reply.position() > 0 && !closedBefore)
            {
                emit(reply.flip());
            }
        }
        if (net.hasRemaining() && !inboundDone)
        {
            netIn = new byte[net.remaining()];
            net.get(netIn);
        }
        return (read < 0 || inboundDone) && delivered == 0 ? -1 : delivered;
    }

    /** The owning agent's TLS buffers, large enough for this connection's session (released or not). */
    private Scratch scratch()
    {
        return agent.tlsScratch(packetBytes, applicationBytes);
    }

    /** The counters of released connections (kept even when {@link #releases} is dropped after the release). */
    private TlsReleases releases()
    {
        return releasedBy;
    }

    /**
     * Lets the engine go when the connection may and the engine holds nothing: the handshake is over (its session
     * ticket sent), nothing is half read, held or handed to the reader. Tried after each read and write until it
     * happens or is refused for good.
     */
    private void release()
    {
        if (releases == null || records != null || !handshaken || offload != null || closed || inboundDone ||
            netIn != null || plainIn != null || netOut != null)
        {
            return;
        }
        final ReleasedTls state = releases.take(engine);
        if (state == TlsReleases.NEVER)
        {
            releases = null;
        }
        else if (state != null)
        {
            records = state;
            releasedBy = releases;
            releases = null;
            engine = null;
        }
    }

    private int unwrap(final ByteBuffer net, final ByteBuffer dst, final Scratch scratch) throws IOException
    {
        int delivered = 0;
        while (true)
        {
            final boolean direct = plainIn == null && dst.remaining() >= scratch.plain.capacity();
            final ByteBuffer target = direct ? dst : scratch.plain.clear();
            final SSLEngineResult result = engine.unwrap(net, target);
            if (direct)
            {
                delivered += result.bytesProduced();
            }
            else
            {
                delivered += keepPlain(target.flip(), dst);
            }
            if (result.getStatus() == SSLEngineResult.Status.CLOSED)
            {
                inboundDone = true; // the peer's close_notify: ours goes with the connection's close
                return delivered;
            }
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW)
            {
                throw new SSLException("a record larger than the session's application buffer");
            }
            handshake(result.getHandshakeStatus());
            final boolean underflow = result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW;
            if (underflow || !net.hasRemaining() || plainIn != null || offload != null)
            {
                return delivered;
            }
        }
    }

    /**
     * Drives the handshake from {@code status}: runs delegated tasks (or hands them to a task thread, and stops until
     * {@link #resume}), sends what the engine has to send.
     */
    private void handshake(final SSLEngineResult.HandshakeStatus status) throws IOException
    {
        SSLEngineResult.HandshakeStatus now = status;
        while (true)
        {
            switch (now)
            {
                case FINISHED ->
                {
                    finished();
                    now = engine.getHandshakeStatus();
                    if (now == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING)
                    {
                        return;
                    }
                }
                case NEED_TASK ->
                {
                    // A client's TLS 1.2 renegotiation never gets here: the server engine refuses it (ServerEngine).
                    if (tasks != null && !handshaken)
                    {
                        offloadTasks();
                        return;
                    }
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null)
                    {
                        task.run();
                    }
                    now = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> now = wrapHandshake();
                default ->
                {
                    return;
                }
            }
        }
    }

    /** The engine's delegated tasks go to a task thread, which has the agent resume the connection after them. */
    private void offloadTasks() throws SSLException
    {
        final Offload out = new Offload(agent, engine);
        offload = out;
        try
        {
            tasks.execute(out);
        }
        catch (final RejectedExecutionException ex)
        {
            // Only a closed pool refuses (the budget bounds its queue); the task will never run: the connection
            // fails, and its close gives the place back.
            offload = null;
            throw new SSLException("no room for the handshake's tasks", ex);
        }
    }

    /**
     * One hand-off of the engine's delegated tasks to a task thread. The handshake's place in the budget is given back
     * once by whichever comes second of the tasks' return and the connection's close: a connection cut while the tasks
     * run holds its place until they are done, so the budget counts the work in progress and the task queue, sized by
     * the budget, never overflows.
     */
    private final class Offload implements Runnable
    {
        private final AtomicInteger state = new AtomicInteger(TASKS_OUT);
        private final SignalingAgent owner;
        private final SSLEngine shaking;

        Offload(final SignalingAgent owner, final SSLEngine shaking)
        {
            this.owner = owner;
            this.shaking = shaking;
        }

        /**
         * On a task thread: runs the tasks, then has the agent resume the connection, or ends a cut handshake. A
         * handshake cut before its tasks ran (they waited for a thread past the handshake timeout, as under a CPU
         * shortage) skips them: the crypto of a connection that is gone would only delay the next ones.
         */
        @Override
        public void run()
        {
            try
            {
                Runnable task;
                while (state.get() == TASKS_OUT && (task = shaking.getDelegatedTask()) != null)
                {
                    task.run();
                }
                if (state.get() == TASKS_CUT && shaking.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK)
                {
                    handshake.cryptoSkipped();
                }
            }
            finally
            {
                if (state.compareAndSet(TASKS_OUT, TASKS_BACK))
                {
                    owner.enqueue(SignalingAgent.Command.RESUME, connection);
                }
                else
                {
                    handshake.failed(); // cut while the tasks ran: the work is over now, its place comes back
                }
            }
        }

        /**
         * On the agent's thread: the connection closes while the tasks are out.
         *
         * @return whether they still run (the task thread ends the handshake when they are done); false when they
         * came back already (the caller ends it)
         */
        boolean cut()
        {
            return state.compareAndSet(TASKS_OUT, TASKS_CUT);
        }
    }

    private SSLEngineResult.HandshakeStatus wrapHandshake() throws IOException
    {
        final ByteBuffer out = scratch().netOut.clear();
        SSLEngineResult result;
        do
        {
            result = engine.wrap(EMPTY, out);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW)
            {
                throw new SSLException("a handshake flight larger than the network buffer");
            }
        }
        while (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP &&
            result.getStatus() == SSLEngineResult.Status.OK && result.bytesProduced() > 0);
        emit(out.flip());
        return result.getHandshakeStatus();
    }

    private void finished()
    {
        handshaken = true;
        handshake.completed();
    }

    /**
     * Writes plaintext from {@code src}, as the plain channel's {@code write}: once what was held is out, as much as
     * the network buffer takes is encrypted and written; what the kernel does not take is held (and nothing more is
     * taken from the caller until it is out).
     *
     * @return plaintext bytes taken from {@code src}
     */
    int write(final ByteBuffer src) throws IOException
    {
        if (!flushHeld())
        {
            return 0;
        }
        if (records != null)
        {
            return writeReleased(src);
        }
        final Scratch scratch = scratch();
        int consumed = 0;
        while (src.hasRemaining())
        {
            final ByteBuffer out = scratch.netOut.clear();
            while (src.hasRemaining() && out.remaining() >= scratch.packetBytes)
            {
                final SSLEngineResult result = engine.wrap(src, out);
                if (result.getStatus() != SSLEngineResult.Status.OK)
                {
                    throw new SSLException("cannot encrypt: " + result.getStatus());
                }
                consumed += result.bytesConsumed();
            }
            emit(out.flip());
            if (netOut != null)
            {
                return consumed;
            }
        }
        release();
        return consumed;
    }

    /** {@link #write} of a connection whose engine was let go. */
    private int writeReleased(final ByteBuffer src) throws IOException
    {
        if (outboundDone)
        {
            throw new SSLException("the TLS connection was closed");
        }
        final Scratch scratch = scratch();
        int consumed = 0;
        while (src.hasRemaining())
        {
            final ByteBuffer out = scratch.netOut.clear();
            consumed += records.seal(scratch.records(), src, out);
            emit(out.flip());
            if (netOut != null)
            {
                return consumed;
            }
        }
        return consumed;
    }

    /** Sends close_notify of a released connection, one attempt. */
    private void closeReleased()
    {
        if (outboundDone || netOut != null || !channel.isOpen())
        {
            return;
        }
        outboundDone = true;
        try
        {
            final Scratch scratch = scratch();
            final ByteBuffer out = scratch.netOut.clear();
            records.sealAlert(scratch.records(), ReleasedTls.CLOSE_NOTIFY, out);
            channel.write(out.flip());
        }
        catch (final IOException | RuntimeException ignored)
        {
            // The goodbye is a courtesy: the socket closes anyway.
        }
    }

    /** Writes what the kernel did not take before. @return whether nothing is held any more */
    boolean flushHeld() throws IOException
    {
        if (netOut == null)
        {
            return true;
        }
        channel.write(netOut);
        if (netOut.hasRemaining())
        {
            return false;
        }
        netOut = null;
        return true;
    }

    /** Writes {@code out} (the agent's buffer) behind what is held; the kernel's leftover is copied and held. */
    private void emit(final ByteBuffer out) throws IOException
    {
        if (netOut == null)
        {
            channel.write(out);
            if (out.hasRemaining())
            {
                netOut = ByteBuffer.allocate(out.remaining()).put(out).flip();
            }
            return;
        }
        final ByteBuffer more = ByteBuffer.allocate(netOut.remaining() + out.remaining());
        netOut = more.put(netOut).put(out).flip();
        flushHeld();
    }

    /**
     * The connection closes: close_notify is sent when the handshake is done and nothing is held (one attempt, the
     * socket never waits for it), a handshake that never completed counts as failed (once its delegated tasks are
     * back, when they are out), and what was held is let go.
     */
    void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (offload == null || !offload.cut())
        {
            handshake.failed(); // nothing once it completed
        }
        offload = null;
        if (records != null)
        {
            closeReleased();
        }
        else if (handshaken && netOut == null && channel.isOpen())
        {
            try
            {
                engine.closeOutbound();
                final ByteBuffer out = scratch().netOut.clear();
                engine.wrap(EMPTY, out);
                channel.write(out.flip());
            }
            catch (final IOException | RuntimeException ignored)
            {
                // The goodbye is a courtesy: the socket closes anyway.
            }
        }
        netIn = null;
        plainIn = null;
        netOut = null;
    }

    /** Sends close_notify before the connection's FIN, when it can; the connection goes on reading. */
    void shutdownOutput()
    {
        if (records != null)
        {
            closeReleased();
        }
        else if (handshaken && netOut == null && !engine.isOutboundDone())
        {
            try
            {
                engine.closeOutbound();
                final ByteBuffer out = scratch().netOut.clear();
                engine.wrap(EMPTY, out);
                channel.write(out.flip());
            }
            catch (final IOException | RuntimeException ignored)
            {
                // The FIN follows anyway.
            }
        }
    }

    private int takePlain(final ByteBuffer dst)
    {
        final int n = Math.min(dst.remaining(), plainIn.length - plainInAt);
        dst.put(plainIn, plainInAt, n);
        plainInAt += n;
        if (plainInAt == plainIn.length)
        {
            plainIn = null;
            plainInAt = 0;
        }
        return n;
    }

    /** Puts what fits of {@code plain} in {@code dst}; keeps the rest (behind any kept before). */
    private int keepPlain(final ByteBuffer plain, final ByteBuffer dst)
    {
        int n = 0;
        if (plainIn == null)
        {
            n = Math.min(dst.remaining(), plain.remaining());
            dst.put(dst.position(), plain, plain.position(), n);
            dst.position(dst.position() + n);
            plain.position(plain.position() + n);
        }
        if (plain.hasRemaining())
        {
            final int kept = plainIn == null ? 0 : plainIn.length - plainInAt;
            final byte[] more = new byte[kept + plain.remaining()];
            if (plainIn != null)
            {
                System.arraycopy(plainIn, plainInAt, more, 0, kept);
            }
            plain.get(more, kept, plain.remaining());
            plainIn = more;
            plainInAt = 0;
        }
        return n;
    }

    /**
     * An agent's TLS buffers, lent to one connection's read or write at a time, sized from the sessions' record
     * sizes: network bytes in (as many as the agent's read buffer holds, so what they decrypt to fits it), network
     * bytes out (the agent's write buffer's worth, encrypted), and one record's plaintext for a reader with little
     * room.
     */
    static final class Scratch
    {
        final ByteBuffer netIn;
        final ByteBuffer netOut;
        final ByteBuffer plain;
        final int packetBytes;
        private TlsRecords records;

        Scratch(final int packetBytes, final int applicationBytes)
        {
            this.packetBytes = packetBytes;
            this.netIn = ByteBuffer.allocate(Math.max(SignalingAgent.BUFFER_BYTES, packetBytes));
            this.netOut = ByteBuffer.allocate(SignalingAgent.BUFFER_BYTES + 2 * packetBytes);
            this.plain = ByteBuffer.allocate(applicationBytes);
        }

        /** The ciphers of released connections, made for the first. */
        TlsRecords records()
        {
            if (records == null)
            {
                records = new TlsRecords();
            }
            return records;
        }
    }
}
