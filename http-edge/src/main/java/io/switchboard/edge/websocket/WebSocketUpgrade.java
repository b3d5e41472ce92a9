package io.switchboard.edge.websocket;

import java.net.InetAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A socket whose {@code 101 Switching Protocols} is out: its channel, the bytes the client sent past its upgrade
 * request, and its place in the listener's connection counts, which the WebSocket keeps until it closes.
 */
public final class WebSocketUpgrade
{
    private final SocketChannel channel;
    /** The socket's TLS layer, or null. */
    private final TlsChannel tls;
    private final byte[] readAhead;
    private final Runnable released;
    private final SignalingAgent agent;
    private final SelectionKey key;
    /** The client behind a trusted proxy (PROXY header, Forwarded), or null: the peer is the client. */
    private final InetAddress client;
    private boolean connected;

    WebSocketUpgrade(
        final SocketChannel channel, final TlsChannel tls, final byte[] readAhead, final Runnable released,
        final SignalingAgent agent, final SelectionKey key, final InetAddress client)
    {
        this.channel = channel;
        this.tls = tls;
        this.readAhead = readAhead;
        this.released = released;
        this.agent = agent;
        this.key = key;
        this.client = client;
    }

    /** The agent that completed the handshake: its selector watches the socket until the WebSocket registers. */
    public SignalingAgent agent()
    {
        return agent;
    }

    /** The bytes the client sent right behind its upgrade request (its first frames), or null. */
    public byte[] readAhead()
    {
        return readAhead;
    }

    /**
     * The socket as a WebSocket owned by {@code owner} (any agent of the listener), with {@code settings}; call
     * {@link WebSocketConnection#start} once {@code handler} is ready for messages. Once only.
     */
    public WebSocketConnection connect(
        final WebSocketConnection.Handler handler, final WebSocketConnection.Settings settings,
        final SignalingAgent owner)
    {
        if (connected)
        {
            throw new IllegalStateException("the upgraded socket is a WebSocket already");
        }
        connected = true;
        if (owner != agent && key != null)
        {
            key.cancel(); // the owner's selector takes the socket; the handshake's lets go at its next select
        }
        if (tls != null)
        {
            tls.ownedBy(owner);
        }
        return new WebSocketConnection(channel, tls, readAhead, released, handler, settings, owner, client);
    }
}
