package io.switchboard.edge.peerjs;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The WebSocket frame decoder over any byte stream a client sends after its handshake, driven through the PeerJS
 * listener over loopback. What the server answers must be what RFC 6455's rules, as {@code WebSocketConnection}
 * states them, make of the stream, worked out here on the side: a pong for each ping, each OFFER/ANSWER/CANDIDATE/
 * LEAVE/EXPIRE the client addressed to itself relayed back, and a close with the code the first violation calls for
 * (1002, 1007, 1009) or the answer to the client's close; then the connection ends. A stream that stops inside a
 * frame gets no close: the connection ends when the client's does.
 */
class WebSocketFramesFuzzTest
{
    /** --peerjs-max-frame-bytes: small, so the fuzzer's streams reach the 1009 limit. */
    private static final int MAX_MESSAGE_BYTES = 4096;
    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    @TempDir
    static Path dir;
    private static PeerJsAppliance appliance;
    private final SignalFrame codec = new SignalFrame(MAX_MESSAGE_BYTES);

    @BeforeAll
    static void start()
    {
        // A frame a stream sends to an offline id is queued (one at most) for a day, so no EXPIRE notice of an
        // earlier stream's frame reaches a later stream's socket.
        appliance = PeerJsAppliance.start(dir, "--peerjs-max-frame-bytes=" + MAX_MESSAGE_BYTES,
            "--peerjs-max-queued=1", "--peerjs-expire-timeout-ms=86400000");
    }

    @AfterAll
    static void stop()
    {
        appliance.close();
    }

    /** Every socket takes over the id with the same token, so committed streams can address their own socket. */
    private static final String ID = "self";
    /** A masked ping, "ready": its pong marks where the answer to the stream starts. */
    private static final byte[] READY = {(byte)0x89, (byte)0x85, 1, 2, 3, 4, 'r' ^ 1, 'e' ^ 2, 'a' ^ 3, 'd' ^ 4, 'y' ^ 1};

    @FuzzTest
    void clientStream(final byte[] stream) throws IOException
    {
        allowTheListener();
        final Answer expected = new Answer();
        new ClientStream(stream, ID, expected).read();
        final Answer answered = exchange(ID, stream);
        final String input = HexFormat.of().formatHex(stream);
        assertEquals(expected.pongs, answered.pongs, () -> "pongs for " + input);
        assertEquals(expected.relayed, answered.relayed, () -> "relayed frames for " + input);
        assertTrue(closeAgrees(expected.closeCode, answered.closeCode),
            () -> "close " + answered.closeCode + " where " + expected.closeCode + " is due, for " + input);
    }

    /**
     * Fuzzing's network sanitizer would take the connection to the listener for a request forgery. Its switch is
     * reset when the fuzz target starts, so it is set for every input; a replay without hooks has no sanitizer.
     */
    private static void allowTheListener()
    {
        try
        {
            BugDetectors.allowNetworkConnections((host, port) -> port == appliance.port());
        }
        catch (final IllegalStateException noSanitizers)
        {
            // Replaying with -Djazzer.hooks=false.
        }
    }

    /**
     * 1012-1014 are registered since RFC 6455 (restart, try again later, bad gateway): a server may echo them or
     * refuse them with 1002.
     */
    private static boolean closeAgrees(final int expected, final int answered)
    {
        return expected == answered || expected >= 1012 && expected <= 1014 && answered == 1002;
    }

    /**
     * Opens a PeerJS socket registered as {@code id}, sends {@code stream}, half-closes, and reads the server's frames
     * to the end.
     */
    private static Answer exchange(final String id, final byte[] stream) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", appliance.port()), 5_000);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            final OutputStream out = socket.getOutputStream();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(("GET /peerjs?key=peerjs&id=" + id + "&token=t HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n"))
            {
                head.write(in.readUnsignedByte());
            }
            assertTrue(head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"), head::toString);
            final byte[] open = serverFrame(in);
            assertNotNull(open, "OPEN");
            assertArrayEquals(SignalFrame.OPEN, Arrays.copyOfRange(open, 1, open.length));
            // Frames an earlier stream left queued for the id come on admission, before the pong: skipped.
            out.write(READY);
            byte[] ready;
            do
            {
                ready = serverFrame(in);
                assertNotNull(ready, "the pong to READY");
            }
            while (ready[0] != PONG || !"ready".equals(new String(ready, 1, ready.length - 1, StandardCharsets.US_ASCII)));

            out.write(stream);
            out.flush();
            socket.shutdownOutput();
            final Answer answered = new Answer();
            for (byte[] frame = serverFrame(in); frame != null; frame = serverFrame(in))
            {
                assertEquals(-1, answered.closeCode, "nothing after the server's close");
                final byte[] payload = Arrays.copyOfRange(frame, 1, frame.length);
                switch (frame[0])
                {
                    case PONG -> answered.pongs.add(HexFormat.of().formatHex(payload));
                    case TEXT -> answered.relayed.add(new String(payload, StandardCharsets.UTF_8));
                    case CLOSE ->
                    {
                        assertEquals(2, payload.length, "the server's close carries its code alone");
                        answered.closeCode = (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
                    }
                    default -> fail("the server sent opcode " + frame[0]);
                }
            }
            return answered;
        }
    }

    /**
     * One server frame: its opcode, then its payload; null when the connection ended before it (a reset too: the
     * server may cut while our half-close is in flight).
     */
    private static byte[] serverFrame(final DataInputStream in) throws IOException
    {
        final int b0;
        try
        {
            b0 = in.read();
        }
        catch (final SocketException reset)
        {
            return null;
        }
        if (b0 < 0)
        {
            return null;
        }
        try
        {
            final int b1 = in.readUnsignedByte();
            assertEquals(0x80, b0 & 0xF0, "server frames are final, with no RSV bit");
            assertEquals(0, b1 & 0x80, "server frames are not masked");
            long length = b1 & 0x7F;
            if (length == 126)
            {
                length = in.readUnsignedShort();
                assertTrue(length >= 126, "lengths are in their shortest form");
            }
            else if (length == 127)
            {
                length = in.readLong();
                assertTrue(length >= 65_536, "lengths are in their shortest form");
            }
            final byte[] frame = new byte[1 + (int)length];
            frame[0] = (byte)(b0 & 0x0F);
            in.readFully(frame, 1, (int)length);
            return frame;
        }
        catch (final EOFException | SocketException ex)
        {
            throw new AssertionError("the connection ended inside a server frame", ex);
        }
    }

    /** The server's answer, or what it should be. */
    private static final class Answer
    {
        final List<String> pongs = new ArrayList<>();
        final List<String> relayed = new ArrayList<>();
        int closeCode = -1;
    }

    /** RFC 6455 §5-7 from the server's side, over the whole stream, with the realm's relay of self-addressed frames. */
    private final class ClientStream
    {
        private final ByteBuffer in;
        private final String id;
        private final Answer answer;
        private ByteArrayOutputStream message;
        private boolean messageIsText;
        private boolean registered = true;

        ClientStream(final byte[] stream, final String id, final Answer answer)
        {
            this.in = ByteBuffer.wrap(stream);
            this.id = id;
            this.answer = answer;
        }

        /** Works out the answer; returns when the stream ends or the connection would. */
        void read()
        {
            while (answer.closeCode < 0 && in.remaining() >= 2)
            {
                final int at = in.position();
                final int b0 = in.get(at) & 0xFF;
                final int b1 = in.get(at + 1) & 0xFF;
                final boolean fin = (b0 & 0x80) != 0;
                final int opcode = b0 & 0x0F;
                final int lengthBytes = (b1 & 0x7F) == 126 ? 2 : (b1 & 0x7F) == 127 ? 8 : 0;
                if (in.remaining() < 2 + lengthBytes)
                {
                    return;
                }
                final long length = lengthBytes == 2 ? in.getShort(at + 2) & 0xFFFF :
                    lengthBytes == 8 ? in.getLong(at + 2) : b1 & 0x7F;
                final boolean control = opcode >= CLOSE;
                final boolean violation = (b0 & 0x70) != 0 || (b1 & 0x80) == 0 || length < 0 || (control ?
                    !fin || length > 125 || opcode > PONG : opcode > 2 || (opcode == 0) != (message != null));
                if (violation)
                {
                    answer.closeCode = 1002;
                    return;
                }
                if (!control && (message != null ? message.size() : 0) + length > MAX_MESSAGE_BYTES)
                {
                    answer.closeCode = 1009;
                    return;
                }
                final int header = 2 + lengthBytes + 4;
                if (in.remaining() < header + length)
                {
                    return;
                }
                final byte[] payload = new byte[(int)length];
                for (int i = 0; i < payload.length; i++)
                {
                    payload[i] = (byte)(in.get(at + header + i) ^ in.get(at + header - 4 + i % 4));
                }
                in.position(at + header + payload.length);
                frame(fin, opcode, payload);
            }
        }

        private void frame(final boolean fin, final int opcode, final byte[] payload)
        {
            if (opcode == CLOSE)
            {
                answer.closeCode = closeAnswer(payload);
            }
            else if (opcode == PING)
            {
                answer.pongs.add(HexFormat.of().formatHex(payload));
            }
            else if (opcode != PONG)
            {
                if (opcode != 0)
                {
                    message = new ByteArrayOutputStream();
                    messageIsText = opcode == TEXT;
                }
                message.writeBytes(payload);
                if (fin)
                {
                    final byte[] whole = message.toByteArray();
                    message = null;
                    if (messageIsText && !utf8(whole))
                    {
                        answer.closeCode = 1007;
                        return;
                    }
                    relay(whole);
                }
            }
        }

        /** RFC 6455 §5.5.1, §7.4: the code to echo, 1000 for none, 1002 for an invalid one, 1007 for a bad reason. */
        private int closeAnswer(final byte[] payload)
        {
            if (payload.length == 0)
            {
                return 1000;
            }
            if (payload.length == 1)
            {
                return 1002;
            }
            final int code = (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
            final boolean valid = code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 ||
                code >= 3000 && code <= 4999;
            if (!valid)
            {
                return 1002;
            }
            return utf8(Arrays.copyOfRange(payload, 2, payload.length)) ? code : 1007;
        }

        /** What the realm does with one whole message from a registered socket, as far as it answers this socket. */
        private void relay(final byte[] message)
        {
            final SignalFrame.Parsed frame = codec.parse(message, message.length);
            if (frame.kind() != SignalFrame.Kind.ACTED_ON || !registered || frame.type() == MessageType.HEARTBEAT)
            {
                return;
            }
            if (frame.dst() == null)
            {
                registered = frame.type() != MessageType.LEAVE;
                return;
            }
            if (id.equals(frame.dst()))
            {
                answer.relayed.add(new String(SignalFrame.relay(frame.type(), SignalFrame.quoted(id),
                    SignalFrame.quoted(id), message, frame.payloadStart(), frame.payloadEnd()), StandardCharsets.UTF_8));
            }
        }
    }

    private static boolean utf8(final byte[] bytes)
    {
        try
        {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        }
        catch (final CharacterCodingException ex)
        {
            return false;
        }
    }
}
