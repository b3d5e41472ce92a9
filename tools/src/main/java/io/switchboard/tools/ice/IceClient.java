package io.switchboard.tools.ice;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.engine.ice.IceHeader;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.engine.ice.IceServerPeerInformation;
import io.switchboard.engine.ice.IceServerQuery;
import io.switchboard.engine.wire.QtSocketAddress;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.UdpLoadGenerator;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * {@code ice-client}: talks to an ICE server as a Vircadia domain (signed heartbeats every interval, printing ACK,
 * Denied and the PeerInformation of connecting clients) or as a client (queries a domain and prints the answer).
 */
public final class IceClient
{
    public static final String COMMAND = "ice-client";

    private static final List<Flag> FLAGS = List.of(
        new Flag("mode", "domain", "domain (heartbeat) or client (query)"),
        new Flag("server", "127.0.0.1:7337", "ICE server host:port"),
        new Flag("domain-id", "", "domain UUID (domain mode: random when empty; client mode: required)"),
        new Flag("key-file", "domain-key.der", "domain mode: PKCS#8 DER private key, created if missing"),
        new Flag("public", "", "claimed public socket host:port (default: the local socket)"),
        new Flag("local", "", "claimed local socket host:port (default: the local socket)"),
        new Flag("interval-ms", "1000", "time between heartbeats or queries"),
        new Flag("count", "0", "datagrams to send before exiting (0 = until interrupted)"));

    private IceClient()
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
        final InetSocketAddress server = UdpLoadGenerator.parseTarget(flags.string("server"));
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.connect(server);
            final InetSocketAddress self = new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
            final InetSocketAddress publicSocket = flags.string("public").isEmpty() ?
                self : UdpLoadGenerator.parseTarget(flags.string("public"));
            final InetSocketAddress localSocket = flags.string("local").isEmpty() ?
                self : UdpLoadGenerator.parseTarget(flags.string("local"));
            final long count = flags.longValue("count");
            final int intervalMs = flags.intValue("interval-ms");
            if ("domain".equals(flags.string("mode")))
            {
                return runDomain(socket, flags, publicSocket, localSocket, count, intervalMs);
            }
            if ("client".equals(flags.string("mode")))
            {
                return runClient(socket, flags, publicSocket, localSocket, count, intervalMs);
            }
            throw new IllegalArgumentException(COMMAND + ": --mode must be domain or client");
        }
    }

    private static int runDomain(
        final DatagramSocket socket,
        final Flags flags,
        final InetSocketAddress publicSocket,
        final InetSocketAddress localSocket,
        final long count,
        final int intervalMs) throws Exception
    {
        final DomainIdentity identity = DomainIdentity.loadOrCreate(Path.of(flags.string("key-file")));
        final UUID domain = flags.string("domain-id").isEmpty() ?
            UUID.randomUUID() : UUID.fromString(flags.string("domain-id"));
        System.out.println("domain " + domain);
        System.out.println("register with: --domain-key=" + domain + ":" + identity.publicKeySpkiBase64());
        int acked = 0;
        for (int sequence = 1; count == 0 || sequence <= count; sequence++)
        {
            final byte[] heartbeat = identity.heartbeat(domain, sequence, publicSocket, localSocket);
            socket.send(new DatagramPacket(heartbeat, heartbeat.length));
            final long deadline = System.currentTimeMillis() + intervalMs;
            for (long left = intervalMs; left > 0; left = deadline - System.currentTimeMillis())
            {
                final byte[] reply = receive(socket, (int)left);
                if (reply != null && reply.length >= IceHeader.LENGTH && reply[IceHeader.TYPE_OFFSET] ==
                    IcePacketType.SERVER_HEARTBEAT_ACK)
                {
                    acked++;
                }
                if (reply != null)
                {
                    System.out.println(describe(reply));
                }
            }
        }
        return acked > 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    private static int runClient(
        final DatagramSocket socket,
        final Flags flags,
        final InetSocketAddress publicSocket,
        final InetSocketAddress localSocket,
        final long count,
        final int intervalMs) throws Exception
    {
        if (flags.string("domain-id").isEmpty())
        {
            throw new IllegalArgumentException(COMMAND + ": client mode needs --domain-id");
        }
        final UUID domain = UUID.fromString(flags.string("domain-id"));
        final UUID client = UUID.randomUUID();
        final UnsafeBuffer sockets = new UnsafeBuffer(new byte[2 * QtSocketAddress.MAX_LENGTH]);
        final int publicLength = QtSocketAddress.put(sockets, 0, publicSocket);
        final int socketsLength = publicLength + QtSocketAddress.put(sockets, publicLength, localSocket);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[512]);
        for (int sequence = 1; count == 0 || sequence <= count; sequence++)
        {
            final int length = IceServerQuery.put(out, 0, sequence, client.getMostSignificantBits(),
                client.getLeastSignificantBits(), sockets, 0, socketsLength,
                domain.getMostSignificantBits(), domain.getLeastSignificantBits());
            socket.send(new DatagramPacket(out.byteArray(), length));
            final byte[] reply = receive(socket, intervalMs);
            if (reply != null)
            {
                System.out.println(describe(reply));
                if (reply.length > IceHeader.TYPE_OFFSET && reply[IceHeader.TYPE_OFFSET] == IcePacketType.PEER_INFORMATION)
                {
                    return Tools.EXIT_OK;
                }
            }
            else
            {
                System.out.println("no answer (domain unknown to the server, or rate limited)");
            }
        }
        return Tools.EXIT_FAILED;
    }

    private static byte[] receive(final DatagramSocket socket, final int timeoutMs) throws Exception
    {
        final byte[] buffer = new byte[2048];
        final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.setSoTimeout(Math.max(1, timeoutMs));
        try
        {
            socket.receive(packet);
            return Arrays.copyOf(buffer, packet.getLength());
        }
        catch (final SocketTimeoutException ex)
        {
            return null;
        }
    }

    /** One line per datagram, in the protocol's words. */
    static String describe(final byte[] datagram)
    {
        if (datagram.length < IceHeader.LENGTH)
        {
            return "short datagram of " + datagram.length + " bytes";
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(datagram);
        final IceHeader header = new IceHeader().wrap(buffer, 0);
        final String prefix = IcePacketType.nameOf(header.type()) + " seq=" + header.sequenceNumber();
        if (header.type() == IcePacketType.PEER_INFORMATION)
        {
            final IceServerPeerInformation information = new IceServerPeerInformation();
            if (!information.wrap(buffer, 0, datagram.length))
            {
                return prefix + " malformed";
            }
            return prefix + " id=" + new UUID(information.peerIdMsb(), information.peerIdLsb()) +
                " public=" + QtSocketAddress.toString(buffer, information.publicSocketOffset(), datagram.length) +
                " local=" + QtSocketAddress.toString(buffer, information.localSocketOffset(), datagram.length);
        }
        return prefix;
    }
}
