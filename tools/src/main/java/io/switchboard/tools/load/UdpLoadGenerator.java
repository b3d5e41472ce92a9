package io.switchboard.tools.load;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Closed-loop UDP load from many sockets toward one target: each socket keeps {@code window} requests outstanding and
 * sends the next one as soon as a reply comes back, so throughput is what the target sustains, not what we offer.
 * <p>
 * Requests come from a {@link DatagramSource} and replies are judged by a {@link ReplyCheck}, so other load modes reuse
 * this engine with their own protocol through {@link #run(Config, DatagramSource, ReplyCheck)}. The run ends by itself
 * after warmup + duration and only ever sends to the target.
 */
public final class UdpLoadGenerator
{
    public static final String COMMAND = "udp-load";
    public static final int MAX_DATAGRAM_BYTES = 65_535;
    /** "switchboard-load" in ASCII. */
    public static final String DEFAULT_PAYLOAD_HEX = "737769746368626f6172642d6c6f6164";

    private static final double NANOS_PER_SECOND = 1e9;
    private static final double NANOS_PER_MICRO = 1e3;
    private static final double NANOS_PER_MILLI = 1e6;
    private static final long CPU_NOT_MEASURED = -1;

    private static final List<Flag> CLI_FLAGS = Stream.concat(
        Config.FLAGS.stream(),
        Stream.of(
            new Flag("payload-hex", DEFAULT_PAYLOAD_HEX, "request payload, hex; any reply is accepted"),
            new Flag("label", null, "tag on the result line, default the target"),
            new Flag("json", "false", "print the result as one JSON object instead of key=value")))
        .toList();

    /**
     * How to load the target.
     *
     * @param target        where every request goes.
     * @param sockets       UDP sockets, each with its own ephemeral port.
     * @param window        requests each socket keeps outstanding.
     * @param warmupNanos   time before counting starts.
     * @param durationNanos measured time after warmup.
     * @param timeoutNanos  age at which a request with no reply is counted lost and re-sent.
     * @param threads       load threads the sockets are split over, at most {@code sockets}.
     * @param serverPid     process whose CPU is read over the measured interval, {@link #NO_SERVER_PID} for none.
     */
    public record Config(
        InetSocketAddress target,
        int sockets,
        int window,
        long warmupNanos,
        long durationNanos,
        long timeoutNanos,
        int threads,
        long serverPid)
    {
        public static final int DEFAULT_SOCKETS = 64;
        public static final int DEFAULT_WINDOW = 1;
        public static final long DEFAULT_WARMUP_S = 2;
        public static final long DEFAULT_DURATION_S = 10;
        public static final long DEFAULT_TIMEOUT_MS = 200;
        public static final int DEFAULT_THREADS = 1;
        public static final long NO_SERVER_PID = 0;

        /**
         * The flags {@link #from(Flags)} reads; a load mode adds its own to these.
         */
        public static final List<Flag> FLAGS = List.of(
            new Flag("target", null, "host:port every request goes to (required)"),
            new Flag("sockets", Integer.toString(DEFAULT_SOCKETS), "UDP sockets"),
            new Flag("window", Integer.toString(DEFAULT_WINDOW), "outstanding requests per socket"),
            new Flag("duration-s", Long.toString(DEFAULT_DURATION_S), "measured seconds, may be fractional"),
            new Flag("warmup-s", Long.toString(DEFAULT_WARMUP_S), "seconds before measuring starts"),
            new Flag("timeout-ms", Long.toString(DEFAULT_TIMEOUT_MS),
                "no reply by then: the request counts as lost and is re-sent"),
            new Flag("threads", Integer.toString(DEFAULT_THREADS), "load threads the sockets are split over"),
            new Flag("server-pid", null, "read this process's CPU from /proc over the measured interval"));

        public Config
        {
            if (null == target || target.isUnresolved())
            {
                throw new IllegalArgumentException("target must be a resolved address: " + target);
            }
            requireAtLeast("sockets", sockets, 1);
            requireAtLeast("window", window, 1);
            requireAtLeast("warmup nanos", warmupNanos, 0);
            requireAtLeast("duration nanos", durationNanos, 1);
            requireAtLeast("timeout nanos", timeoutNanos, 1);
            requireAtLeast("threads", threads, 1);
            requireAtLeast("server pid", serverPid, NO_SERVER_PID);
            if (threads > sockets)
            {
                throw new IllegalArgumentException("threads=" + threads + " exceeds sockets=" + sockets);
            }
        }

        /**
         * @param target where every request goes.
         * @return the defaults of every other field.
         */
        public static Config defaults(final InetSocketAddress target)
        {
            return new Config(
                target,
                DEFAULT_SOCKETS,
                DEFAULT_WINDOW,
                TimeUnit.SECONDS.toNanos(DEFAULT_WARMUP_S),
                TimeUnit.SECONDS.toNanos(DEFAULT_DURATION_S),
                TimeUnit.MILLISECONDS.toNanos(DEFAULT_TIMEOUT_MS),
                DEFAULT_THREADS,
                NO_SERVER_PID);
        }

        /**
         * @param flags parsed against a flag list that includes {@link #FLAGS}.
         * @return the config those flags describe.
         */
        public static Config from(final Flags flags)
        {
            return new Config(
                parseTarget(flags.string("target")),
                flags.intValue("sockets"),
                flags.intValue("window"),
                secondsToNanos(flags.doubleValue("warmup-s")),
                secondsToNanos(flags.doubleValue("duration-s")),
                TimeUnit.MILLISECONDS.toNanos(flags.longValue("timeout-ms")),
                flags.intValue("threads"),
                flags.isSet("server-pid") ? flags.longValue("server-pid") : NO_SERVER_PID);
        }

        public boolean measuresServerCpu()
        {
            return NO_SERVER_PID != serverPid;
        }

        private static long secondsToNanos(final double seconds)
        {
            return Math.round(seconds * NANOS_PER_SECOND);
        }

        private static void requireAtLeast(final String name, final long value, final long min)
        {
            if (value < min)
            {
                throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
            }
        }
    }

    private UdpLoadGenerator()
    {
    }

    /**
     * Subcommand {@code udp-load}: a fixed payload, any reply accepted, the result printed as one line.
     *
     * @param args flags, see {@code udp-load --help}.
     * @return {@link Tools#EXIT_OK}, or {@link Tools#EXIT_FAILED} when no reply came back.
     * @throws IOException          if a socket fails or the server's CPU cannot be read.
     * @throws InterruptedException if interrupted while waiting for the run to end.
     */
    public static int command(final String[] args) throws IOException, InterruptedException
    {
        final Flags flags = Tools.flags(COMMAND, CLI_FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }

        final Config config = Config.from(flags);
        final byte[] payload = parsePayload(flags.string("payload-hex"));
        final String label = LoadResult.requirePlainLabel(
            flags.isSet("label") ? flags.string("label") : flags.string("target"));
        final boolean json = flags.booleanValue("json");

        final LoadResult result = run(config, DatagramSource.fixed(payload), ReplyCheck.ACCEPT_ALL);
        System.out.println(json ? result.toJson(COMMAND, label) : result.toLine(COMMAND, label));
        if (0 == result.replies())
        {
            System.err.println(COMMAND + ": no replies from " + config.target());
            return Tools.EXIT_FAILED;
        }

        return Tools.EXIT_OK;
    }

    /**
     * Load the target and measure it; blocks for warmup + duration.
     *
     * @param config what to load and for how long.
     * @param source writes each request.
     * @param check  judges each reply.
     * @return what the measured interval saw.
     * @throws IOException          if a socket fails, the source or check throws, or the server's CPU cannot be read.
     * @throws InterruptedException if interrupted while waiting for the run to end.
     */
    public static LoadResult run(final Config config, final DatagramSource source, final ReplyCheck check)
        throws IOException, InterruptedException
    {
        final DatagramChannel[] channels = new DatagramChannel[config.sockets()];
        try
        {
            for (int i = 0; i < channels.length; i++)
            {
                channels[i] = openConnected(config.target());
            }

            final long measureStartNanos = System.nanoTime() + config.warmupNanos();
            final long measureEndNanos = measureStartNanos + config.durationNanos();
            final LoadWorker[] workers = new LoadWorker[config.threads()];
            final Thread[] threads = new Thread[config.threads()];
            for (int t = 0; t < workers.length; t++)
            {
                final int first = t * channels.length / workers.length;
                final int end = (t + 1) * channels.length / workers.length;
                workers[t] = new LoadWorker(
                    Arrays.copyOfRange(channels, first, end),
                    first,
                    config.window(),
                    config.timeoutNanos(),
                    measureStartNanos,
                    measureEndNanos,
                    source,
                    check);
                threads[t] = new Thread(workers[t], COMMAND + "-" + t);
            }

            for (final Thread thread : threads)
            {
                thread.start();
            }

            long serverCpuNanos = CPU_NOT_MEASURED;
            try
            {
                if (config.measuresServerCpu())
                {
                    parkUntil(measureStartNanos);
                    final long cpuAtStart = ProcessCpu.cpuNanos(config.serverPid());
                    parkUntil(measureEndNanos);
                    serverCpuNanos = ProcessCpu.cpuNanos(config.serverPid()) - cpuAtStart;
                }
            }
            finally
            {
                for (final Thread thread : threads)
                {
                    thread.join();
                }
            }

            return result(workers, config.durationNanos(), serverCpuNanos);
        }
        finally
        {
            closeAll(channels);
        }
    }

    /**
     * @param hostPort {@code host:port}, an IPv6 host in brackets.
     * @return the resolved address.
     * @throws IllegalArgumentException if it is malformed or the host does not resolve.
     */
    public static InetSocketAddress parseTarget(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1)
        {
            throw new IllegalArgumentException("--target must be host:port, got '" + hostPort + "'");
        }

        final String host = hostPort.startsWith("[") && hostPort.charAt(colon - 1) == ']' ?
            hostPort.substring(1, colon - 1) : hostPort.substring(0, colon);
        final int port;
        try
        {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--target port is not a number: '" + hostPort + "'", ex);
        }

        final InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved())
        {
            throw new IllegalArgumentException("--target host does not resolve: '" + host + "'");
        }

        return address;
    }

    private static byte[] parsePayload(final String hex)
    {
        final byte[] payload = HexFormat.of().parseHex(hex);
        if (payload.length == 0 || payload.length > MAX_DATAGRAM_BYTES)
        {
            throw new IllegalArgumentException(
                "--payload-hex must hold 1 to " + MAX_DATAGRAM_BYTES + " bytes, got " + payload.length);
        }

        return payload;
    }

    private static DatagramChannel openConnected(final InetSocketAddress target) throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open();
        try
        {
            // connect() lets the loop use read/write, with no SocketAddress per datagram, and drops any other sender.
            channel.connect(target);
            channel.configureBlocking(false);
            return channel;
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private static LoadResult result(final LoadWorker[] workers, final long durationNanos, final long serverCpuNanos)
        throws IOException
    {
        final Histogram rttNanos = new Histogram(LoadWorker.MAX_RTT_NANOS, LoadWorker.RTT_SIGNIFICANT_DIGITS);
        long sent = 0;
        long replies = 0;
        long lost = 0;
        long badReplies = 0;
        long unmatchedReplies = 0;
        for (final LoadWorker worker : workers)
        {
            if (null != worker.failure())
            {
                throw new IOException(COMMAND + " load thread failed", worker.failure());
            }
            rttNanos.add(worker.rttNanos());
            sent += worker.sent();
            replies += worker.replies();
            lost += worker.lost();
            badReplies += worker.badReplies();
            unmatchedReplies += worker.unmatchedReplies();
        }

        final boolean cpuMeasured = CPU_NOT_MEASURED != serverCpuNanos;
        return new LoadResult(
            sent,
            replies,
            lost,
            badReplies,
            unmatchedReplies,
            durationNanos,
            replies * NANOS_PER_SECOND / durationNanos,
            micros(rttNanos.getValueAtPercentile(50.0)),
            micros(rttNanos.getValueAtPercentile(99.0)),
            micros(rttNanos.getValueAtPercentile(99.9)),
            micros(rttNanos.getMaxValue()),
            cpuMeasured ? serverCpuNanos / NANOS_PER_MILLI : Double.NaN,
            cpuMeasured && replies > 0 ? serverCpuNanos / NANOS_PER_MICRO / replies : Double.NaN);
    }

    private static double micros(final long nanos)
    {
        return nanos / NANOS_PER_MICRO;
    }

    private static void parkUntil(final long deadlineNanos)
    {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remaining);
        }
    }

    private static void closeAll(final DatagramChannel[] channels) throws IOException
    {
        IOException failure = null;
        for (final DatagramChannel channel : channels)
        {
            try
            {
                if (null != channel)
                {
                    channel.close();
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
        }

        if (null != failure)
        {
            throw failure;
        }
    }
}
