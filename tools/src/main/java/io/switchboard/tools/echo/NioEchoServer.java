package io.switchboard.tools.echo;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The floor the appliance is measured against: one thread, one non-blocking {@link DatagramChannel}, every datagram
 * sent back to its source unchanged.
 * <p>
 * While datagrams keep coming it drains the socket without selecting; when the socket is empty it blocks in a
 * {@link Selector}, so an idle floor costs no CPU.
 */
public final class NioEchoServer implements AutoCloseable
{
    public static final String COMMAND = "echo-server";
    public static final String READY_PREFIX = "echo ready port=";
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
    public static final int MAX_DATAGRAM_BYTES = 65_535;

    /** Bounds one drain so a steady stream still lets the loop see {@link #stop()}. */
    private static final int DRAIN_LIMIT = 1024;
    private static final long STOP_GRACE_MS = 1_000;

    private static final List<Flag> FLAGS = List.of(
        new Flag("bind", DEFAULT_BIND, "local address to bind"),
        new Flag("port", "0", "UDP port to bind, 0 = any free port"),
        new Flag("rcvbuf", Integer.toString(DEFAULT_SOCKET_BUFFER_BYTES), "SO_RCVBUF bytes"),
        new Flag("sndbuf", Integer.toString(DEFAULT_SOCKET_BUFFER_BYTES), "SO_SNDBUF bytes"));

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_BYTES);
    private volatile boolean running = true;
    private long echoed;
    private long dropped;

    /**
     * Open and bind the socket; nothing is echoed until {@link #run()}.
     *
     * @param bindAddress        local address and port, port 0 for any free port.
     * @param receiveBufferBytes requested SO_RCVBUF (the kernel may cap it).
     * @param sendBufferBytes    requested SO_SNDBUF (the kernel may cap it).
     * @throws IOException if the socket cannot be opened or bound.
     */
    public NioEchoServer(final InetSocketAddress bindAddress, final int receiveBufferBytes, final int sendBufferBytes)
        throws IOException
    {
        channel = DatagramChannel.open();
        try
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
            channel.bind(bindAddress);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Subcommand {@code echo-server}: print {@code echo ready port=<port>} once bound, then echo until SIGTERM or
     * until stdin closes.
     *
     * @param args flags, see {@code echo-server --help}.
     * @return the exit code.
     * @throws IOException if the socket fails.
     */
    public static int command(final String[] args) throws IOException
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }

        final InetSocketAddress bindAddress = new InetSocketAddress(flags.string("bind"), flags.intValue("port"));
        try (NioEchoServer server = new NioEchoServer(bindAddress, flags.intValue("rcvbuf"), flags.intValue("sndbuf")))
        {
            final CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stopAndAwait(stopped), "echo-shutdown"));
            stopWhenStdinCloses(server);

            System.err.println("echo rcvbuf=" + server.channel.getOption(StandardSocketOptions.SO_RCVBUF) +
                " sndbuf=" + server.channel.getOption(StandardSocketOptions.SO_SNDBUF));
            System.out.println(READY_PREFIX + server.port());
            System.out.flush();

            try
            {
                server.run();
                System.err.println("echo stopped echoed=" + server.echoed + " dropped=" + server.dropped);
            }
            finally
            {
                stopped.countDown();
            }
        }

        return Tools.EXIT_OK;
    }

    /**
     * @return the bound UDP port, the one the kernel chose when port 0 was asked for.
     * @throws IOException if the socket is closed.
     */
    public int port() throws IOException
    {
        return ((InetSocketAddress)channel.getLocalAddress()).getPort();
    }

    /**
     * Echo on the calling thread until {@link #stop()}.
     *
     * @throws IOException if the socket fails.
     */
    public void run() throws IOException
    {
        while (running)
        {
            if (0 == drain())
            {
                awaitReadable();
            }
        }
    }

    /**
     * Ask {@link #run()} to return; safe from any thread.
     */
    public void stop()
    {
        running = false;
        selector.wakeup();
    }

    /**
     * Close the socket; call after {@link #run()} has returned.
     *
     * @throws IOException if closing fails.
     */
    public void close() throws IOException
    {
        try
        {
            selector.close();
        }
        finally
        {
            channel.close();
        }
    }

    private int drain() throws IOException
    {
        int received = 0;
        while (received < DRAIN_LIMIT)
        {
            buffer.clear();
            final SocketAddress source = channel.receive(buffer);
            if (null == source)
            {
                break;
            }
            received++;

            buffer.flip();
            final int length = buffer.remaining();
            // A full send buffer makes a non-blocking send write nothing: the datagram is dropped, as UDP would.
            if (channel.send(buffer, source) == length)
            {
                echoed++;
            }
            else
            {
                dropped++;
            }
        }

        return received;
    }

    private void awaitReadable() throws IOException
    {
        selector.select();
        selector.selectedKeys().clear();
    }

    private void stopAndAwait(final CountDownLatch stopped)
    {
        stop();
        try
        {
            stopped.await(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void stopWhenStdinCloses(final NioEchoServer server)
    {
        // A shell starts a background job with stdin on /dev/null, which reads as closed at once: only a real stdin counts.
        if (!stdinCanClose())
        {
            return;
        }

        final Thread watcher = new Thread(
            () ->
            {
                try
                {
                    System.in.transferTo(OutputStream.nullOutputStream());
                    server.stop();
                }
                catch (final IOException ex)
                {
                    System.err.println("echo: stdin unreadable, running until SIGTERM: " + ex.getMessage());
                }
            },
            "echo-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static boolean stdinCanClose()
    {
        try
        {
            return !Files.isSameFile(Path.of("/dev/stdin"), Path.of("/dev/null"));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
