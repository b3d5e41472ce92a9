package io.switchboard.edge.peerjs;

/**
 * Everything the server holds for one id: the registered client, if any, the queue of messages waiting for it, if
 * any, and a socket's pending cluster claim, if any. It lives in the {@link RealmShard} of the agent that owns the id
 * and is touched by that agent's thread only, which orders admission, the drain of the queue and every relay to the
 * id (so per-connection FIFO order holds across the drain on connect). A slot with none of these is removed from its shard.
 */
final class IdSlot
{
    final String id;
    Client client;
    OfflineQueue queue;
    /** In a cluster, the claim of a socket waiting for the other nodes' answers; else null. */
    IdClaim claim;

    IdSlot(final String id)
    {
        this.id = id;
    }
}
