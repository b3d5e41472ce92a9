package io.switchboard.engine.config;

import java.net.InetAddress;
import java.util.List;

/**
 * Configuration of the engine itself, one object, Aeron-style: its UDP listeners' address and buffers, the ring,
 * its threads and their timer tick. Defaults are named constants, setters return this, and {@link #conclude()}
 * validates before anything is opened. The protocols on the engine have their own contexts ({@code IceContext},
 * {@code PulseContext}); nothing else in the engine reads configuration.
 */
public final class EngineContext
{
    /** How the UDP receiver and the handler share threads. */
    public enum Threading
    {
        /** Both run as agents on one thread: no hand-off between threads. */
        SHARED,
        /** One thread each; the handler waits on the ring with the {@link HandlerWait}. */
        DEDICATED
    }

    /** How a {@link Threading#DEDICATED} handler thread waits for the ring (the Disruptor's wait strategies). */
    public enum HandlerWait
    {
        BLOCKING,
        LITE_BLOCKING,
        PHASED,
        SLEEPING,
        YIELDING,
        BUSY_SPIN
    }

    public static final String DEFAULT_BIND_ADDRESS = BindAddresses.DUAL_STACK;
    public static final int DEFAULT_RING_SIZE = 8192;
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 2048;
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
    public static final Threading DEFAULT_THREADING = Threading.SHARED;
    public static final HandlerWait DEFAULT_WAIT_STRATEGY = HandlerWait.BLOCKING;
    public static final long DEFAULT_TICK_INTERVAL_MS = 100;

    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private List<InetAddress> bindAddresses;
    private int ringSize = DEFAULT_RING_SIZE;
    private int maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES;
    private int socketBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;
    private Threading threading = DEFAULT_THREADING;
    private HandlerWait waitStrategy = DEFAULT_WAIT_STRATEGY;
    private long tickIntervalMs = DEFAULT_TICK_INTERVAL_MS;

    public EngineContext conclude()
    {
        bindAddresses = BindAddresses.resolve(bindAddress);
        if (ringSize < 16 || Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("ring size must be a power of two >= 16: " + ringSize);
        }
        Require.range("max datagram bytes", maxDatagramBytes, 576, 65_507);
        Require.range("socket buffer bytes", socketBufferBytes, 65_536, Integer.MAX_VALUE);
        if (threading == null || waitStrategy == null)
        {
            throw new IllegalArgumentException("engine threading and wait strategy must be set");
        }
        Require.range("tick interval ms", tickIntervalMs, 1, 10_000);
        return this;
    }

    /** Address every UDP listener binds to. */
    /** As given: a comma-separated list ({@link BindAddresses}). */
    public String bindAddress() { return bindAddress; }
    /** The addresses each UDP listener binds, one socket each; concluded. */
    public List<InetAddress> bindAddresses() { return bindAddresses; }
    public EngineContext bindAddress(final String value) { bindAddress = value; return this; }
    /** Slots in the ring, a power of two. */
    public int ringSize() { return ringSize; }
    public EngineContext ringSize(final int value) { ringSize = value; return this; }
    /** Size of a ring slot: longer datagrams are counted and dropped. */
    public int maxDatagramBytes() { return maxDatagramBytes; }
    public EngineContext maxDatagramBytes(final int value) { maxDatagramBytes = value; return this; }
    /** SO_RCVBUF and SO_SNDBUF of the UDP listeners. */
    public int socketBufferBytes() { return socketBufferBytes; }
    public EngineContext socketBufferBytes(final int value) { socketBufferBytes = value; return this; }
    public Threading threading() { return threading; }
    public EngineContext threading(final Threading value) { threading = value; return this; }
    public HandlerWait waitStrategy() { return waitStrategy; }
    public EngineContext waitStrategy(final HandlerWait value) { waitStrategy = value; return this; }
    /** Interval of the timer signal: protocol deadlines fire at most one tick late. */
    public long tickIntervalMs() { return tickIntervalMs; }
    public EngineContext tickIntervalMs(final long value) { tickIntervalMs = value; return this; }
}
