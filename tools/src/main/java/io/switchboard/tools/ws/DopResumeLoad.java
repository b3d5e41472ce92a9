package io.switchboard.tools.ws;

import io.switchboard.protocol.dop.DopState;
import io.switchboard.protocol.dop.DopToken;
import io.switchboard.tools.load.ProcessCpu;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code dop-load --scenario=resume --client=nio}: dop sessions on the NIO WebSocket loop, each cutting its TCP
 * connection as soon as it has resumed and resuming at once on a new one. A session is the client side of spec
 * 2.5: a new node sends its local token on open; the server's token, then the same token again, connect it under
 * the final token; after a cut it presents the final token on the new socket, and the server's fresh token
 * followed by the final token mean it resumed. Measured: resumes per second and the time from the cut to the final
 * token on the new socket (TCP connect, upgrade, tokens), without the JDK client's own cost in the figure.
 */
public final class DopResumeLoad implements WsLoop.Handler
{
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SETUP_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** One session's client node; its socket changes at every resume. */
    private static final class Session
    {
        final String pathAndQuery;
        final byte[] tokenLocal = DopToken.local().getBytes(StandardCharsets.UTF_8);
        String tokenRemote;
        String finalToken;
        byte[] finalBytes;
        DopState state = DopState.OPEN;
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
        session.state = DopState.RECONNECTING;
        final WsLoop.Connection old = session.socket;
        session.socket = null;
        loop.cut(old);
        open(index);
    }

    @Override
    public void onOpen(final WsLoop.Connection connection)
    {
        final Session session = sessions[connection.index];
        final byte[] first = session.finalBytes != null ? session.finalBytes : session.tokenLocal;
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
        final byte[] bytes = new byte[length];
        buffer.get(offset, bytes, 0, length);
        final String message = new String(bytes, StandardCharsets.UTF_8);
        switch (session.state)
        {
            case OPEN ->
            {
                session.tokenRemote = message;
                session.state = DopState.PRECONNECTED;
                loop.sendText(connection, session.tokenLocal, session.tokenLocal.length);
            }
            case PRECONNECTED ->
            {
                if (message.equals(session.tokenRemote) && session.finalToken == null)
                {
                    session.finalToken = DopToken.unique(
                        new String(session.tokenLocal, StandardCharsets.UTF_8), session.tokenRemote);
                    session.finalBytes = DopToken.utf8(session.finalToken);
                    session.state = DopState.CONNECTED;
                }
                else if (message.equals(session.finalToken))
                {
                    session.state = DopState.CONNECTED;
                    if (measuring)
                    {
                        resumes++;
                        latencyNanos.recordValue(Math.min(nowNanos - session.cutAtNanos,
                            latencyNanos.getHighestTrackableValue()));
                    }
                    cut(connection.index);
                }
            }
            case RECONNECTING ->
            {
                // The new socket's server token comes first; the final token confirms the resume.
                session.tokenRemote = message;
                session.state = DopState.PRECONNECTED;
            }
            default ->
            {
                // CONNECTED: PeerJS frames for the session; its OPEN says the server registered it.
                if (!session.admitted && message.startsWith("{\"type\":\"OPEN\""))
                {
                    session.admitted = true;
                    connected++;
                }
            }
        }
    }

    @Override
    public void onClosed(final WsLoop.Connection connection)
    {
        final Session session = sessions[connection.index];
        if (connection == session.socket)
        {
            // The server closed the socket it should have resumed on: count it and start over on a new one.
            errors++;
            if (session.finalToken != null)
            {
                cut(connection.index);
            }
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
