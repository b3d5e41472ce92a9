package io.switchboard.edge.peerjs;

import io.switchboard.engine.links.LinkEndpoint;
import org.agrona.DirectBuffer;

import java.util.concurrent.locks.LockSupport;

/**
 * The PeerJS realm's door for what other cluster nodes send it ({@link ClusterIds}' messages): on the links thread,
 * each message is copied onto the relay inbox of the shard that owns its id here (the first field of every message),
 * and a peer node's up or down onto every shard's inbox, so each shard sees them in the order the links did and its
 * ids stay single-writer. Touches nothing else of the realm.
 */
public final class PeerJsLinkEndpoint implements LinkEndpoint
{
    private static final long RETRY_NS = 100_000;

    private final Realm realm;
    /** Ids read on the links thread (its thread only). */
    private final IdStrings ids = new IdStrings();

    /** For the realm of a cluster member (its context has the link outbox). */
    public PeerJsLinkEndpoint(final Realm realm)
    {
        if (realm.context().linkOutbox() == null)
        {
            throw new IllegalArgumentException("the realm is not a cluster member's: no link outbox");
        }
        this.realm = realm;
    }

    @Override
    public boolean onLinkMessage(
        final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        final String id = ClusterIds.id(ids, buffer, offset);
        return realm.shardFor(id).offerLink(originNode, messageType, buffer, offset, length);
    }

    /** Never lost: waits for room in a shard's inbox (its agent drains it without waiting on anyone). */
    @Override
    public void onPeerNode(final int node, final boolean up, final long incarnation)
    {
        for (int shard = 0; shard < realm.shards(); shard++)
        {
            while (!realm.shard(shard).offerPeer(node, up))
            {
                LockSupport.parkNanos(RETRY_NS);
            }
        }
    }
}
