package io.switchboard.tools.ws;

import io.switchboard.tools.load.ProcessCpu;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code dop-load --scenario=resume --client=nio}: dop sessions ({@link DopClientNode}) on the NIO WebSocket loop,
 * each cutting its TCP connection as soon as it has resumed and resuming at once on a new one. Measured: resumes per second and the time from the cut to the final
 * token on the new socket (TCP connect, upgrade, tokens), without the JDK client's own cost in the figure.
 */
public final class DopResumeLoad implements WsLoop.Handler
{
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SETUP_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final byte[] OPEN_FRAME = "{\"type\":\"OPEN\"".getBytes(StandardCharsets.US_ASCII);

    /** One session: its client node and its current socket, which changes at every resume. */
    private static final class Session
    {
        final String pathAndQuery;
        final DopClientNode node = new DopClientNode();
        /** The server admitted the session into the PeerJS realm (its OPEN frame came): it survives a cut. */
        boolean admitted;
        WsLoop.Connection socket;
        long cutAtNanos;

        Session(final String pathAndQuery)
        {
            this.pathAndQuery = pathAndQuery;
        }
    }

    private final WsLoop loop;
    private final Session[] sessions;
    private final Histogram latencyNanos = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private int connected;
    private boolean measuring;
    private long resumes;
    private long errors;

    private DopResumeLoad(final InetSocketAddress target, final String pathAndQueryBase, final int count)
        throws IOException
    {
        this.loop = new WsLoop(target, this, TICK_NANOS, count);
        this.sessions = new Session[count];
        for (int i = 0; i < count; i++)
        {
            sessions[i] = new Session(pathAndQueryBase + "-s" + i);
            open(i);
        }
    }

    /** The result line (the JDK client's {@code dop-load} format) and whether the run counts as a success. */
    public record Result(String line, boolean succeeded)
    {
    }

    /** Runs the scenario; null when the sessions were not all admitted within a minute. */
    public static Result run(
        final InetSocketAddress target, final String pathAndQueryBase, final int count, final long warmupSeconds,
        final long durationSeconds, final long serverPid, final String label) throws IOException
    {
        final DopResumeLoad load = new DopResumeLoad(target, pathAndQueryBase, count);
        try (WsLoop loop = load.loop)
        {
            final long setupDeadline = System.nanoTime() + SETUP_NANOS;
            while (load.connected < count && System.nanoTime() < setupDeadline)
            {
                loop.runUntil(System.nanoTime() + TICK_NANOS);
            }
            if (load.connected < count)
            {
                return null;
            }
            for (int i = 0; i < count; i++)
            {
                load.cut(i);
            }
            loop.runUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds));
            final long cpuBefore = serverPid > 0 ? ProcessCpu.cpuNanos(serverPid) : 0;
            final long start = System.nanoTime();
            load.measuring = true;
            loop.runUntil(start + TimeUnit.SECONDS.toNanos(durationSeconds));
            load.measuring = false;
            final long elapsed = System.nanoTime() - start;
            final long cpu = serverPid > 0 ? ProcessCpu.cpuNanos(serverPid) - cpuBefore : -1;
            return new Result(load.result(label, count, elapsed, cpu), load.errors == 0 && load.resumes > 0);
        }
    }

    private void open(final int index)
    {
        final Session session = sessions[index];
        session.socket = new WsLoop.Connection(index, session.pathAndQuery);
        loop.add(session.socket);
    }

    private void cut(final int index)
    {
        final Session session = sessions[index];
        session.cutAtNanos = System.nanoTime();
        session.node.socketLost();
        final WsLoop.Connection old = session.socket;
        session.socket = null;
        loop.cut(old);
        open(index);
    }

    @Override
    public void onOpen(final WsLoop.Connection connection)
    {
        final byte[] first = sessions[connection.index].node.opening();
        loop.sendText(connection, first, first.length);
    }

    @Override
    public void onText(
        final WsLoop.Connection connection, final ByteBuffer buffer, final int offset, final int length,
        final long nowNanos)
    {
        final Session session = sessions[connection.index];
        if (connection != session.socket)
        {
            return;
        }
        switch (session.node.onText(loop, connection, buffer, offset, length))
        {
            case RESUMED ->
            {
                if (measuring)
                {
                    resumes++;
                    latencyNanos.recordValue(Math.min(nowNanos - session.cutAtNanos,
                        latencyNanos.getHighestTrackableValue()));
                }
                cut(connection.index);
            }
            case DATA ->
            {
                // The session's PeerJS frames; its OPEN says the server registered it.
                if (!session.admitted && startsWith(buffer, offset, length, OPEN_FRAME))
                {
                    session.admitted = true;
                    connected++;
                }
            }
            default ->
            {
            }
        }
    }

    private static boolean startsWith(final ByteBuffer buffer, final int offset, final int length, final byte[] prefix)
    {
        if (length < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (buffer.get(offset + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onClosed(final WsLoop.Connection connection)
    {
        final Session session = sessions[connection.index];
        if (connection == session.socket)
        {
            // The server closed the socket it should have resumed on: count it and start over on a new one.
            errors++;
            cut(connection.index);
        }
    }

    @Override
    public void onTick(final long nowNanos)
    {
    }

    private String result(final String label, final int count, final long elapsedNanos, final long cpuNanos)
    {
        final double perSecond = resumes * 1e9 / elapsedNanos;
        return String.format(Locale.ROOT, "dop-load scenario=resume client=nio label=%s sessions=%d resumes=%d " +
            "resumes_per_s=%.0f resume_p50_us=%.1f resume_p99_us=%.1f resume_max_us=%.1f errors=%d%s", label, count,
            resumes, perSecond, latencyNanos.getValueAtPercentile(50) / 1e3,
            latencyNanos.getValueAtPercentile(99) / 1e3, latencyNanos.getMaxValue() / 1e3, errors,
            cpuNanos < 0 ? "" : String.format(Locale.ROOT, " server_cpu_ms=%.1f server_cpu_us_per_resume=%.2f",
                cpuNanos / 1e6, resumes == 0 ? Double.NaN : cpuNanos / 1e3 / resumes));
    }
}
