package io.switchboard.cluster.links;

import org.agrona.DirectBuffer;

/**
 * Receives one whole message from {@link NodeLinks#poll}; the buffer is only valid during the call. Returning false
 * leaves the message (and everything after it from the same sender) in the stream, to be handed over again at the
 * next poll: the receiver's queue was full, and the back-pressure reaches the sending node.
 */
@FunctionalInterface
public interface LinkMessageHandler
{
    boolean onMessage(int originNode, int messageType, DirectBuffer buffer, int offset, int length);
}
