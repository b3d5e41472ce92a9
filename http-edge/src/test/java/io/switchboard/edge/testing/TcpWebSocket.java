package io.switchboard.edge.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A WebSocket client written out by hand over a plain socket, for asserting exact frames and close codes. */
public final class TcpWebSocket implements AutoCloseable
{
    public record Frame(int opcode, byte[] payload)
    {
        public String text()
        {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int code()
        {
            return payload.length < 2 ? -1 : (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        }
    }

    public final Socket socket;
    public final DataInputStream in;
    public final OutputStream out;
    /** The handshake's status line and whole response head. */
    public String status;
    public String headers;

    private TcpWebSocket(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.socket.setSoTimeout(5_000);
        this.socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static TcpWebSocket open(final int port, final String target, final String version, final boolean expect101)
        throws IOException
    {
        return open(port, target, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: " + version,
            new byte[0], expect101);
    }

    /** Sends the upgrade request with {@code keyAndVersion} headers and {@code after} in the same write. */
    public static TcpWebSocket open(
        final int port, final String target, final String keyAndVersion, final byte[] after, final boolean expect101)
        throws IOException
    {
        return open(new Socket("127.0.0.1", port), target, keyAndVersion, after, expect101);
    }

    public static TcpWebSocket open(
        final Socket connected, final String target, final String keyAndVersion, final byte[] after,
        final boolean expect101) throws IOException
    {
        final TcpWebSocket tcp = new TcpWebSocket(connected);
        final int port = connected.getPort();
        final ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" + keyAndVersion + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(after);
        tcp.out.write(request.toByteArray());
        tcp.out.flush();
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n"))
        {
            head.write(tcp.in.readUnsignedByte());
        }
        final String response = head.toString(StandardCharsets.US_ASCII);
        tcp.status = response.substring(0, response.indexOf("\r\n"));
        tcp.headers = response;
        if (expect101)
        {
            assertTrue(tcp.status.startsWith("HTTP/1.1 101"), response);
            assertTrue(response.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), response);
        }
        return tcp;
    }

    public static byte[] frame(final int b0, final byte[] payload, final boolean masked)
    {
        final ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(b0);
        final int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126)
        {
            frame.write(maskBit | payload.length);
        }
        else if (payload.length < 65_536)
        {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        }
        else
        {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8)
            {
                frame.write((int)((long)payload.length >>> shift));
            }
        }
        final byte[] key = {0x37, (byte)0xfa, 0x21, 0x3d};
        if (masked)
        {
            frame.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++)
        {
            frame.write(masked ? payload[i] ^ key[i % 4] : payload[i]);
        }
        return frame.toByteArray();
    }

    public void send(final int b0, final byte[] payload, final boolean masked) throws IOException
    {
        out.write(frame(b0, payload, masked));
        out.flush();
    }

    public Frame read() throws IOException
    {
        final int b0 = in.readUnsignedByte();
        final int b1 = in.readUnsignedByte();
        assertEquals(0, b1 & 0x80, "server frames are never masked");
        assertEquals(0x80, b0 & 0x80, "server frames are final");
        long length = b1 & 0x7F;
        if (length == 126)
        {
            length = in.readUnsignedShort();
        }
        else if (length == 127)
        {
            length = in.readLong();
        }
        final byte[] payload = new byte[(int)length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
