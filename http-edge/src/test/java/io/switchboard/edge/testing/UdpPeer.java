package io.switchboard.edge.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/** A UDP socket on loopback (IPv4 unless told) that talks to one server port, for black-box tests. */
public final class UdpPeer implements AutoCloseable
{
    private final DatagramSocket socket;
    private final InetSocketAddress server;

    public UdpPeer(final int serverPort) throws IOException
    {
        this(InetAddress.getLoopbackAddress(), serverPort);
    }

    /** A socket on {@code host} (IPv4 or IPv6 loopback) talking to the server's port on the same address. */
    public UdpPeer(final InetAddress host, final int serverPort) throws IOException
    {
        socket = new DatagramSocket(new InetSocketAddress(host, 0));
        server = new InetSocketAddress(host, serverPort);
    }

    public int localPort()
    {
        return socket.getLocalPort();
    }

    public UdpPeer send(final byte[] datagram) throws IOException
    {
        socket.send(new DatagramPacket(datagram, datagram.length, server));
        return this;
    }

    /** The next datagram, or null when none arrives within {@code timeoutMs}. */
    public byte[] receive(final int timeoutMs) throws IOException
    {
        final byte[] buffer = new byte[65_536];
        final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.setSoTimeout(timeoutMs);
        try
        {
            socket.receive(packet);
        }
        catch (final SocketTimeoutException ex)
        {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    /** Sends and waits for one reply, failing the test when none comes in 5 s. */
    public byte[] exchange(final byte[] datagram) throws IOException
    {
        send(datagram);
        final byte[] reply = receive(5_000);
        if (reply == null)
        {
            throw new AssertionError("no reply within 5 s");
        }
        return reply;
    }

    @Override
    public void close()
    {
        socket.close();
    }
}
