package io.switchboard.tools.load;

import io.switchboard.tools.Tools;
import io.switchboard.tools.echo.NioEchoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpLoadGeneratorTest
{
    private static final int SOCKETS = 4;
    private static final int WINDOW = 2;
    private static final int THREADS = 2;
    private static final long WARMUP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long DURATION_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Generous so a slow build machine does not turn a scheduling hiccup into a lost request. */
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int SOCKET_INDEX_OFFSET = 0;
    private static final int SEQUENCE_OFFSET = Integer.BYTES;
    private static final int TAGGED_REQUEST_LENGTH = Integer.BYTES + Long.BYTES;

    private static NioEchoServer echo;
    private static Thread echoThread;

    @BeforeAll
    static void startEcho() throws Exception
    {
        echo = new NioEchoServer(new InetSocketAddress(NioEchoServer.DEFAULT_BIND, 0),
            NioEchoServer.DEFAULT_SOCKET_BUFFER_BYTES, NioEchoServer.DEFAULT_SOCKET_BUFFER_BYTES);
        echoThread = new Thread(
            () ->
            {
                try
                {
                    echo.run();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            },
            "echo-for-load");
        echoThread.start();
    }

    @AfterAll
    static void stopEcho() throws Exception
    {
        echo.stop();
        echoThread.join();
        echo.close();
    }

    @Test
    void shortRunAgainstEchoGetsRepliesWithNoLossAndOrderedPercentiles() throws Exception
    {
        final LoadResult result = UdpLoadGenerator.run(
            config(UdpLoadGenerator.Config.NO_SERVER_PID),
            DatagramSource.fixed(new byte[]{ 1, 2, 3, 4 }),
            ReplyCheck.ACCEPT_ALL);

        assertTrue(result.replies() > 0, result::toString);
        assertTrue(result.sent() > 0, result::toString);
        assertEquals(0, result.lost(), result::toString);
        assertEquals(0, result.badReplies(), result::toString);
        assertEquals(0, result.unmatchedReplies(), result::toString);
        assertEquals(DURATION_NANOS, result.durationNanos());
        assertTrue(result.p50Us() <= result.p99Us(), result::toString);
        assertTrue(result.p99Us() <= result.p999Us(), result::toString);
        assertTrue(result.p999Us() <= result.maxUs(), result::toString);
        assertTrue(Double.isNaN(result.serverCpuMs()), "no pid, no server CPU");
    }

    @Test
    void eachSocketGetsItsRepliesBackInTheOrderItSentThem() throws Exception
    {
        final long[] nextExpectedSequence = new long[SOCKETS];
        final DatagramSource tagged = (socketIndex, sequence, dst) ->
        {
            dst.order(ByteOrder.BIG_ENDIAN).putInt(SOCKET_INDEX_OFFSET, socketIndex).putLong(SEQUENCE_OFFSET, sequence);
            return TAGGED_REQUEST_LENGTH;
        };
        final ReplyCheck inOrderOnItsOwnSocket = (socketIndex, reply) ->
            reply.remaining() == TAGGED_REQUEST_LENGTH &&
            reply.order(ByteOrder.BIG_ENDIAN).getInt(SOCKET_INDEX_OFFSET) == socketIndex &&
            reply.getLong(SEQUENCE_OFFSET) == nextExpectedSequence[socketIndex]++;

        final LoadResult result = UdpLoadGenerator.run(
            config(UdpLoadGenerator.Config.NO_SERVER_PID), tagged, inOrderOnItsOwnSocket);

        assertTrue(result.replies() > 0, result::toString);
        assertEquals(0, result.badReplies(), result::toString);
    }

    @Test
    void repliesTheCheckRejectsAreCountedBadAndNotTimed() throws Exception
    {
        final LoadResult result = UdpLoadGenerator.run(
            config(UdpLoadGenerator.Config.NO_SERVER_PID),
            DatagramSource.fixed(new byte[]{ 7 }),
            (socketIndex, reply) -> false);

        assertEquals(0, result.replies(), result::toString);
        assertTrue(result.badReplies() > 0, result::toString);
        assertEquals(0, result.maxUs(), result::toString);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void serverCpuIsMeasuredWhenAPidIsGiven() throws Exception
    {
        final LoadResult result = UdpLoadGenerator.run(
            config(ProcessHandle.current().pid()),
            DatagramSource.fixed(new byte[]{ 1 }),
            ReplyCheck.ACCEPT_ALL);

        assertTrue(result.serverCpuMs() >= 0, result::toString);
        assertTrue(result.serverCpuUsPerReply() >= 0, result::toString);
    }

    @Test
    void commandPrintsOneGreppableLineStartingWithItsLabel() throws Exception
    {
        final String stdout = runCommand(
            "--target=127.0.0.1:" + echo.port(), "--sockets=2", "--warmup-s=0", "--duration-s=0.3", "--label=floor");

        assertEquals(1, stdout.lines().count(), stdout);
        final String line = stdout.strip();
        assertTrue(line.startsWith("udp-load label=floor replies_per_s="), line);
        assertTrue(line.matches(".* p50_us=\\S+ p99_us=\\S+ p999_us=\\S+ .* lost=0 .*"), line);
    }

    @Test
    void commandWithJsonPrintsOneObject() throws Exception
    {
        final String json = runCommand(
            "--target=127.0.0.1:" + echo.port(), "--sockets=1", "--warmup-s=0", "--duration-s=0.3", "--json");

        assertTrue(json.startsWith("{\"command\":\"udp-load\",\"label\":\"127.0.0.1:" + echo.port() + "\","), json);
        assertTrue(json.strip().endsWith("}"), json);
        assertTrue(json.contains("\"lost\":0,"), json);
    }

    private static UdpLoadGenerator.Config config(final long serverPid) throws Exception
    {
        return new UdpLoadGenerator.Config(
            new InetSocketAddress(NioEchoServer.DEFAULT_BIND, echo.port()),
            SOCKETS,
            WINDOW,
            WARMUP_NANOS,
            DURATION_NANOS,
            TIMEOUT_NANOS,
            THREADS,
            serverPid);
    }

    private static String runCommand(final String... args) throws Exception
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(Tools.EXIT_OK, UdpLoadGenerator.command(args));
        }
        finally
        {
            System.setOut(stdout);
        }

        return captured.toString(StandardCharsets.UTF_8);
    }
}
