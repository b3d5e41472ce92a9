package io.switchboard.tools.pulse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection to the rendezvous API, request after request, JSON bodies. Plain sockets:
 * several of these register clients several times faster than the JDK's HttpClient on a small machine. Not
 * thread-safe; one per thread.
 */
public final class RendezvousConnection implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_MS = 10_000;

    /** An answer: HTTP status and JSON body. */
    public record Response(int status, JsonNode body)
    {
        public String text(final String field)
        {
            final JsonNode value = body.get(field);
            return value == null ? null : value.asText();
        }

        public boolean ok()
        {
            return status == 200 && body.path("ok").asBoolean(false);
        }
    }

    /** A client as /register created it. */
    public record Registration(String clientId, String privateId)
    {
    }

    private final InetSocketAddress server;
    private final String host;
    private Socket socket;
    private OutputStream out;
    private DataInputStream in;

    public RendezvousConnection(final InetSocketAddress server)
    {
        this.server = server;
        this.host = server.getHostString() + ":" + server.getPort();
    }

    public Registration register() throws IOException
    {
        final Response response = request("POST", "/register", null);
        if (response.status() != 200)
        {
            throw new IOException("register answered " + response.status() + " " + response.body());
        }
        return new Registration(response.text("client_id"), response.text("private_id"));
    }

    public Response verify(final String privateId) throws IOException
    {
        return request("POST", "/verify", privateId);
    }

    public Response logout(final String privateId) throws IOException
    {
        return request("POST", "/logout", privateId);
    }

    public Response peerAddress(final String privateId, final String peerId) throws IOException
    {
        return request("GET", "/peer/" + peerId + "/udp", privateId);
    }

    public Response peerStatus(final String privateId, final String peerId) throws IOException
    {
        return request("GET", "/peer/" + peerId + "/udp/status", privateId);
    }

    /** One request; {@code privateId} (may be null) goes in {@code Authorization: Bearer}. */
    public Response request(final String method, final String path, final String privateId) throws IOException
    {
        final StringBuilder request = new StringBuilder(160)
            .append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host)
            .append("\r\nContent-Length: 0\r\n");
        if (privateId != null)
        {
            request.append("Authorization: Bearer ").append(privateId).append("\r\n");
        }
        final byte[] bytes = request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        if (socket == null)
        {
            connect();
        }
        out.write(bytes);
        out.flush();

        final String statusLine = readLine();
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1."))
        {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int length = 0;
        boolean close = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine())
        {
            final String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:"))
            {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
            else if (lower.startsWith("connection:") && lower.contains("close"))
            {
                close = true;
            }
        }
        final byte[] body = new byte[length];
        in.readFully(body);
        if (close)
        {
            close();
        }
        return new Response(Integer.parseInt(parts[1]), length == 0 ? JSON.nullNode() : JSON.readTree(body));
    }

    private void connect() throws IOException
    {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(TIMEOUT_MS);
        socket.connect(server, TIMEOUT_MS);
        out = socket.getOutputStream();
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    }

    private String readLine() throws IOException
    {
        final StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read())
        {
            if (c < 0)
            {
                throw new IOException("connection closed by " + host);
            }
            if (c != '\r')
            {
                line.append((char)c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException
    {
        if (socket != null)
        {
            final Socket closing = socket;
            socket = null;
            closing.close();
        }
    }
}
