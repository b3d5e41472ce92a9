package io.switchboard.edge.peerjs;

import io.switchboard.edge.websocket.SignalingAgent;

import java.net.InetAddress;

/**
 * A socket's claim of an id in a cluster, between admission's local rules and OPEN: which peer nodes have not
 * answered yet, and its deadline on the owning agent's wheel (at the alive timeout a node that never answered is
 * taken as down for this claim). Held by the id's {@link IdSlot}; the owning shard's thread only.
 */
final class IdClaim implements SignalingAgent.Timer
{
    static final long NO_TIMER = -1;

    private final RealmShard shard;
    final IdSlot slot;
    final SignalEndpoint endpoint;
    final String token;
    final InetAddress host;
    final long sequence;
    final long claimedMs;
    /** By node: still to answer. */
    final boolean[] awaiting;
    int awaitingCount;
    long timer = NO_TIMER;

    IdClaim(
        final RealmShard shard, final IdSlot slot, final SignalEndpoint endpoint, final String token,
        final InetAddress host, final long sequence, final long claimedMs, final int nodes)
    {
        this.shard = shard;
        this.slot = slot;
        this.endpoint = endpoint;
        this.token = token;
        this.host = host;
        this.sequence = sequence;
        this.claimedMs = claimedMs;
        this.awaiting = new boolean[nodes];
    }

    void await(final int node)
    {
        if (!awaiting[node])
        {
            awaiting[node] = true;
            awaitingCount++;
        }
    }

    /** {@code node} answered OK (or is down); true when no node is left to answer. */
    boolean answered(final int node)
    {
        if (awaiting[node])
        {
            awaiting[node] = false;
            awaitingCount--;
        }
        return awaitingCount == 0;
    }

    @Override
    public void onDeadline(final long nowMs)
    {
        timer = NO_TIMER;
        shard.claimTimedOut(this);
    }
}
