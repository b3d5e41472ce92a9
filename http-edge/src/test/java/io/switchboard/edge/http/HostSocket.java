package io.switchboard.edge.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain TCP client bound to a chosen loopback source address (any 127.x is one), speaking raw HTTP/1.1. */
final class HostSocket implements AutoCloseable
{
    static final String LOOPBACK = "127.0.0.1";
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 5_000;

    private final Socket socket;
    private final InputStream in;

    private HostSocket(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** A connection from {@code sourceHost} to the appliance's {@code port} on 127.0.0.1. */
    static HostSocket connect(final String sourceHost, final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(sourceHost, 0));
        socket.connect(new InetSocketAddress(LOOPBACK, port), CONNECT_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return new HostSocket(socket);
    }

    /**
     * Whether a new connection from {@code sourceHost} is closed without a word within {@code waitMs}: a reset that
     * arrives while connecting counts, as the kernel may complete the handshake before the server accepts.
     */
    static boolean isRefused(final String sourceHost, final int port, final long waitMs) throws IOException
    {
        final HostSocket connection;
        try
        {
            connection = connect(sourceHost, port);
        }
        catch (final SocketException reset)
        {
            return true;
        }
        try (connection)
        {
            return connection.isRefused(waitMs);
        }
    }

    static String get(final String path)
    {
        return "GET " + path + " HTTP/1.1\r\nHost: switchboard\r\n\r\n";
    }

    void send(final String text) throws IOException
    {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(final byte[] bytes) throws IOException
    {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Sends {@code request} and returns the status code of the response, its body read by Content-Length. */
    int exchange(final String request) throws IOException
    {
        send(request);
        return readResponse();
    }

    /** Sends {@code request} and returns the body of the response (by Content-Length), as ISO-8859-1 text. */
    String exchangeForBody(final String request) throws IOException
    {
        send(request);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        readResponse(body);
        return body.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response: its status code; its body (by Content-Length) is skipped. */
    int readResponse() throws IOException
    {
        return readResponse(OutputStream.nullOutputStream());
    }

    private int readResponse(final OutputStream body) throws IOException
    {
        final String head = readHead();
        final int status = Integer.parseInt(head.substring(9, 12));
        long length = 0;
        for (final String line : head.split("\r\n"))
        {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15))
            {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        for (long i = 0; i < length; i++)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("response body cut short");
            }
            body.write(b);
        }
        return status;
    }

    /** The next response head, through its empty line. */
    String readHead() throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("closed before a response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ?
                matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Milliseconds from now until the server ends the connection (end of stream or reset), reading and dropping
     * whatever it sends first; -1 when it is still open after {@code waitMs}.
     */
    long msUntilClosed(final long waitMs) throws IOException
    {
        final long startNs = System.nanoTime();
        socket.setSoTimeout((int)waitMs);
        try
        {
            while (in.read() >= 0)
            {
                socket.setSoTimeout((int)Math.max(1, waitMs - (System.nanoTime() - startNs) / 1_000_000));
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return -1;
        }
        catch (final SocketException reset)
        {
            // Reset: closed as well.
        }
        finally
        {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    /** Whether the server closed this connection without a word within {@code waitMs}. */
    boolean isRefused(final long waitMs) throws IOException
    {
        return msUntilClosed(waitMs) >= 0;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
