package io.switchboard.tools.pulse;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.engine.pulse.PulseReply;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.UdpLoadGenerator;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code pulse-client}: a Socket-Rendezvous client. {@code register} prints a new client id and key; {@code pulse}
 * pulses on an interval from one UDP socket and prints each answer, re-verifying when told to; {@code peer} looks a
 * client up; {@code punch-demo} makes two clients on this machine learn each other's public address from the
 * rendezvous and exchange a datagram directly, as two programs behind NATs would.
 */
public final class PulseClient
{
    public static final String COMMAND = "pulse-client";
    /** Below the server's 30 s pulse TTL with room for a lost pulse, as rendezvous-and-dop.md §1.9.4 advises. */
    public static final long DEFAULT_INTERVAL_MS = 20_000;

    private static final List<Flag> FLAGS = List.of(
        new Flag("action", "pulse", "register, pulse, peer or punch-demo"),
        new Flag("http", "127.0.0.1:5025", "host:port of the rendezvous HTTP API"),
        new Flag("udp", "127.0.0.1:5024", "host:port of the pulse UDP port"),
        new Flag("key", null, "private_id (64 hex) of a registered client; pulse registers one when unset"),
        new Flag("peer", null, "client_id to look up (peer)"),
        new Flag("interval-ms", Long.toString(DEFAULT_INTERVAL_MS), "time between pulses"),
        new Flag("count", "0", "pulses to send, 0 = until stopped"),
        new Flag("form", "hex", "pulse payload: hex (64 hex digits) or raw (32 bytes)"),
        new Flag("verify", "true", "POST /verify when a pulse is answered 1050 (must re-verify)"),
        new Flag("timeout-ms", "2000", "how long to wait for each UDP answer"),
        new Flag("bind", "0.0.0.0", "local address of the UDP socket(s)"));

    private PulseClient()
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
        final InetSocketAddress http = UdpLoadGenerator.parseTarget(flags.string("http"));
        final InetSocketAddress udp = UdpLoadGenerator.parseTarget(flags.string("udp"));
        final boolean raw = switch (flags.string("form"))
        {
            case "hex" -> false;
            case "raw" -> true;
            default -> throw new IllegalArgumentException(COMMAND + ": --form must be hex or raw");
        };
        final PrintStream out = System.out;
        try (RendezvousConnection rendezvous = new RendezvousConnection(http))
        {
            return switch (flags.string("action"))
            {
                case "register" -> register(rendezvous, out);
                case "pulse" -> pulse(flags, rendezvous, udp, raw, out);
                case "peer" -> peer(rendezvous, flags.string("key"), flags.string("peer"), out);
                case "punch-demo" -> punchDemo(flags, rendezvous, udp, raw, out);
                default -> throw new IllegalArgumentException(
                    COMMAND + ": --action must be register, pulse, peer or punch-demo");
            };
        }
    }

    private static int register(final RendezvousConnection rendezvous, final PrintStream out) throws IOException
    {
        final RendezvousConnection.Registration client = rendezvous.register();
        out.println("client_id=" + client.clientId() + " private_id=" + client.privateId());
        return Tools.EXIT_OK;
    }

    private static int pulse(
        final Flags flags,
        final RendezvousConnection rendezvous,
        final InetSocketAddress udp,
        final boolean raw,
        final PrintStream out) throws IOException, InterruptedException
    {
        String key = flags.value("key");
        if (key == null)
        {
            final RendezvousConnection.Registration client = rendezvous.register();
            out.println("registered client_id=" + client.clientId() + " private_id=" + client.privateId());
            key = client.privateId();
        }
        final byte[] payload = payload(key, raw);
        final long count = flags.longValue("count");
        final long intervalMs = flags.longValue("interval-ms");
        final long timeoutMs = flags.longValue("timeout-ms");
        final boolean verify = flags.booleanValue("verify");
        int answered = 0;
        try (PulseSocket socket = new PulseSocket(new InetSocketAddress(flags.string("bind"), 0)))
        {
            for (long sent = 1; count == 0 || sent <= count; sent++)
            {
                final int code = socket.pulse(udp, payload, timeoutMs);
                out.println("pulse " + sent + " " + describe(code));
                if (code != PulseSocket.NO_ANSWER)
                {
                    answered++;
                }
                if (code == PulseReply.MUST_REVERIFY && verify)
                {
                    final RendezvousConnection.Response verified = rendezvous.verify(key);
                    out.println("verify status=" + verified.status() + " ok=" + verified.body().path("ok").asBoolean());
                }
                if (count == 0 || sent < count)
                {
                    Thread.sleep(intervalMs);
                }
            }
        }
        return answered > 0 ? Tools.EXIT_OK : Tools.EXIT_FAILED;
    }

    private static int peer(
        final RendezvousConnection rendezvous, final String key, final String peerId, final PrintStream out)
        throws IOException
    {
        final RendezvousConnection.Response status = rendezvous.peerStatus(key, peerId);
        if (status.status() != 200)
        {
            out.println("peer " + peerId + " status=" + status.status() + " error=" + status.text("error"));
            return Tools.EXIT_FAILED;
        }
        final RendezvousConnection.Response address = rendezvous.peerAddress(key, peerId);
        out.println("peer " + peerId + " state=" + status.text("status") + " last_online=" +
            status.text("last_online") + " seconds_since_pulse=" + status.text("seconds_since_pulse") +
            (address.status() == 200 ? " host=" + address.text("host") + " port=" + address.text("port") :
                " address=none"));
        return Tools.EXIT_OK;
    }

    /**
     * Two clients, each with its own UDP socket: both register and pulse (the rendezvous learns each socket's public
     * address), each asks for the other's address, then each sends a datagram straight to the other's socket.
     */
    private static int punchDemo(
        final Flags flags,
        final RendezvousConnection rendezvous,
        final InetSocketAddress udp,
        final boolean raw,
        final PrintStream out) throws IOException
    {
        final long timeoutMs = flags.longValue("timeout-ms");
        final InetSocketAddress bind = new InetSocketAddress(flags.string("bind"), 0);
        try (PulseSocket alice = new PulseSocket(bind); PulseSocket bob = new PulseSocket(bind))
        {
            final RendezvousConnection.Registration a = rendezvous.register();
            final RendezvousConnection.Registration b = rendezvous.register();
            out.println("alice client_id=" + a.clientId() + " local=" + alice.localAddress());
            out.println("bob   client_id=" + b.clientId() + " local=" + bob.localAddress());
            final int alicePulse = alice.pulse(udp, payload(a.privateId(), raw), timeoutMs);
            final int bobPulse = bob.pulse(udp, payload(b.privateId(), raw), timeoutMs);
            out.println("alice pulse " + describe(alicePulse));
            out.println("bob   pulse " + describe(bobPulse));
            if (alicePulse != PulseReply.ON_TIME || bobPulse != PulseReply.ON_TIME)
            {
                return Tools.EXIT_FAILED;
            }
            final InetSocketAddress bobSeen = address(rendezvous.peerAddress(a.privateId(), b.clientId()));
            final InetSocketAddress aliceSeen = address(rendezvous.peerAddress(b.privateId(), a.clientId()));
            out.println("alice learns bob   at " + bobSeen);
            out.println("bob   learns alice at " + aliceSeen);
            if (bobSeen == null || aliceSeen == null)
            {
                return Tools.EXIT_FAILED;
            }
            // Both send first: on real NATs each outgoing datagram opens the sender's mapping for the other's reply.
            alice.send(bobSeen, ("hello bob, from alice " + a.clientId()).getBytes(StandardCharsets.UTF_8));
            bob.send(aliceSeen, ("hello alice, from bob " + b.clientId()).getBytes(StandardCharsets.UTF_8));
            final String bobGot = bob.receiveFrom(aliceSeen, timeoutMs);
            final String aliceGot = alice.receiveFrom(bobSeen, timeoutMs);
            out.println("bob   received: " + bobGot);
            out.println("alice received: " + aliceGot);
            final boolean punched = bobGot != null && aliceGot != null;
            out.println(punched ? "hole punched: direct datagrams both ways" : "no direct datagram");
            rendezvous.logout(a.privateId());
            rendezvous.logout(b.privateId());
            return punched ? Tools.EXIT_OK : Tools.EXIT_FAILED;
        }
    }

    private static InetSocketAddress address(final RendezvousConnection.Response response) throws IOException
    {
        if (response.status() != 200)
        {
            return null;
        }
        return new InetSocketAddress(
            InetAddress.getByName(response.text("host")), response.body().get("port").asInt());
    }

    /** The pulse payload of a key: its 64 hex digits as text, or its 32 raw bytes. */
    static byte[] payload(final String privateId, final boolean raw)
    {
        if (privateId.length() != 64 || !privateId.chars().allMatch(HexFormat::isHexDigit))
        {
            throw new IllegalArgumentException(COMMAND + ": a private_id is 64 hex digits");
        }
        return raw ? HexFormat.of().parseHex(privateId) : privateId.getBytes(StandardCharsets.US_ASCII);
    }

    static String describe(final int code)
    {
        return switch (code)
        {
            case PulseReply.ON_TIME -> "code=1020 on time";
            case PulseReply.MUST_REVERIFY -> "code=1050 must re-verify (PENDING)";
            case PulseReply.UNKNOWN_CLIENT -> "code=1060 unknown client";
            case PulseSocket.NO_ANSWER -> "no answer";
            default -> "code=" + code + " unexpected";
        };
    }

    /** One non-blocking UDP socket that pulses and exchanges datagrams with peers. */
    static final class PulseSocket implements AutoCloseable
    {
        static final int NO_ANSWER = -1;

        private final DatagramChannel channel;
        private final Selector selector;
        private final ByteBuffer buffer = ByteBuffer.allocate(2048);

        PulseSocket(final InetSocketAddress bind) throws IOException
        {
            channel = DatagramChannel.open();
            channel.bind(bind);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        SocketAddress localAddress() throws IOException
        {
            return channel.getLocalAddress();
        }

        /** Sends the pulse and returns the answer's code (4-byte big-endian, or 2-byte), or {@link #NO_ANSWER}. */
        int pulse(final InetSocketAddress server, final byte[] payload, final long timeoutMs) throws IOException
        {
            send(server, payload);
            final long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            while (receive(server, deadline))
            {
                if (buffer.remaining() == 4)
                {
                    return buffer.getInt();
                }
                if (buffer.remaining() == 2)
                {
                    return buffer.getShort() & 0xFFFF;
                }
            }
            return NO_ANSWER;
        }

        void send(final InetSocketAddress destination, final byte[] payload) throws IOException
        {
            channel.send(ByteBuffer.wrap(payload), destination);
        }

        /** The text of the next datagram from {@code source}, or null when none comes in time. */
        String receiveFrom(final InetSocketAddress source, final long timeoutMs) throws IOException
        {
            if (!receive(source, System.nanoTime() + timeoutMs * 1_000_000))
            {
                return null;
            }
            return StandardCharsets.UTF_8.decode(buffer).toString();
        }

        /** Waits for a datagram from {@code source} into {@link #buffer}; others are skipped. */
        private boolean receive(final InetSocketAddress source, final long deadlineNanos) throws IOException
        {
            while (true)
            {
                buffer.clear();
                final SocketAddress from = channel.receive(buffer);
                if (from != null)
                {
                    if (from.equals(source))
                    {
                        buffer.flip();
                        return true;
                    }
                    continue;
                }
                final long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0)
                {
                    return false;
                }
                selector.select(remainingMs);
                selector.selectedKeys().clear();
            }
        }

        @Override
        public void close() throws IOException
        {
            selector.close();
            channel.close();
        }
    }
}
