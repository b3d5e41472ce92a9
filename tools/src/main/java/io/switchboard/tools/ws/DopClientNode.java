package io.switchboard.tools.ws;

import io.switchboard.protocol.dop.DopState;
import io.switchboard.protocol.dop.DopToken;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The client side of one dop node (spec 2.5) for the NIO load tools, on the loop's thread: a new node sends its local
 * token on open; the server's token, then the same token again, connect it under the final token; after its socket
 * is lost it presents the final token on the new one, and the server's fresh token followed by the final token mean
 * it resumed. Once connected, every message is a data message (PeerJS signaling), handed on without decoding.
 */
final class DopClientNode
{
    /** What a message meant. */
    enum Event
    {
        /** A handshake step; nothing for the load to do. */
        HANDSHAKE,
        /** The session exists under its final token. */
        CONNECTED,
        /** The session came back on a new socket. */
        RESUMED,
        /** A data message of a connected session. */
        DATA
    }

    private final byte[] tokenLocal = DopToken.local().getBytes(StandardCharsets.UTF_8);
    private String tokenRemote;
    private String finalToken;
    private byte[] finalBytes;
    private DopState state = DopState.OPEN;

    /** What to send first on a new socket: the final token when there is a session to resume, else the local one. */
    byte[] opening()
    {
        return finalBytes != null ? finalBytes : tokenLocal;
    }

    /** The socket is gone: a session waits to be resumed on the next one. */
    void socketLost()
    {
        state = finalToken != null ? DopState.RECONNECTING : DopState.OPEN;
    }

    /**
     * One text message, {@code buffer[offset, offset + length)}; {@code loop} sends the node's replies on
     * {@code connection}.
     */
    Event onText(final WsLoop loop, final WsLoop.Connection connection, final ByteBuffer buffer, final int offset,
        final int length)
    {
        if (state == DopState.CONNECTED)
        {
            return Event.DATA;
        }
        final byte[] bytes = new byte[length];
        buffer.get(offset, bytes, 0, length);
        final String message = new String(bytes, StandardCharsets.UTF_8);
        switch (state)
        {
            case OPEN ->
            {
                tokenRemote = message;
                state = DopState.PRECONNECTED;
                loop.sendText(connection, tokenLocal, tokenLocal.length);
            }
            case PRECONNECTED ->
            {
                if (message.equals(tokenRemote) && finalToken == null)
                {
                    finalToken = DopToken.unique(new String(tokenLocal, StandardCharsets.UTF_8), tokenRemote);
                    finalBytes = DopToken.utf8(finalToken);
                    state = DopState.CONNECTED;
                    return Event.CONNECTED;
                }
                if (message.equals(finalToken))
                {
                    state = DopState.CONNECTED;
                    return Event.RESUMED;
                }
            }
            case RECONNECTING ->
            {
                // The new socket's server token comes first; the final token confirms the resume.
                tokenRemote = message;
                state = DopState.PRECONNECTED;
            }
            default ->
            {
            }
        }
        return Event.HANDSHAKE;
    }
}
