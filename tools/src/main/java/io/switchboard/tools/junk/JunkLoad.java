package io.switchboard.tools.junk;

import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.Flags;
import io.switchboard.protocol.websocket.WebSocketFrameHeader;
import io.switchboard.tools.Tools;
import io.switchboard.tools.load.UdpLoadGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code junk-load}: bad input at a steady rate, as a careless or hostile client sends it: malformed datagrams of
 * random lengths to UDP listeners, malformed HTTP requests to HTTP listeners, and WebSockets that complete the
 * handshake and then send one malformed frame. It prints how the server answered each kind (HTTP status, close code,
 * or nothing) and never judges; a soak watches the server meanwhile. The junk is drawn from {@code --seed}
 * (printed), so a run's bytes can be replayed. One thread; the run ends by itself and only talks to the targets.
 */
public final class JunkLoad
{
    public static final String COMMAND = "junk-load";

    private static final int TIMEOUT_MS = 2_000;
    private static final int MAX_UDP_PAYLOAD = 65_507;
    private static final String NO_ANSWER = "none";
    private static final String TIMEOUT = "timeout";
    /** "HTTP/1.1 400": enough of a response to know its status. */
    private static final int STATUS_LINE_START = 12;
    private static final int MAX_HEAD_BYTES = 8_192;
    /** Over the 125 bytes a control frame may carry. */
    private static final int LONG_PING_BYTES = 200;

    private static final List<Flag> FLAGS = List.of(
        new Flag("udp", null, "host:port of a UDP listener; repeatable"),
        new Flag("http", null, "host:port of an HTTP listener; repeatable"),
        new Flag("ws", null,
            "host:port/path?query of a WebSocket endpoint (id=junk-N is appended); repeatable"),
        new Flag("rate", "50", "junk operations per second, spread over the targets"),
        new Flag("duration-s", "10", "seconds to run"),
        new Flag("seed", null, "seed of the junk (default: random, printed)"),
        new Flag("label", "junk", "tag on the result line"));

    /** HTTP requests no server should accept, by name; each is answered with a status or a close. */
    private static final String[][] BAD_REQUESTS = {
        {"negative_length", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
        {"huge_chunk", "POST /register HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "FFFFFFFFFFFFFFFFFF\r\n"},
        {"bad_json", "PUT /api/v1/domains/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\nHost: x\r\n" +
            "Content-Length: 5\r\n\r\n{{{{{"},
        {"control_chars", "GET /\u0000\u0001 HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"bad_version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n"},
        {"header_without_colon", "GET / HTTP/1.1\r\nHost x no colon\r\n\r\n"},
        {"huge_length", "POST /api/v1/domains/temporary HTTP/1.1\r\nHost: x\r\n" +
            "Content-Length: 99999999999999999999\r\n\r\n"},
        {"empty_boundary", "PUT /api/v1/domains/x/public_key HTTP/1.1\r\nHost: x\r\n" +
            "Content-Type: multipart/form-data; boundary=\r\nContent-Length: 4\r\n\r\n----"},
        {"upgrade_without_key", "GET /peerjs?key=peerjs&id=x&token=y HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" +
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"},
    };
    private static final String[] BAD_FRAMES = {
        "unmasked", "reserved_bits", "reserved_opcode", "bad_utf8", "orphan_continuation", "long_ping", "huge_length"};

    private final Random random;
    private final List<InetSocketAddress> udp = new ArrayList<>();
    private final List<InetSocketAddress> http = new ArrayList<>();
    private final List<WsTarget> ws = new ArrayList<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private long operations;

    /** A WebSocket endpoint: where to connect and the request target, to which a fresh id is appended. */
    private record WsTarget(InetSocketAddress address, String pathAndQuery)
    {
        static WsTarget parse(final String value)
        {
            final int slash = value.indexOf('/');
            if (slash < 0)
            {
                throw new IllegalArgumentException(COMMAND + ": --ws must be host:port/path, got '" + value + "'");
            }
            return new WsTarget(UdpLoadGenerator.parseTarget(value.substring(0, slash)), value.substring(slash));
        }
    }

    private JunkLoad(final long seed)
    {
        this.random = new Random(seed);
    }

    public static int command(final String[] args) throws Exception
    {
        final Flags flags = Tools.flags(COMMAND, FLAGS, args);
        if (flags.helpRequested())
        {
            System.out.print(flags.help());
            return Tools.EXIT_OK;
        }
        final long seed = flags.isSet("seed") ? flags.longValue("seed") : new Random().nextLong();
        final JunkLoad load = new JunkLoad(seed);
        flags.values("udp").forEach(target -> load.udp.add(UdpLoadGenerator.parseTarget(target)));
        flags.values("http").forEach(target -> load.http.add(UdpLoadGenerator.parseTarget(target)));
        flags.values("ws").forEach(target -> load.ws.add(WsTarget.parse(target)));
        final int kinds = load.udp.size() + load.http.size() + load.ws.size();
        if (kinds == 0)
        {
            throw new IllegalArgumentException(COMMAND + ": give at least one --udp, --http or --ws target");
        }
        final double rate = flags.doubleValue("rate");
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
            Math.round(flags.doubleValue("duration-s") * 1000));
        try (DatagramChannel channel = DatagramChannel.open())
        {
            // Behind schedule (slow answers), it skips the missed slots rather than catching up past the end.
            for (long next = System.nanoTime(); next < end; next = Math.max(next + Math.round(1e9 / rate),
                System.nanoTime()))
            {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                load.once(channel, load.random.nextInt(kinds));
            }
        }
        final StringBuilder line = new StringBuilder(COMMAND).append(" label=").append(flags.string("label"))
            .append(" seed=").append(seed).append(" operations=").append(load.operations);
        load.outcomes.forEach((outcome, count) -> line.append(' ').append(outcome).append('=').append(count));
        System.out.println(line);
        return Tools.EXIT_OK;
    }

    private void once(final DatagramChannel channel, final int kind)
    {
        operations++;
        if (kind < udp.size())
        {
            count("udp", datagram(channel, udp.get(kind)));
        }
        else if (kind < udp.size() + http.size())
        {
            request(http.get(kind - udp.size()));
        }
        else
        {
            frame(ws.get(kind - udp.size() - http.size()));
        }
    }

    private void count(final String kind, final String outcome)
    {
        outcomes.merge(kind + "_" + outcome, 1, Integer::sum);
    }

    /** Random bytes, mostly short, sometimes up to the largest UDP payload. */
    private String datagram(final DatagramChannel channel, final InetSocketAddress target)
    {
        final int bound = switch (random.nextInt(20))
        {
            case 0 -> MAX_UDP_PAYLOAD + 1;
            case 1, 2, 3, 4 -> 1_501;
            default -> 65;
        };
        final byte[] bytes = new byte[random.nextInt(bound)];
        random.nextBytes(bytes);
        try
        {
            channel.send(ByteBuffer.wrap(bytes), target);
            return bytes.length > 1_500 ? "long" : "short";
        }
        catch (final IOException ex)
        {
            return "failed";
        }
    }

    /** A malformed request, or random bytes; the outcome is the status code, or none when the server just closed. */
    private void request(final InetSocketAddress target)
    {
        final String name;
        final byte[] bytes;
        if (random.nextInt(4) == 0)
        {
            name = "random";
            bytes = new byte[1 + random.nextInt(2_048)];
            random.nextBytes(bytes);
            bytes[bytes.length - 1] = '\n';
        }
        else
        {
            final String[] request = BAD_REQUESTS[random.nextInt(BAD_REQUESTS.length)];
            name = request[0];
            bytes = request[1].getBytes(StandardCharsets.ISO_8859_1);
        }
        count("http_" + name, answer(target, bytes));
    }

    private static String answer(final InetSocketAddress target, final byte[] bytes)
    {
        try (Socket socket = connect(target))
        {
            socket.getOutputStream().write(bytes);
            return statusOf(socket.getInputStream().readNBytes(STATUS_LINE_START));
        }
        catch (final SocketTimeoutException ex)
        {
            return TIMEOUT;
        }
        catch (final IOException ex)
        {
            return NO_ANSWER;
        }
    }

    /**
     * A WebSocket handshake, then one malformed frame; the outcome is the close code the server sent, "none" when
     * it closed without one, or the status when it refused the upgrade.
     */
    private void frame(final WsTarget target)
    {
        final int kind = random.nextInt(BAD_FRAMES.length);
        count("ws_" + BAD_FRAMES[kind], closeAfter(target, kind));
    }

    private String closeAfter(final WsTarget target, final int kind)
    {
        final String separator = target.pathAndQuery().contains("?") ? "&" : "?";
        final byte[] key = new byte[16];
        random.nextBytes(key);
        final String upgrade = "GET " + target.pathAndQuery() + separator + "id=junk-" + operations + " HTTP/1.1\r\n" +
            "Host: " + target.address().getHostString() + ":" + target.address().getPort() + "\r\n" +
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n\r\n";
        try (Socket socket = connect(target.address()))
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            out.write(upgrade.getBytes(StandardCharsets.US_ASCII));
            final String status = statusOf(readHead(in));
            if (!"101".equals(status))
            {
                return "upgrade_" + status;
            }
            out.write(junkFrame(kind));
            return closeCodeOf(in);
        }
        catch (final SocketTimeoutException ex)
        {
            return TIMEOUT;
        }
        catch (final IOException ex)
        {
            return NO_ANSWER;
        }
    }

    /** One frame RFC 6455 forbids a client to send (the server must fail the connection), of kind {@code kind}. */
    private byte[] junkFrame(final int kind)
    {
        final byte[] mask = new byte[4];
        random.nextBytes(mask);
        return switch (kind)
        {
            // Unmasked text frame.
            case 0 -> new byte[] {(byte)0x81, 0x02, 'h', 'i'};
            // Reserved bits set.
            case 1 -> masked((byte)0xF1, mask, "hi".getBytes(StandardCharsets.US_ASCII));
            // Reserved opcode.
            case 2 -> masked((byte)0x83, mask, new byte[] {1, 2, 3});
            // Text that is not UTF-8.
            case 3 -> masked((byte)0x81, mask, new byte[] {(byte)0xC3, (byte)0x28, (byte)0xFF});
            // Continuation with no message started.
            case 4 -> masked((byte)0x80, mask, "x".getBytes(StandardCharsets.US_ASCII));
            // A ping longer than a control frame may be (its 126 length form), whole.
            case 5 -> longPing(mask);
            // A length of 2^40 bytes, far over any limit.
            default -> new byte[] {(byte)0x82, (byte)(0x80 | 127), 0, 0, 1, 0, 0, 0, 0, 0,
                mask[0], mask[1], mask[2], mask[3]};
        };
    }

    private static byte[] longPing(final byte[] mask)
    {
        final byte[] frame = new byte[8 + LONG_PING_BYTES];
        frame[0] = (byte)0x89;
        frame[1] = (byte)(0x80 | 126);
        frame[3] = (byte)LONG_PING_BYTES;
        System.arraycopy(mask, 0, frame, 4, 4);
        return frame;
    }

    private static byte[] masked(final byte first, final byte[] mask, final byte[] payload)
    {
        final byte[] frame = new byte[6 + payload.length];
        frame[0] = first;
        frame[1] = (byte)(0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    private static Socket connect(final InetSocketAddress target) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.setSoTimeout(TIMEOUT_MS);
            socket.connect(target, TIMEOUT_MS);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /** "HTTP/1.1 400 ..." gives 400; anything else (nothing, not HTTP) gives none. */
    private static String statusOf(final byte[] head)
    {
        final String text = new String(head, StandardCharsets.ISO_8859_1);
        return text.startsWith("HTTP/1.") && text.length() >= STATUS_LINE_START ?
            text.substring(STATUS_LINE_START - 3, STATUS_LINE_START) : NO_ANSWER;
    }

    /** The response head up to its blank line. */
    private static byte[] readHead(final InputStream in) throws IOException
    {
        final StringBuilder head = new StringBuilder();
        for (int b = in.read(); b >= 0 && head.length() < MAX_HEAD_BYTES; b = in.read())
        {
            head.append((char)b);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4)
            {
                break;
            }
        }
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The code of the close frame the server sends first (frames before it are skipped), or none. */
    private static String closeCodeOf(final InputStream in) throws IOException
    {
        try
        {
            final byte[] bytes = new byte[WebSocketFrameHeader.MAX_HEADER_BYTES];
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final WebSocketFrameHeader header = new WebSocketFrameHeader();
            while (in.readNBytes(bytes, 0, 2) == 2)
            {
                if (header.wrap(buffer, 0, 2) == 0)
                {
                    final int needed = header.bytesNeeded();
                    if (in.readNBytes(bytes, 2, needed - 2) != needed - 2 || header.wrap(buffer, 0, needed) == 0)
                    {
                        return NO_ANSWER;
                    }
                }
                final long length = header.payloadLength();
                if (length < 0)
                {
                    return NO_ANSWER;
                }
                final byte[] payload = in.readNBytes((int)Math.min(length, 1 << 20));
                if (header.opcode() == WebSocketFrameHeader.OP_CLOSE)
                {
                    return payload.length >= 2 ? Integer.toString(((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)) :
                        "empty";
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return TIMEOUT;
        }
        return NO_ANSWER;
    }
}
