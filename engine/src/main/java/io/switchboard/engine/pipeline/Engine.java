package io.switchboard.engine.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.health.Watch;
import io.switchboard.engine.links.LinkEndpoint;
import io.switchboard.engine.metrics.Metrics;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's data path, assembled: non-blocking UDP channels, one receiver agent, one multi-producer Disruptor
 * ring, one handler that owns all protocol state and their one timer wheel, and a ticker that publishes time into
 * the ring.
 * {@code socket -> UdpReceiver -> ring -> EngineHandler -> UdpProtocol -> DatagramSender}.
 * <p>
 * Threading, as Aeron's media driver offers it: {@code dedicated} runs the receiver and the handler on two threads
 * (the handler waits on the ring with the configured wait strategy); {@code shared} runs both agents on one thread,
 * which blocks in {@code select} when idle and is woken by the commands other threads publish. On a 2-core machine
 * shared saves the hand-off between the threads (see docs/performance.md).
 * <p>
 * Each thread reports to a {@link Watch}: an exception in one event or duty cycle is logged and counted and the thread
 * carries on with its state (the handler's tables are its own); an Error, or a thread that ends, fails the engine.
 */
public final class Engine implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;
    /** The handler's thread in dedicated threading. */
    private static final String HANDLER_THREAD = "switchboard-engine";
    /** The phased strategy spins this long, then yields as long again, before it blocks. */
    private static final long PHASED_SPIN_MICROS = 20;

    private final DatagramChannel[] channels;
    private final Map<String, Integer> boundPorts = new LinkedHashMap<>();
    private final Selector selector;
    /** Null when the threading is shared. */
    private final Disruptor<RingSlot> disruptor;
    private final CommandPublisher commands;
    private final EngineHandler handler;
    /** The receiver agent, or in shared threading the receiver and the handler composed on one thread. */
    private final AgentRunner agentRunner;
    private final Watch agentWatch;
    private final Thread ticker;
    private volatile boolean running = true;
    private boolean closed;

    private Engine(
        final EngineContext context,
        final Metrics metrics,
        final Liveness liveness,
        final List<UdpListenerSpec> listeners) throws IOException
    {
        final int count = listeners.size();
        final List<InetAddress> addresses = context.bindAddresses();
        final int perListener = addresses.size();
        channels = new DatagramChannel[count * perListener];
        final int[] listenerOf = new int[channels.length];
        selector = Selector.open();
        final AtomicCounter[] received = new AtomicCounter[count];
        final AtomicCounter[] oversize = new AtomicCounter[count];
        final AtomicCounter[] ringFull = new AtomicCounter[count];
        final DatagramSender[] senders = new DatagramSender[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                final UdpListenerSpec spec = listeners.get(i);
                final String label = "listener=\"" + spec.name() + "\"";
                final DatagramChannel[] own = new DatagramChannel[perListener];
                int port = spec.port();
                for (int a = 0; a < perListener; a++)
                {
                    own[a] = open(context, new InetSocketAddress(addresses.get(a), port));
                    // Port 0: the kernel's choice for the first address is the listener's port on every address.
                    port = ((InetSocketAddress)own[a].getLocalAddress()).getPort();
                    channels[i * perListener + a] = own[a];
                    listenerOf[i * perListener + a] = i;
                    own[a].register(selector, SelectionKey.OP_READ);
                }
                boundPorts.put(spec.name(), port);
                received[i] = metrics.counter(
                    "switchboard_udp_datagrams_received_total", label, "Datagrams read from a UDP listener.");
                oversize[i] = metrics.counter("switchboard_udp_datagrams_dropped_total",
                    label + ",reason=\"oversize\"", "Datagrams dropped before decoding, by reason.");
                ringFull[i] = metrics.counter("switchboard_udp_datagrams_dropped_total",
                    label + ",reason=\"ring_full\"", "Datagrams dropped before decoding, by reason.");
                senders[i] = new DatagramSender(
                    own,
                    context.maxDatagramBytes(),
                    metrics.counter("switchboard_udp_datagrams_sent_total", label, "Datagrams sent by a UDP listener."),
                    metrics.counter("switchboard_udp_send_failures_total", label,
                        "Replies the kernel refused (full socket buffer, unreachable destination)."));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietCloseAll(channels);
            CloseHelper.quietClose(selector);
            throw ex;
        }

        final boolean shared = context.threading() == EngineContext.Threading.SHARED;
        final RingBuffer<RingSlot> ring;
        if (shared)
        {
            disruptor = null;
            // Nobody waits on the ring: its consumer polls, so the strategy's publish-side signal must cost nothing.
            ring = RingBuffer.createMultiProducer(
                () -> new RingSlot(context.maxDatagramBytes()), context.ringSize(), new BusySpinWaitStrategy());
        }
        else
        {
            final Watch handlerWatch = liveness.register(HANDLER_THREAD);
            disruptor = new Disruptor<>(
                () -> new RingSlot(context.maxDatagramBytes()),
                context.ringSize(),
                runnable -> newThread(runnable, HANDLER_THREAD, handlerWatch),
                ProducerType.MULTI,
                waitStrategy(context.waitStrategy()));
            disruptor.setDefaultExceptionHandler(reportingTo(handlerWatch));
            ring = disruptor.getRingBuffer();
        }
        commands = new CommandPublisher(
            ring,
            metrics.counter("switchboard_engine_commands_published_total", "",
                "Commands published into the engine's ring."),
            metrics.counter("switchboard_engine_commands_rejected_total", "",
                "Commands not published because the ring was full (ticks only; others wait)."),
            shared ? selector::wakeup : () -> { });

        final EngineClock clock = new EngineClock();
        final EngineTimers timers = new EngineTimers(clock.nowMs());
        final UdpProtocol[] protocols = new UdpProtocol[count];
        for (int i = 0; i < count; i++)
        {
            protocols[i] = listeners.get(i).factory().create(senders[i], clock, timers, commands);
        }
        handler = new EngineHandler(
            protocols,
            clock,
            timers,
            metrics.counter("switchboard_engine_commands_unknown_total", "", "Commands no protocol recognised."),
            metrics.counter("switchboard_engine_handler_errors_total", "",
                "Events whose handling threw; the engine carried on."),
            metrics.counter("switchboard_engine_batches_total", "",
                "Batches the handler took from the ring (one wake-up each); events per batch = events/batches."),
            metrics.counter("switchboard_engine_events_total", "", "Ring events (datagrams and commands) handled."));

        final UdpReceiver receiver = new UdpReceiver(
            channels, listenerOf, ring, context.maxDatagramBytes(), received, oversize, ringFull);
        final Agent agent;
        if (shared)
        {
            agent = new EngineAgent(receiver, new RingPoller(ring, handler));
        }
        else
        {
            disruptor.handleEventsWith(handler);
            agent = receiver;
        }
        agentWatch = liveness.register(agent.roleName()); // as its thread is called
        agentRunner = new AgentRunner(
            new SelectorIdleStrategy(selector, 0, 100),
            agentWatch,
            metrics.counter("switchboard_engine_receiver_errors_total", "", "Errors in the UDP receiver loop."),
            agent);

        final long tickNanos = TimeUnit.MILLISECONDS.toNanos(context.tickIntervalMs());
        ticker = newThread(() ->
        {
            // Ticks on a fixed schedule: each wake-up's overshoot is not added to the next interval.
            long nextTick = System.nanoTime() + tickNanos;
            while (running)
            {
                LockSupport.parkNanos(nextTick - System.nanoTime());
                final long now = System.nanoTime();
                if (now - nextTick >= 0)
                {
                    commands.tryPublishTick();
                    nextTick += tickNanos;
                    if (nextTick - now <= 0)
                    {
                        // Missed whole ticks (a stall): one tick now stands for them, the schedule restarts.
                        nextTick = now + tickNanos;
                    }
                }
            }
        }, "switchboard-ticker", liveness.register("switchboard-ticker"));
    }

    /** The handler's own catch counts an event's exception; whatever passes it is the watch's. */
    private static ExceptionHandler<RingSlot> reportingTo(final Watch watch)
    {
        return new ExceptionHandler<>()
        {
            @Override
            public void handleEventException(final Throwable ex, final long sequence, final RingSlot event)
            {
                watch.onError(ex);
            }

            @Override
            public void handleOnStartException(final Throwable ex)
            {
                watch.onError(ex);
            }

            @Override
            public void handleOnShutdownException(final Throwable ex)
            {
                watch.onError(ex);
            }
        };
    }

    /** Opens the listeners and starts the handler, the receiver and the ticker, each reporting to {@code liveness}. */
    public static Engine launch(
        final EngineContext context,
        final Metrics metrics,
        final Liveness liveness,
        final List<UdpListenerSpec> listeners)
    {
        context.conclude();
        final Engine engine;
        try
        {
            engine = new Engine(context, metrics, liveness, listeners);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if (engine.disruptor != null)
        {
            engine.disruptor.start();
        }
        AgentRunner.startOnThread(engine.agentRunner,
            runnable -> newThread(runnable, engine.agentRunner.agent().roleName(), engine.agentWatch));
        engine.ticker.start();
        return engine;
    }

    /** Listener name to the port it is bound to. */
    public Map<String, Integer> boundPorts()
    {
        return boundPorts;
    }

    public int boundPort(final String listener)
    {
        final Integer port = boundPorts.get(listener);
        if (port == null)
        {
            throw new IllegalArgumentException("no listener " + listener);
        }
        return port;
    }

    public CommandPublisher commands()
    {
        return commands;
    }

    /**
     * The door through which the links hand the engine's protocols what other cluster nodes sent (one caller: the
     * links thread). A message larger than a ring slot is dropped and counted.
     */
    public LinkEndpoint linkEndpoint(final Metrics metrics)
    {
        return new EngineLinkEndpoint(commands, commands.slotCapacity(), metrics.counter(
            "switchboard_links_engine_dropped_total", "reason=\"too_long\"",
            "Messages from other nodes the engine dropped: larger than a ring slot."));
    }

    /**
     * Stops taking datagrams, lets the handler finish what the ring holds, closes the protocols' tables on the
     * handler thread, then closes the sockets.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        running = false;
        ticker.interrupt();
        selector.wakeup();
        CloseHelper.quietClose(agentRunner);
        if (disruptor != null)
        {
            try
            {
                disruptor.shutdown(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException ex)
            {
                LOG.warn("engine ring not drained within {} ms; halting", SHUTDOWN_TIMEOUT_MS);
                disruptor.halt();
            }
            awaitHandlerClosed();
        }
        CloseHelper.quietCloseAll(channels);
        CloseHelper.quietClose(selector);
    }

    private void awaitHandlerClosed()
    {
        try
        {
            if (!handler.awaitClosed(SHUTDOWN_TIMEOUT_MS))
            {
                LOG.warn("engine handler did not close its protocols within {} ms", SHUTDOWN_TIMEOUT_MS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static DatagramChannel open(final EngineContext context, final InetSocketAddress bind) throws IOException
    {
        final DatagramChannel channel = bind.getAddress() instanceof java.net.Inet6Address ?
            DatagramChannel.open(StandardProtocolFamily.INET6) : DatagramChannel.open(StandardProtocolFamily.INET);
        try
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, context.socketBufferBytes());
            channel.setOption(StandardSocketOptions.SO_SNDBUF, context.socketBufferBytes());
            channel.configureBlocking(false);
            channel.bind(bind);
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private static WaitStrategy waitStrategy(final EngineContext.HandlerWait wait)
    {
        return switch (wait)
        {
            case BLOCKING -> new BlockingWaitStrategy();
            case LITE_BLOCKING -> new LiteBlockingWaitStrategy();
            case PHASED -> PhasedBackoffWaitStrategy.withLiteLock(
                PHASED_SPIN_MICROS, 2 * PHASED_SPIN_MICROS, TimeUnit.MICROSECONDS);
            case SLEEPING -> new SleepingWaitStrategy();
            case YIELDING -> new YieldingWaitStrategy();
            case BUSY_SPIN -> new BusySpinWaitStrategy();
        };
    }

    private static Thread newThread(final Runnable runnable, final String name, final Watch watch)
    {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(watch);
        return thread;
    }
}
