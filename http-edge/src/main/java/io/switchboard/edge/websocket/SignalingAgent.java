package io.switchboard.edge.websocket;

import io.switchboard.engine.health.Watch;
import io.switchboard.engine.metrics.Histogram;
import io.switchboard.protocol.http.HttpRequestHead;
import io.switchboard.protocol.websocket.WebSocketFrameHeader;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One signaling agent: it alone reads the HTTP connections and WebSockets handed to it, owns their timeouts and other
 * deadlines. A duty cycle is {@code selectNow -> ready connections read (and relay) or flush -> inbox of commands from
 * other threads -> the timer wheel until nothing is due -> the outbox, one gathered write per destination}, so what
 * handling a batch sends goes out at its end (the Disruptor's end-of-batch flush).
 * <p>
 * Owns: its selector, its inbox of typed {@link Command}s, one {@link DeadlineTimerWheel} on an injected
 * {@link NanoClock}, its {@link Outbox} and the buffers a socket is read into and framed in (an idle socket holds
 * none). Other threads may only {@link #enqueue} a command; everything else is touched by the agent's thread.
 * <p>
 * Idle, it blocks in the selector until the next deadline or a wake-up (no spinning on a small box). An exception in
 * one connection's handling ends that connection and is reported to the agent's {@link Watch}; an Error fails the
 * watch and ends the thread, its sockets cut first. Closing sends every socket a 1001 close.
 */
public final class SignalingAgent implements Agent
{
    /** Timer wheel tick: a deadline fires at the first duty cycle at or after it, at most this late. */
    public static final long TICK_MS = 8;
    static final int BUFFER_BYTES = 64 * 1024;
    private static final int TICKS_PER_WHEEL = 512;
    private static final int TIMERS_PER_POLL = 256;
    private static final int COMMANDS_PER_CYCLE = 1024;
    private static final Consumer<SelectionKey> IGNORE = key -> { };

    /** What a deadline on the agent's wheel calls, on the agent's thread. */
    public interface Timer
    {
        /** The deadline passed ({@code nowMs} on the agent's clock); the timer is gone from the wheel. */
        void onDeadline(long nowMs);
    }

    /**
     * Work an agent does in each duty cycle besides its sockets, such as the messages other agents send the realm shard
     * it owns. Runs on the agent's thread only.
     */
    public interface Duty
    {
        /** Does what is waiting, a bounded amount; returns how much. */
        int doWork();

        /** From the agent's thread as it is about to block: whether {@link #doWork} has anything to do now. */
        boolean hasWork();
    }

    /**
     * What a key of the agent's selector carries: a channel the agent owns (a WebSocket, an HTTP connection, the
     * listening socket). Called on the agent's thread only.
     */
    interface Attachment
    {
        /** The channel is ready for {@link SelectionKey} ops {@code readyOps}. */
        void onReady(int readyOps);

        /** The agent stops: the channel is cut (a WebSocket says 1001 first). */
        void goAway();

        /** Cuts the channel now, as the agent's answer to a fault in its handling. */
        void abort();

        /** Command {@link Command#ADOPT}: the agent starts watching the channel (a WebSocket has REGISTER). */
        default void adopt()
        {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " is registered otherwise");
        }

        /** Command {@link Command#RESUME}: work another thread did for the channel is done; it goes on. */
        default void resume()
        {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " hands no work to other threads");
        }
    }

    /** A command another thread sends a connection's agent: what it asks, on the agent's thread. */
    enum Command
    {
        /** Own an accepted HTTP connection, or a listening socket: watch it from now on. */
        ADOPT,
        /** Start reading the connection (its handshake is done). */
        REGISTER,
        /** A close frame was sent: cut the connection once its close grace has passed. */
        GRACE,
        /** A write failed: cut the connection now. */
        ABORT,
        /** A TLS handshake's delegated tasks ran on a task thread: go on with the connection's handshake. */
        RESUME
    }

    private final String name;
    private final Watch watch;
    private final NanoClock clock;
    private final Selector selector;
    private final ManyToOneConcurrentLinkedQueue<Entry> inbox = new ManyToOneConcurrentLinkedQueue<>();
    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Timer> timers = new Long2ObjectHashMap<>();
    private final IdleStrategy idle = new SelectorIdle();
    /** One local address object for the sockets of this agent. */
    private final SharedLocalAddress localAddress = new SharedLocalAddress();
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    /** Reads the header of the frame a connection of this agent is decoding (agent thread only). */
    final WebSocketFrameHeader frameHeader = new WebSocketFrameHeader();
    /** Reads the request head an HTTP connection of this agent has received (agent thread only). */
    final HttpRequestHead requestHead = new HttpRequestHead();
    private final Outbox outbox = new Outbox(writeBuffer);
    /** The buffers TLS connections of this agent read and write through; made for the first. */
    private TlsChannel.Scratch tlsScratch;
    /** A whole unfragmented message, valid while its handler runs; made on first use. */
    private byte[] message;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final DeadlineTimerWheel.TimerHandler onTimer = this::onTimer;
    private volatile Thread thread;
    private volatile boolean stopping;
    /**
     * Set while the agent blocks in its selector, so another thread's {@link #wake} calls the selector only then; the
     * first waker clears it, so a burst of work given to a sleeping agent wakes it with one call (the selector's
     * wake-up takes a lock the waking agent also takes, and the links thread gives work message by message).
     */
    private volatile boolean sleeping;
    private static final VarHandle SLEEPING;

    static
    {
        try
        {
            SLEEPING = MethodHandles.lookup().findVarHandle(SignalingAgent.class, "sleeping", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
    private volatile Duty[] duties = new Duty[0];
    /** Relays of the current duty cycle ({@link #relayed}), and where their time goes; null: not measured. */
    private int relayedInCycle;
    private volatile Histogram relayTime;
    private long nowMs;
    /** A deadline no later than the earliest on the wheel when known; else Long.MAX_VALUE. */
    private long earliestMs = Long.MAX_VALUE;

    /** An agent called {@code name} reporting to {@code watch}; time is {@code clock}'s. */
    public SignalingAgent(final String name, final Watch watch, final NanoClock clock)
    {
        this.name = name;
        this.watch = watch;
        this.clock = clock;
        try
        {
            selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open a selector for " + name, ex);
        }
        nowMs = clockMs();
        wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, nowMs, TICK_MS, TICKS_PER_WHEEL);
    }

    @Override
    public String roleName()
    {
        return name;
    }

    /** Blocks in the selector until a socket is ready, the next deadline or a wake-up. */
    IdleStrategy idleStrategy()
    {
        return idle;
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
    }

    @Override
    public int doWork() throws IOException
    {
        nowMs = clockMs();
        final long startNs = relayTime == null ? 0 : System.nanoTime();
        try
        {
            int work = selector.selectNow(onReady);
            for (final Duty duty : duties)
            {
                work += duty.doWork();
            }
            work += drainInbox();
            work += pollTimers();
            outbox.flush();
            if (relayedInCycle > 0)
            {
                final Histogram histogram = relayTime;
                if (histogram != null)
                {
                    histogram.record((System.nanoTime() - startNs) / 1_000, relayedInCycle);
                }
                relayedInCycle = 0;
            }
            return work;
        }
        catch (final Error error)
        {
            // The runner ends the thread without closing the agent: its sockets are cut here first.
            onClose();
            throw error;
        }
    }

    /** Every connection still here is sent a 1001 close and cut (its handler hears it), then the selector goes. */
    @Override
    public void onClose()
    {
        drainInbox();
        final List<Attachment> open = new ArrayList<>();
        try
        {
            for (final SelectionKey key : selector.keys())
            {
                if (key.attachment() instanceof Attachment attachment)
                {
                    open.add(attachment);
                }
            }
        }
        catch (final ClosedSelectorException ex)
        {
            return;
        }
        outbox.flush();
        open.forEach(Attachment::goAway);
        try
        {
            selector.close();
        }
        catch (final IOException ignored)
        {
            // Nothing left to release.
        }
    }

    /** From any thread: the agent stops blocking, so its runner can end it. */
    void stop()
    {
        stopping = true;
        selector.wakeup();
    }

    /**
     * Measures relay time from now on: each relayed frame's time is its duty cycle's, from the cycle's start (its
     * bytes read) to its end (the outbox written). Called by the one thread composing a listener.
     */
    public void measureRelays(final Histogram histogram)
    {
        relayTime = histogram;
    }

    /** On the agent's thread: one frame was relayed (sent or handed to the outbox) in this duty cycle. */
    public void relayed()
    {
        relayedInCycle++;
    }

    /**
     * Adds work the agent does in each duty cycle from now on; the agent sees it by its next cycle. Called by the one
     * thread composing a listener, as it starts.
     */
    public void addDuty(final Duty duty)
    {
        final Duty[] more = java.util.Arrays.copyOf(duties, duties.length + 1);
        more[duties.length] = duty;
        duties = more;
    }

    /**
     * From another thread, after giving one of this agent's {@link Duty duties} work: the agent wakes if it is blocked
     * in its selector (a busy agent finds the work in its next cycle, so no system call is made for it).
     */
    public void wake()
    {
        VarHandle.fullFence(); // the work given is visible before sleeping is read (the agent writes it, then looks)
        if (sleeping && SLEEPING.compareAndSet(this, true, false))
        {
            selector.wakeup();
        }
    }

    private boolean dutiesHaveWork()
    {
        for (final Duty duty : duties)
        {
            if (duty.hasWork())
            {
                return true;
            }
        }
        return false;
    }

    /** From any thread: asks the agent to do {@code command} for {@code connection}, soon. */
    void enqueue(final Command command, final Attachment connection)
    {
        inbox.offer(new Entry(command, connection));
        selector.wakeup();
    }

    boolean onAgentThread()
    {
        return Thread.currentThread() == thread;
    }

    /** The agent whose thread calls this, or null on any other thread. */
    static SignalingAgent current()
    {
        return Thread.currentThread() instanceof SignalingAgents.AgentThread agentThread ? agentThread.agent() : null;
    }

    /** Called after changing a key's interest: another thread's change must wake the selector. */
    void interestChanged()
    {
        if (!onAgentThread())
        {
            selector.wakeup();
        }
    }

    /** An exception one connection's handling threw: that connection ends, the agent carries on. */
    void survived(final RuntimeException ex)
    {
        watch.onError(ex);
    }

    /**
     * On the agent's thread: the key {@code connection}'s channel reads and writes through from now on (a channel
     * registered here already keeps its key, with this interest and attachment).
     */
    SelectionKey register(final Attachment connection, final SelectableChannel channel, final int interest)
        throws IOException
    {
        if (channel instanceof SocketChannel socket)
        {
            localAddress.share(socket);
        }
        return channel.register(selector, interest, connection);
    }

    Outbox outbox()
    {
        return outbox;
    }

    byte[] message()
    {
        if (message == null)
        {
            message = new byte[BUFFER_BYTES];
        }
        return message;
    }

    /**
     * On the agent's thread: the TLS buffers, lent to one read or write at a time, for a connection whose session's
     * largest network record and plaintext are {@code packetBytes} and {@code applicationBytes} (the JDK gives every
     * session the largest sizes up front, and a connection whose engine was let go keeps its session's); made for the
     * first TLS connection, made again larger should a session need more.
     */
    TlsChannel.Scratch tlsScratch(final int packetBytes, final int applicationBytes)
    {
        if (tlsScratch == null || tlsScratch.packetBytes < packetBytes ||
            tlsScratch.plain.capacity() < applicationBytes)
        {
            tlsScratch = new TlsChannel.Scratch(
                tlsScratch == null ? packetBytes : Math.max(packetBytes, tlsScratch.packetBytes),
                tlsScratch == null ? applicationBytes : Math.max(applicationBytes, tlsScratch.plain.capacity()));
        }
        return tlsScratch;
    }

    /** The agent's clock, in milliseconds, as of the current duty cycle (agent's thread). */
    public long nowMs()
    {
        return nowMs;
    }

    /**
     * On the agent's thread: {@code timer} is called at the first duty cycle at or after {@code deadlineMs} (at most
     * {@link #TICK_MS} late).
     *
     * @return the timer's id, for {@link #cancel}
     */
    public long schedule(final long deadlineMs, final Timer timer)
    {
        final long id = wheel.scheduleTimer(deadlineMs);
        timers.put(id, timer);
        if (deadlineMs < earliestMs)
        {
            earliestMs = deadlineMs;
        }
        return id;
    }

    /** On the agent's thread: the timer {@link #schedule} returned will not fire (nothing if it has). */
    public void cancel(final long timerId)
    {
        if (timers.remove(timerId) != null)
        {
            wheel.cancelTimer(timerId);
        }
    }

    /** Deadlines on the wheel (agent's thread). */
    int scheduledTimers()
    {
        return timers.size();
    }

    private long clockMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime());
    }

    private void onReady(final SelectionKey key)
    {
        if (key.isValid())
        {
            ((Attachment)key.attachment()).onReady(key.readyOps());
        }
    }

    private int drainInbox()
    {
        int done = 0;
        Entry entry;
        while (done < COMMANDS_PER_CYCLE && (entry = inbox.poll()) != null)
        {
            done++;
            try
            {
                switch (entry.command())
                {
                    case ADOPT -> entry.connection().adopt();
                    case REGISTER -> ((WebSocketConnection)entry.connection()).register();
                    case GRACE -> ((WebSocketConnection)entry.connection()).startGrace();
                    case ABORT -> entry.connection().abort();
                    case RESUME -> entry.connection().resume();
                    default -> throw new IllegalStateException("unknown command " + entry.command());
                }
            }
            catch (final RuntimeException ex)
            {
                // One connection's fault must not end the agent that owns the others.
                watch.onError(ex);
                entry.connection().abort();
            }
        }
        return done;
    }

    /** Polls the wheel until nothing is due now. */
    private int pollTimers()
    {
        if (wheel.timerCount() == 0)
        {
            if (nowMs >= wheel.currentTickTime())
            {
                wheel.resetStartTime(nowMs); // nothing to catch up with: the next deadline starts a fresh count
            }
            earliestMs = Long.MAX_VALUE;
            return 0;
        }
        int fired = 0;
        int expired;
        long tickTime;
        do
        {
            tickTime = wheel.currentTickTime();
            expired = wheel.poll(nowMs, onTimer, TIMERS_PER_POLL);
            fired += expired;
        }
        while (expired > 0 || wheel.currentTickTime() != tickTime); // a poll visits one tick: go on while it moves
        if (earliestMs <= nowMs)
        {
            earliestMs = Long.MAX_VALUE;
        }
        return fired;
    }

    private boolean onTimer(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final Timer timer = timers.remove(timerId);
        if (timer != null)
        {
            try
            {
                timer.onDeadline(now);
            }
            catch (final RuntimeException ex)
            {
                watch.onError(ex);
            }
        }
        return true;
    }

    /** How long the selector may block: until the wheel's next tick or the earliest known deadline; 0 is forever. */
    long idleTimeoutMs()
    {
        if (wheel.timerCount() == 0)
        {
            return 0;
        }
        final long now = clockMs();
        final long until = Math.min(earliestMs, wheel.currentTickTime());
        return Math.max(1, until - now);
    }

    /** Blocks in the selector; ready keys are handled by the next duty cycle's selectNow (epoll is level-triggered). */
    private final class SelectorIdle implements IdleStrategy
    {
        @Override
        public void idle(final int workCount)
        {
            if (workCount <= 0)
            {
                idle();
            }
        }

        @Override
        public void idle()
        {
            if (stopping)
            {
                Thread.onSpinWait();
                return;
            }
            sleeping = true;
            try
            {
                if (!dutiesHaveWork())
                {
                    selector.select(IGNORE, idleTimeoutMs());
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("signaling agent " + name + " lost its selector", ex);
            }
            finally
            {
                sleeping = false;
            }
        }

        @Override
        public void reset()
        {
        }

        @Override
        public String alias()
        {
            return "signaling-selector";
        }
    }

    /** One command in the inbox. */
    private record Entry(Command command, Attachment connection)
    {
    }
}
