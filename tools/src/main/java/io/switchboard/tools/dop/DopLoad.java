package io.switchboard.tools.dop;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.ProcessCpu;
import io.switchboard.tools.ws.DopResumeLoad;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code dop-load}: load over the dop listener with the Java connector, all sessions on one loop thread.
 * <ul>
 * <li>{@code resume}: {@code sessions} sessions, each cutting its socket as soon as it has resumed, reconnecting at
 * once (no back-off): resumes per second and the reconnect-to-resumed latency (new socket, upgrade, tokens).</li>
 * <li>{@code relay}: {@code pairs} pairs of sessions doing OFFER/ANSWER ping-pong with {@code window} in flight, as
 * {@code peerjs-load --scenario=relay} does over plain PeerJS sockets: relays/s, one-way latency and, with
 * {@code --server-pid}, server CPU per relay.</li>
 * </ul>
 * Every run ends by itself and only connects to {@code --target}.
 */
public final class DopLoad
{
    public static final String COMMAND = "dop-load";

    private static final List<Flag> FLAGS = List.of(
        new Flag("target", "127.0.0.1:9000", "host:port of the signaling (PeerJS) listener"),
        new Flag("path", "/dop", "the dop path"),
        new Flag("key", "peerjs", "the PeerJS key"),
        new Flag("scenario", "resume", "resume or relay"),
        new Flag("client", "jdk", "resume: jdk (the Java connector over the JDK's WebSocket) or nio (the tools' NIO " +
            "WebSocket loop, so the figure is the server's, not the JDK client's)"),
        new Flag("sessions", "50", "resume: sessions cutting and resuming"),
        new Flag("pairs", "50", "relay: session pairs"),
        new Flag("window", "4", "relay: OFFERs each pair keeps in flight"),
        new Flag("payload-bytes", "200", "relay: bytes of each message's payload"),
        new Flag("warmup-s", "3", "seconds before counting"),
        new Flag("duration-s", "10", "measured seconds"),
        new Flag("id-prefix", "dop-load", "ids are PREFIX-s0, PREFIX-a0, PREFIX-b0...; distinct per process"),
        new Flag("server-pid", null, "read this process's CPU"),
        new Flag("label", "dop", "tag on the result line"));

    private DopLoad()
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
        if ("nio".equals(flags.string("client")) && "resume".equals(flags.string("scenario")))
        {
            return resumeOverNio(flags);
        }
        final String base = "ws://" + flags.string("target") + flags.string("path") + "?key=" + flags.string("key") +
            "&id=" + flags.string("id-prefix");
        final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "dop-load");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final Run run = switch (flags.string("scenario"))
            {
                case "resume" -> new Resume(flags, base, loop);
                case "relay" -> new Relay(flags, base, loop);
                default -> throw new IllegalArgumentException(COMMAND + ": --scenario must be resume or relay");
            };
            return run.measure(flags, loop);
        }
        finally
        {
            loop.shutdownNow();
        }
    }

    private static int resumeOverNio(final Flags flags) throws Exception
    {
        final String target = flags.string("target");
        final int colon = target.lastIndexOf(':');
        final DopResumeLoad.Result result = DopResumeLoad.run(
            new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))),
            flags.string("path") + "?key=" + flags.string("key") + "&id=" + flags.string("id-prefix"),
            flags.intValue("sessions"), flags.longValue("warmup-s"), flags.longValue("duration-s"),
            flags.isSet("server-pid") ? flags.longValue("server-pid") : -1, flags.string("label"));
        if (result == null)
        {
            System.err.println(COMMAND + ": not every session was admitted within a minute");
            return Tools.EXIT_FAILED;
        }
        System.out.println(result.line());
        return result.succeeded() ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    /** A scenario: its sessions and what it counts, touched on the loop thread only. */
    private abstract static class Run implements DopConnector.Listener
    {
        final List<DopConnector> connectors = new ArrayList<>();
        final IdentityHashMap<DopConnector, Integer> indexOf = new IdentityHashMap<>();
        final Histogram latencyNanos = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        boolean measuring;
        boolean finished;
        long events;
        long errors;
        int opened;

        abstract int expectedSessions();

        /** Starts the traffic once every session is admitted. */
        abstract void begin();

        abstract String result(double perSecond, long cpuNanos);

        void connect(final String uri, final ScheduledExecutorService loop, final long initialBackoffMs)
        {
            final DopConnector connector = DopConnector.connect(new DopConnector.Context().uri(URI.create(uri))
                .listener(this).loop(loop).initialBackoffMs(initialBackoffMs));
            indexOf.put(connector, connectors.size());
            connectors.add(connector);
        }

        void record(final long sentNanos)
        {
            if (measuring)
            {
                events++;
                final long nanos = System.nanoTime() - sentNanos;
                latencyNanos.recordValue(Math.min(nanos, latencyNanos.getHighestTrackableValue()));
            }
        }

        @Override
        public void onDisconnect(final DopConnector connector, final String finalToken)
        {
            if (finished)
            {
                return;
            }
            errors++;
            System.err.println(COMMAND + ": session " + finalToken + " ended");
        }

        int measure(final Flags flags, final ScheduledExecutorService loop) throws Exception
        {
            final long setupDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (onLoop(loop, () -> opened) < expectedSessions() && System.nanoTime() < setupDeadline)
            {
                Thread.sleep(20);
            }
            if (onLoop(loop, () -> opened) < expectedSessions())
            {
                System.err.println(COMMAND + ": only " + opened + " of " + expectedSessions() + " sessions opened");
                return Tools.EXIT_FAILED;
            }
            onLoop(loop, () ->
            {
                begin();
                return null;
            });
            Thread.sleep(TimeUnit.SECONDS.toMillis(flags.longValue("warmup-s")));
            final long serverPid = flags.isSet("server-pid") ? flags.longValue("server-pid") : -1;
            final long cpuBefore = serverPid > 0 ? ProcessCpu.cpuNanos(serverPid) : 0;
            final long start = System.nanoTime();
            onLoop(loop, () -> measuring = true);
            Thread.sleep(TimeUnit.SECONDS.toMillis(flags.longValue("duration-s")));
            onLoop(loop, () -> measuring = false);
            final long elapsed = System.nanoTime() - start;
            final long cpu = serverPid > 0 ? ProcessCpu.cpuNanos(serverPid) - cpuBefore : -1;
            System.out.println(onLoop(loop, () -> result(events * 1e9 / elapsed, cpu)));
            final boolean ok = onLoop(loop, () ->
            {
                finished = true;
                return errors == 0 && events > 0;
            });
            connectors.forEach(DopConnector::disconnect);
            return ok ? Tools.EXIT_OK : Tools.EXIT_FAILED;
        }

        String latencies(final String name)
        {
            return String.format(Locale.ROOT, "%s_p50_us=%.1f %s_p99_us=%.1f %s_max_us=%.1f",
                name, latencyNanos.getValueAtPercentile(50) / 1e3, name, latencyNanos.getValueAtPercentile(99) / 1e3,
                name, latencyNanos.getMaxValue() / 1e3);
        }

        static String cpu(final long cpuNanos, final long events, final String per)
        {
            return cpuNanos < 0 ? "" : String.format(Locale.ROOT, " server_cpu_ms=%.1f server_cpu_us_per_%s=%.2f",
                cpuNanos / 1e6, per, events == 0 ? Double.NaN : cpuNanos / 1e3 / events);
        }

        private static <T> T onLoop(final ScheduledExecutorService loop, final Callable<T> task) throws Exception
        {
            return loop.submit(task).get(30, TimeUnit.SECONDS);
        }
    }

    /** Each session cuts its socket as soon as it has resumed, and resumes at once. */
    private static final class Resume extends Run
    {
        private final int sessions;
        private final String label;
        private final IdentityHashMap<DopConnector, Long> cutAt = new IdentityHashMap<>();

        Resume(final Flags flags, final String base, final ScheduledExecutorService loop)
        {
            this.sessions = flags.intValue("sessions");
            this.label = flags.string("label");
            for (int i = 0; i < sessions; i++)
            {
                connect(base + "-s" + i, loop, 0);
            }
        }

        @Override
        int expectedSessions()
        {
            return sessions;
        }

        @Override
        void begin()
        {
            connectors.forEach(this::cut);
        }

        private void cut(final DopConnector connector)
        {
            cutAt.put(connector, System.nanoTime());
            connector.dropSocket();
        }

        @Override
        public void onMessage(final DopConnector connector, final String text)
        {
            if (text.startsWith("{\"type\":\"OPEN\""))
            {
                opened++;
            }
        }

        @Override
        public void onReconnect(final DopConnector connector)
        {
            record(cutAt.get(connector));
            cut(connector);
        }

        @Override
        String result(final double perSecond, final long cpuNanos)
        {
            return String.format(Locale.ROOT, "%s scenario=resume label=%s sessions=%d resumes=%d resumes_per_s=%.0f " +
                "%s errors=%d%s", COMMAND, label, sessions, events, perSecond, latencies("resume"), errors,
                cpu(cpuNanos, events, "resume"));
        }
    }

    /** Closed-loop OFFER/ANSWER ping-pong between pairs of sessions. */
    private static final class Relay extends Run
    {
        private final int pairs;
        private final int window;
        private final String label;
        private final String padding;
        private final String prefix;

        Relay(final Flags flags, final String base, final ScheduledExecutorService loop)
        {
            this.pairs = flags.intValue("pairs");
            this.window = flags.intValue("window");
            this.label = flags.string("label");
            this.padding = "x".repeat(Math.max(0, flags.intValue("payload-bytes") - 40));
            this.prefix = flags.string("id-prefix");
            for (int i = 0; i < pairs; i++)
            {
                connect(base + "-a" + i, loop, DopConnector.Context.DEFAULT_INITIAL_BACKOFF_MS);
                connect(base + "-b" + i, loop, DopConnector.Context.DEFAULT_INITIAL_BACKOFF_MS);
            }
        }

        @Override
        int expectedSessions()
        {
            return 2 * pairs;
        }

        @Override
        void begin()
        {
            for (int i = 0; i < pairs; i++)
            {
                for (int w = 0; w < window; w++)
                {
                    send(connectors.get(2 * i), "OFFER", prefix + "-b" + i);
                }
            }
        }

        private void send(final DopConnector from, final String type, final String dst)
        {
            from.send("{\"type\":\"" + type + "\",\"payload\":{\"t\":" + System.nanoTime() + ",\"pad\":\"" + padding +
                "\"},\"dst\":\"" + dst + "\"}");
        }

        @Override
        public void onMessage(final DopConnector connector, final String text)
        {
            if (text.startsWith("{\"type\":\"OPEN\""))
            {
                opened++;
                return;
            }
            final int at = text.indexOf("\"t\":");
            if (at < 0)
            {
                errors++;
                System.err.println(COMMAND + ": unexpected frame " + text);
                return;
            }
            record(Long.parseLong(text, at + 4, text.indexOf(',', at), 10));
            final int index = indexOf.get(connector);
            if (index % 2 == 1)
            {
                send(connector, "ANSWER", prefix + "-a" + index / 2);
            }
            else
            {
                send(connector, "OFFER", prefix + "-b" + index / 2);
            }
        }

        @Override
        public void onReconnecting(final DopConnector connector)
        {
            errors++;
            System.err.println(COMMAND + ": a relay session lost its socket");
        }

        @Override
        String result(final double perSecond, final long cpuNanos)
        {
            return String.format(Locale.ROOT, "%s scenario=relay label=%s pairs=%d window=%d relays=%d " +
                "relays_per_s=%.0f %s errors=%d%s", COMMAND, label, pairs, window, events, perSecond,
                latencies("one_way"), errors, cpu(cpuNanos, events, "relay"));
        }
    }
}
