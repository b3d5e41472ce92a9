package io.switchboard.edge.peerjs;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * A party of the {@link Realm} that signaling frames can be sent to: a PeerJS WebSocket, or a dop session carrying
 * PeerJS signaling. The realm calls these while it holds the destination id's slot, so none may call back into the
 * realm.
 */
public interface SignalEndpoint
{
    /**
     * Hands one frame, {@code frame[0, length)}, over; frames go out in call order. The caller may reuse the array
     * once this returns (the relay writes every frame into one array per thread), so whatever is kept is a copy.
     *
     * @return false when the endpoint cannot take it: the realm then forgets the endpoint's id.
     */
    boolean send(byte[] frame, int length);

    /** Sends one frame, then ends the connection: how an admission is refused. */
    void sendAndClose(byte[] frame);

    /** Ends the connection; {@code cause} (may be null) is counted when it was still open. */
    void close(AtomicCounter cause);

    /** A HEARTBEAT arrived from this endpoint. */
    void heartbeat();

    /** The registration this endpoint speaks for; null before admission and after takeover, LEAVE or release. */
    Client registration();

    void registration(Client client);
}
