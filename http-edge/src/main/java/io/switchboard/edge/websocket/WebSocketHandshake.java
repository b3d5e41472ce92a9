package io.switchboard.edge.websocket;

import io.switchboard.protocol.http.HttpRequestHead;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server's opening handshake (RFC 6455 §4.2): checks the request and answers {@code 101} with
 * {@code Sec-WebSocket-Accept}, after which the socket is a {@link WebSocketUpgrade}; no subprotocol or extension is
 * accepted.
 */
public final class WebSocketHandshake
{
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final String VERSION = "13";
    private static final int KEY_BYTES = 16;

    /** What {@link #problem} says when the client speaks another protocol version: answer 426. */
    public static final String VERSION_MISMATCH = "unsupported Sec-WebSocket-Version (13 only)";

    private WebSocketHandshake()
    {
    }

    /**
     * Why the request is not a valid WebSocket opening handshake, or null when it is.
     * {@link #VERSION_MISMATCH} asks for a 426 with {@code Sec-WebSocket-Version: 13}.
     */
    public static String problem(final HttpRequestHead request)
    {
        if (!request.isMethod("GET"))
        {
            return "WebSocket upgrade must be a GET";
        }
        if (!request.hasToken("Connection", "upgrade"))
        {
            return "missing Connection: Upgrade";
        }
        if (!VERSION.equals(request.header("Sec-WebSocket-Version")))
        {
            return VERSION_MISMATCH;
        }
        final String key = request.header("Sec-WebSocket-Key");
        if (key == null || !isKey(key))
        {
            return "missing or invalid Sec-WebSocket-Key";
        }
        return null;
    }

    /** Answers 101 to a request {@link #problem} found valid; null when the 101 could not be written (cut). */
    public static WebSocketUpgrade accept(final HttpExchange exchange)
    {
        return exchange.upgrade(acceptValue(exchange.request().header("Sec-WebSocket-Key")));
    }

    /** {@code base64(SHA-1(key + GUID))}. */
    static String acceptValue(final String key)
    {
        try
        {
            final MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(
                sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-1 is part of every JDK", ex);
        }
    }

    private static boolean isKey(final String key)
    {
        try
        {
            return key.length() == 24 && Base64.getDecoder().decode(key).length == KEY_BYTES;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }
}
