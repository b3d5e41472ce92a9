package io.switchboard.tools.ws;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.ProcessCpu;
import io.switchboard.tools.tls.TlsHandshakeLoad;
import org.HdrHistogram.Histogram;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code peerjs-load}: the WebSocket load generator for any PeerJS server (switchboard or the reference
 * {@code peer}), speaking the PeerJS wire protocol from one selector thread.
 * <ul>
 * <li>{@code relay}: {@code pairs} pairs of registered clients; each A keeps {@code window} OFFERs in flight to its B,
 * B answers each with an ANSWER; every delivered frame is one relay. Reports relays/s, one-way latency (sender
 * timestamp in the payload) and, with {@code --server-pid}, server CPU per relay. With {@code --rate}, answers go
 * out at that pace in all (held back when early), so CPU per relay of two setups is compared at one load rather
 * than at each one's saturation.</li>
 * <li>{@code idle}: {@code connections} registered clients that only send HEARTBEAT every 5 s, held for
 * {@code hold-s}; prints {@code holding connected=N} once all are open (for a script to read the server's RSS).</li>
 * </ul>
 * Every run ends by itself and only connects to {@code --target}.
 */
public final class PeerJsLoad
{
    public static final String COMMAND = "peerjs-load";
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The loop's tick when paced: answers held back go out at least this often. */
    private static final long PACED_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** At most this much of the pace is sent at once after a stall, so a late tick does not become a burst. */
    private static final long PACE_BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final List<Flag> FLAGS = List.of(
        new Flag("target", "127.0.0.1:9000", "host:port of the PeerJS server"),
        new Flag("target-b", null, "relay: host:port the B side of every pair connects to (another node of a " +
            "cluster: every relay crosses nodes); unset: --target"),
        new Flag("path", "/", "the server's mount path"),
        new Flag("dop-path", null, "relay: run each client as a dop session at this path (e.g. /dop) instead of a " +
            "PeerJS socket, so dop and plain PeerJS relays are measured with the same client"),
        new Flag("key", "peerjs", "the server's key"),
        new Flag("scenario", "relay", "relay or idle"),
        new Flag("pairs", "50", "relay: client pairs"),
        new Flag("window", "4", "relay: OFFERs each pair keeps in flight"),
        new Flag("rate", "0", "relay: relays per second in all, paced (a message received is answered when the " +
            "pace allows), so two runs compare CPU at the same load; 0: as fast as the window allows"),
        new Flag("payload-bytes", "200", "relay: bytes of each message's payload"),
        new Flag("warmup-s", "5", "relay: seconds before counting"),
        new Flag("duration-s", "20", "relay: measured seconds"),
        new Flag("connections", "1000", "idle: registered clients"),
        new Flag("hold-s", "30", "idle: seconds to hold them once all are open"),
        new Flag("max-connecting", "200", "handshakes in flight at once"),
        new Flag("id-prefix", "load", "ids are PREFIX-a0, PREFIX-b0, PREFIX-i0, ...; distinct per process"),
        new Flag("server-pid", null, "read this process's CPU (relay) or RSS (idle); relay: PID,PID,... sums the " +
            "CPU of every listed process (all nodes of a cluster)"),
        new Flag("label", "peerjs", "tag on the result line"),
        new Flag("tls", "false", "true: wss (and TLS to --target)"),
        new Flag("ca", "", "with --tls, PEM file of the CA to trust; empty: trust any certificate (load, not a check)"));

    private PeerJsLoad()
    {
    }

    public static int command(final String[] args) throws Exception
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }
        final String[] hostPort = flags.string("target").split(":");
        final InetSocketAddress target = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        String path = flags.string("path");
        path = (path.startsWith("/") ? "" : "/") + path + (path.endsWith("/") ? "" : "/");
        final boolean dop = flags.isSet("dop-path");
        final String base = (dop ? flags.string("dop-path") + "?key=" + flags.string("key") :
            path + "peerjs?key=" + flags.string("key") + "&token=load") + "&id=" + flags.string("id-prefix");
        final long[] serverPids = flags.isSet("server-pid") ?
            java.util.Arrays.stream(flags.string("server-pid").split(",")).mapToLong(Long::parseLong).toArray() :
            new long[0];
        final long serverPid = serverPids.length > 0 ? serverPids[0] : -1;
        final SSLContext tls = Boolean.parseBoolean(flags.string("tls")) ? TlsHandshakeLoad.context(flags.string("ca")) : null;
        return switch (flags.string("scenario"))
        {
            case "relay" -> new Relay(flags, target, base, serverPids, tls).run();
            case "idle" -> new Idle(flags, target, base, serverPid, tls).run();
            default -> throw new IllegalArgumentException(COMMAND + ": --scenario must be relay or idle");
        };
    }

    /** CPU time of all {@code pids}, summed. */
    static long cpuNanos(final long[] pids) throws IOException
    {
        long sum = 0;
        for (final long pid : pids)
        {
            sum += ProcessCpu.cpuNanos(pid);
        }
        return sum;
    }

    /** VmRSS of a process in KiB, from /proc. */
    static long rssKib(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    private static final byte[] OPEN_FRAME_START = "{\"type\":\"OPEN\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIME_FIELD = "\"t\":".getBytes(StandardCharsets.US_ASCII);

    private static boolean isOpenFrame(final ByteBuffer buffer, final int offset, final int length)
    {
        return indexOf(buffer, offset, Math.min(length, OPEN_FRAME_START.length), OPEN_FRAME_START) == offset;
    }

    /** Where {@code part} starts in {@code buffer[offset, offset + length)}, or -1. */
    static int indexOf(final ByteBuffer buffer, final int offset, final int length, final byte[] part)
    {
        for (int at = offset; at + part.length <= offset + length; at++)
        {
            int i = 0;
            while (i < part.length && buffer.get(at + i) == part[i])
            {
                i++;
            }
            if (i == part.length)
            {
                return at;
            }
        }
        return -1;
    }

    /** Closed-loop OFFER/ANSWER ping-pong between pairs. */
    private static final class Relay implements WsLoop.Handler
    {
        private static final byte[] OFFER_HEAD = head("OFFER");
        private static final byte[] ANSWER_HEAD = head("ANSWER");

        private final int pairs;
        private final int window;
        private final long warmupNanos;
        private final long durationNanos;
        private final long[] serverPids;
        private final String label;
        /** Per connection, what follows the send time: the padding and the peer's id. */
        private final byte[][] tails;
        private final byte[] message;
        private final WsLoop loop;
        /** With --dop-path, each connection's dop node (index as the connection's), else null. */
        private final DopClientNode[] dopNodes;
        private final Histogram oneWayNanos = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        /** Relays per second when paced, else 0; what the pace holds back waits here, oldest first. */
        private final long rate;
        private final ArrayDeque<WsLoop.Connection> held = new ArrayDeque<>();
        private double credit;
        private long creditAtNanos;
        private int opened;
        private boolean measuring;
        private long relays;
        private long errors;

        Relay(
            final Flags flags, final InetSocketAddress target, final String base, final long[] serverPids,
            final SSLContext tls) throws IOException
        {
            this.pairs = flags.intValue("pairs");
            this.window = flags.intValue("window");
            this.rate = flags.longValue("rate");
            if (rate < 0)
            {
                throw new IllegalArgumentException(COMMAND + ": --rate must be 0 or more");
            }
            this.warmupNanos = TimeUnit.SECONDS.toNanos(flags.longValue("warmup-s"));
            this.durationNanos = TimeUnit.SECONDS.toNanos(flags.longValue("duration-s"));
            this.serverPids = serverPids;
            this.label = flags.string("label");
            final String padding = "x".repeat(Math.max(0, flags.intValue("payload-bytes") - 40));
            final String prefix = flags.string("id-prefix");
            this.tails = new byte[2 * pairs][];
            for (int i = 0; i < pairs; i++)
            {
                tails[2 * i] = tail(padding, prefix + "-b" + i);
                tails[2 * i + 1] = tail(padding, prefix + "-a" + i);
            }
            int longestTail = 0;
            for (final byte[] tail : tails)
            {
                longestTail = Math.max(longestTail, tail.length);
            }
            this.message = new byte[Math.max(OFFER_HEAD.length, ANSWER_HEAD.length) + 20 + longestTail];
            this.loop = new WsLoop(target, this, rate > 0 ? PACED_TICK_NANOS : TICK_NANOS,
                flags.intValue("max-connecting"), tls);
            this.dopNodes = flags.isSet("dop-path") ? new DopClientNode[2 * pairs] : null;
            for (int i = 0; dopNodes != null && i < dopNodes.length; i++)
            {
                dopNodes[i] = new DopClientNode();
            }
            InetSocketAddress targetB = null;
            if (flags.isSet("target-b"))
            {
                final String[] hostPort = flags.string("target-b").split(":");
                targetB = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
            }
            for (int i = 0; i < pairs; i++)
            {
                loop.add(new WsLoop.Connection(2 * i, base + "-a" + i));
                loop.add(new WsLoop.Connection(2 * i + 1, base + "-b" + i, targetB));
            }
        }

        int run() throws IOException
        {
            try (loop)
            {
                final long setupDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (opened < 2 * pairs && System.nanoTime() < setupDeadline)
                {
                    loop.runUntil(System.nanoTime() + TICK_NANOS);
                }
                if (opened < 2 * pairs)
                {
                    System.err.println(COMMAND + ": only " + opened + " of " + 2 * pairs + " clients opened");
                    return Tools.EXIT_FAILED;
                }
                for (final WsLoop.Connection connection : loop.connections())
                {
                    if (connection.index % 2 == 0)
                    {
                        for (int w = 0; w < window; w++)
                        {
                            send(connection, System.nanoTime());
                        }
                    }
                }
                creditAtNanos = System.nanoTime();
                loop.runUntil(System.nanoTime() + warmupNanos);
                measuring = true;
                final long cpuBefore = cpuNanos(serverPids);
                final long ownPid = ProcessHandle.current().pid();
                final long ownCpuBefore = ProcessCpu.cpuNanos(ownPid);
                final long start = System.nanoTime();
                loop.runUntil(start + durationNanos);
                final long elapsed = System.nanoTime() - start;
                measuring = false;
                final long cpu = serverPids.length > 0 ? cpuNanos(serverPids) - cpuBefore : -1;
                final long ownCpu = ProcessCpu.cpuNanos(ownPid) - ownCpuBefore;
                System.out.println(String.format(Locale.ROOT,
                    "%s scenario=relay label=%s pairs=%d window=%d rate=%d relays=%d relays_per_s=%.0f p50_us=%.1f " +
                        "p99_us=%.1f p999_us=%.1f max_us=%.1f errors=%d client_cpu_us_per_relay=%.2f%s",
                    COMMAND, label, pairs, window, rate, relays, relays * 1e9 / elapsed,
                    oneWayNanos.getValueAtPercentile(50) / 1e3, oneWayNanos.getValueAtPercentile(99) / 1e3,
                    oneWayNanos.getValueAtPercentile(99.9) / 1e3, oneWayNanos.getMaxValue() / 1e3, errors,
                    relays == 0 ? Double.NaN : ownCpu / 1e3 / relays,
                    cpu < 0 ? "" : String.format(Locale.ROOT, " server_cpu_ms=%.1f server_cpu_us_per_relay=%.2f",
                        cpu / 1e6, relays == 0 ? Double.NaN : cpu / 1e3 / relays)));
                return errors == 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
            }
        }

        /**
         * {@code {"type":T,"payload":{"t":SENT,"pad":"..."},"dst":PEER}}: A sends OFFERs to its B, B ANSWERs to its
         * A. Written into one array from each connection's fixed head and tail, since the generator's own CPU per
         * relay bounds the rate it can drive on a small machine.
         */
        private void send(final WsLoop.Connection from, final long sentNanos)
        {
            final byte[] head = from.index % 2 == 0 ? OFFER_HEAD : ANSWER_HEAD;
            final byte[] tail = tails[from.index];
            System.arraycopy(head, 0, message, 0, head.length);
            int at = head.length;
            final String digits = Long.toString(sentNanos);
            for (int i = 0; i < digits.length(); i++)
            {
                message[at++] = (byte)digits.charAt(i);
            }
            System.arraycopy(tail, 0, message, at, tail.length);
            loop.sendText(from, message, at + tail.length);
        }

        private static byte[] head(final String type)
        {
            return ("{\"type\":\"" + type + "\",\"payload\":{\"t\":").getBytes(StandardCharsets.US_ASCII);
        }

        private static byte[] tail(final String padding, final String dst)
        {
            return (",\"pad\":\"" + padding + "\"},\"dst\":\"" + dst + "\"}").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void onOpen(final WsLoop.Connection connection)
        {
            if (dopNodes != null)
            {
                final byte[] first = dopNodes[connection.index].opening();
                loop.sendText(connection, first, first.length);
            }
        }

        @Override
        public void onText(
            final WsLoop.Connection connection, final ByteBuffer buffer, final int offset, final int length,
            final long nowNanos)
        {
            if (dopNodes != null &&
                dopNodes[connection.index].onText(loop, connection, buffer, offset, length) != DopClientNode.Event.DATA)
            {
                return; // the dop token handshake
            }
            if (isOpenFrame(buffer, offset, length))
            {
                opened++;
                return;
            }
            final int at = indexOf(buffer, offset, length, TIME_FIELD);
            final int end = offset + length;
            final boolean negative =
                at >= 0 && at + TIME_FIELD.length < end && buffer.get(at + TIME_FIELD.length) == '-';
            final int first = at + TIME_FIELD.length + (negative ? 1 : 0);
            int digit = first;
            long sent = 0;
            while (at >= 0 && digit < end && buffer.get(digit) >= '0' && buffer.get(digit) <= '9')
            {
                sent = sent * 10 + buffer.get(digit++) - '0';
            }
            if (at < 0 || digit == first)
            {
                errors++;
                final byte[] text = new byte[length];
                buffer.get(offset, text);
                System.err.println(COMMAND + ": unexpected frame " + new String(text, StandardCharsets.UTF_8));
                return;
            }
            sent = negative ? -sent : sent;
            if (measuring)
            {
                relays++;
                oneWayNanos.recordValue(Math.min(nowNanos - sent, oneWayNanos.getHighestTrackableValue()));
            }
            if (rate == 0)
            {
                send(connection, System.nanoTime());
            }
            else
            {
                held.addLast(connection);
                releasePaced(nowNanos);
            }
        }

        /** Sends what the pace allows by now, oldest held answer first (the one-way time starts at the send). */
        private void releasePaced(final long nowNanos)
        {
            credit = Math.min(credit + (nowNanos - creditAtNanos) * rate / 1e9, PACE_BURST_NANOS * rate / 1e9);
            creditAtNanos = nowNanos;
            while (credit >= 1 && !held.isEmpty())
            {
                credit--;
                send(held.pollFirst(), System.nanoTime());
            }
        }

        @Override
        public void onClosed(final WsLoop.Connection connection)
        {
            errors++;
            System.err.println(COMMAND + ": connection " + connection.pathAndQuery + " closed");
        }

        @Override
        public void onTick(final long nowNanos)
        {
            if (rate > 0 && creditAtNanos != 0)
            {
                releasePaced(nowNanos);
            }
        }
    }

    /** Many registered clients doing nothing but HEARTBEAT. */
    private static final class Idle implements WsLoop.Handler
    {
        private static final byte[] HEARTBEAT = "{\"type\":\"HEARTBEAT\"}".getBytes(StandardCharsets.US_ASCII);

        private final int connections;
        private final long holdNanos;
        private final long serverPid;
        private final String label;
        private final WsLoop loop;
        private final long[] nextHeartbeat;
        private int opened;
        private int closed;
        private int heartbeatCursor;

        Idle(
            final Flags flags, final InetSocketAddress target, final String base, final long serverPid,
            final SSLContext tls) throws IOException
        {
            this.connections = flags.intValue("connections");
            this.holdNanos = TimeUnit.SECONDS.toNanos(flags.longValue("hold-s"));
            this.serverPid = serverPid;
            this.label = flags.string("label");
            this.loop = new WsLoop(target, this, TICK_NANOS, flags.intValue("max-connecting"), tls);
            this.nextHeartbeat = new long[connections];
            for (int i = 0; i < connections; i++)
            {
                loop.add(new WsLoop.Connection(i, base + "-i" + i));
            }
        }

        int run() throws IOException
        {
            try (loop)
            {
                final long start = System.nanoTime();
                final long setupDeadline = start + TimeUnit.SECONDS.toNanos(120);
                while (opened < connections && closed == 0 && System.nanoTime() < setupDeadline)
                {
                    loop.runUntil(System.nanoTime() + TICK_NANOS);
                }
                final double rampS = (System.nanoTime() - start) / 1e9;
                System.out.println(String.format(Locale.ROOT, "holding label=%s connected=%d closed=%d ramp_s=%.2f",
                    label, opened, closed, rampS));
                System.out.flush();
                loop.runUntil(System.nanoTime() + holdNanos);
                final String rss = serverPid > 0 ? " server_rss_kib=" + rssKib(serverPid) : "";
                System.out.println(String.format(Locale.ROOT,
                    "%s scenario=idle label=%s connections=%d open_at_end=%d closed=%d ramp_s=%.2f%s",
                    COMMAND, label, connections, opened - closed, closed, rampS, rss));
                return opened == connections && closed == 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
            }
        }

        @Override
        public void onOpen(final WsLoop.Connection connection)
        {
        }

        @Override
        public void onText(
            final WsLoop.Connection connection, final ByteBuffer buffer, final int offset, final int length,
            final long nowNanos)
        {
            if (isOpenFrame(buffer, offset, length))
            {
                opened++;
                nextHeartbeat[connection.index] = nowNanos + HEARTBEAT_NANOS;
            }
        }

        @Override
        public void onClosed(final WsLoop.Connection connection)
        {
            closed++;
        }

        /** Heartbeats are due 5 s after OPEN and every 5 s after, as the real client sends them. */
        @Override
        public void onTick(final long nowNanos)
        {
            final List<WsLoop.Connection> all = loop.connections();
            for (int checked = 0; checked < all.size(); checked++)
            {
                heartbeatCursor = (heartbeatCursor + 1) % all.size();
                final WsLoop.Connection connection = all.get(heartbeatCursor);
                final long due = nextHeartbeat[connection.index];
                if (due != 0 && due <= nowNanos && connection.isOpen())
                {
                    loop.sendText(connection, HEARTBEAT, HEARTBEAT.length);
                    nextHeartbeat[connection.index] = due + HEARTBEAT_NANOS;
                }
            }
        }
    }
}
