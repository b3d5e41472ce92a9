package io.switchboard.cluster.links;

/** Peer liveness as {@link NodeLinks} sees it; called on the links' owner thread. */
public interface LinkListener
{
    /**
     * {@code node} is heard (again). {@code incarnation} is its process's start id: when it differs from the one
     * last reported up, the peer restarted, and {@link #onPeerDown} was called just before.
     */
    void onPeerUp(int node, long incarnation);

    /** {@code node} went silent for the timeout, or its stream ended, or it restarted: drop its soft state. */
    void onPeerDown(int node);
}
