package io.switchboard.edge.dop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback TCP forwarder whose connections the test can cut at once, as a network loss cuts both sides. */
final class TcpCut implements AutoCloseable
{
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    TcpCut(final int targetPort) throws IOException
    {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::accept, "tcp-cut");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return server.getLocalPort();
    }

    /** Closes every forwarded connection on both sides; new ones are still accepted. */
    void cut()
    {
        sockets.forEach(TcpCut::closeQuietly);
        sockets.clear();
    }

    private void accept()
    {
        while (!server.isClosed())
        {
            try
            {
                final Socket client = server.accept();
                final Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                sockets.add(client);
                sockets.add(target);
                pump(client, target);
                pump(target, client);
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    private static void pump(final Socket from, final Socket to) throws IOException
    {
        final InputStream in = from.getInputStream();
        final OutputStream out = to.getOutputStream();
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[8192];
            try
            {
                for (int read; (read = in.read(buffer)) >= 0; )
                {
                    out.write(buffer, 0, read);
                }
            }
            catch (final IOException ignored)
            {
                // Cut or closed: both sides go.
            }
            closeQuietly(from);
            closeQuietly(to);
        }, "tcp-cut-pump");
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
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        cut();
    }
}
