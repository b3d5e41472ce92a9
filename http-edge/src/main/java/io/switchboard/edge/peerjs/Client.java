package io.switchboard.edge.peerjs;

import java.net.InetAddress;

/**
 * A registered id: its token, the endpoint frames for it go to, and its place in registration order (kept across a
 * takeover). Immutable: a takeover registers a new Client for the same id. Opaque outside the realm.
 */
public final class Client
{
    final String id;
    final String token;
    final SignalEndpoint endpoint;
    final long sequence;
    /** The id as a JSON string, UTF-8: the {@code src} of everything this client sends. */
    final byte[] quotedId;
    /** The client address it counts against under {@code --peerjs-max-ids-per-host}; null when none is known. */
    final InetAddress host;
    /** When its claim was made (wall clock, kept across a takeover): between two holders, the earlier one wins. */
    final long claimedMs;

    Client(
        final String id, final String token, final SignalEndpoint endpoint, final long sequence, final byte[] quotedId,
        final InetAddress host, final long claimedMs)
    {
        this.claimedMs = claimedMs;
        this.id = id;
        this.token = token;
        this.endpoint = endpoint;
        this.sequence = sequence;
        this.quotedId = quotedId;
        this.host = host;
    }
}
