package io.switchboard.edge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder for tests: each connection goes to the port the forwarder points at when it arrives
 * ({@link #target}: a load balancer in front of a cluster, re-pointed when a node dies); connections already
 * forwarded stay where they went and end when either side closes, or all at once on {@link #cut} (a network loss,
 * both sides cut). Threads per connection: test traffic only.
 */
public final class TcpForwarder implements AutoCloseable
{
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int targetPort;

    public TcpForwarder(final int targetPort) throws IOException
    {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::accept, "tcp-forwarder-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port()
    {
        return server.getLocalPort();
    }

    /** New connections go to {@code port} on loopback from now on. */
    public void target(final int port)
    {
        targetPort = port;
    }

    /** Closes every forwarded connection on both sides; new ones are still accepted. */
    public void cut()
    {
        sockets.forEach(TcpForwarder::closeQuietly);
        sockets.clear();
    }

    private void accept()
    {
        while (!server.isClosed())
        {
            try
            {
                final Socket client = server.accept();
                final Socket upstream = new Socket();
                try
                {
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                }
                catch (final IOException ex)
                {
                    client.close();
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            }
            catch (final IOException ex)
            {
                return; // closed
            }
        }
    }

    private void pump(final Socket from, final Socket to)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int read;
                while ((read = in.read(buffer)) >= 0)
                {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
            catch (final IOException ignored)
            {
                // one side went away
            }
            finally
            {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-forwarder-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        cut();
    }
}
