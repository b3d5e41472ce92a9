package io.switchboard.engine.links;

import org.agrona.DirectBuffer;

/**
 * One owner's door for what arrives from the other cluster nodes. The links agent calls it on the links thread, so
 * an endpoint only copies the message onto its owner's queue (the engine's ring, an agent's inbox) and never
 * touches the owner's state itself.
 */
public interface LinkEndpoint
{
    /**
     * One message of a type in this endpoint's block, from {@code originNode}; the buffer is only valid during the
     * call.
     *
     * @return false when the owner's queue has no room now: the links offer the same message again later (so the
     *         sending node feels the back-pressure), in order
     */
    boolean onLinkMessage(int originNode, int messageType, DirectBuffer buffer, int offset, int length);

    /**
     * A peer node is heard again ({@code up}, with its process's {@code incarnation}) or is down (silent for the
     * alive timeout, its stream ended, or restarted): whatever it held is gone. Never lost: may wait for room.
     */
    void onPeerNode(int node, boolean up, long incarnation);
}
