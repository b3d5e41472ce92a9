package io.switchboard.tools.echo;

import io.switchboard.tools.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NioEchoServerTest
{
    private static final int SOCKET_BUFFER_BYTES = 256 * 1024;
    private static final int RECEIVE_TIMEOUT_MS = 5_000;
    private static final long PROCESS_EXIT_TIMEOUT_S = 30;

    private NioEchoServer server;
    private Thread serverThread;

    @AfterEach
    void stopServer() throws Exception
    {
        if (null != server)
        {
            server.stop();
            serverThread.join();
            server.close();
        }
    }

    @Test
    void portZeroBindsAnyFreePortAndReportsIt() throws Exception
    {
        startServer();

        assertNotEquals(0, server.port());
    }

    @Test
    void echoesEveryByteBackToTheSender() throws Exception
    {
        startServer();
        final byte[] everyByteValue = new byte[256];
        for (int i = 0; i < everyByteValue.length; i++)
        {
            everyByteValue[i] = (byte)i;
        }
        final byte[] large = new byte[8192];
        new Random(42).nextBytes(large);

        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            client.setSoTimeout(RECEIVE_TIMEOUT_MS);
            for (final byte[] request : new byte[][]{ everyByteValue, large, { 1 } })
            {
                client.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), server.port()));

                final DatagramPacket reply = new DatagramPacket(new byte[NioEchoServer.MAX_DATAGRAM_BYTES], 0,
                    NioEchoServer.MAX_DATAGRAM_BYTES);
                client.receive(reply);
                assertEquals(server.port(), reply.getPort());
                assertArrayEquals(request, Arrays.copyOf(reply.getData(), reply.getLength()));
            }
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void commandPrintsReadyLineWithBoundPortAndStopsWhenStdinCloses() throws Exception
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process process = new ProcessBuilder(
            java.toString(), "-cp", System.getProperty("java.class.path"), Tools.class.getName(),
            NioEchoServer.COMMAND, "--port=0", "--rcvbuf=" + SOCKET_BUFFER_BYTES, "--sndbuf=" + SOCKET_BUFFER_BYTES)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        try
        {
            final BufferedReader stdout =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            final String ready = stdout.readLine();
            assertNotNull(ready);
            assertTrue(ready.matches("echo ready port=[1-9][0-9]*"), ready);
            final int port = Integer.parseInt(ready.substring(NioEchoServer.READY_PREFIX.length()));

            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
            {
                client.setSoTimeout(RECEIVE_TIMEOUT_MS);
                final byte[] request = "ping".getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
                final DatagramPacket reply = new DatagramPacket(new byte[64], 64);
                client.receive(reply);
                assertArrayEquals(request, Arrays.copyOf(reply.getData(), reply.getLength()));
            }

            process.getOutputStream().close();
            assertTrue(process.waitFor(PROCESS_EXIT_TIMEOUT_S, TimeUnit.SECONDS), "echo-server outlived its stdin");
            assertEquals(Tools.EXIT_OK, process.exitValue());
            assertNull(stdout.readLine(), "exactly one line on stdout");
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private void startServer() throws Exception
    {
        server = new NioEchoServer(
            new InetSocketAddress(NioEchoServer.DEFAULT_BIND, 0), SOCKET_BUFFER_BYTES, SOCKET_BUFFER_BYTES);
        serverThread = new Thread(
            () ->
            {
                try
                {
                    server.run();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            },
            "echo-under-test");
        serverThread.start();
    }
}
