package io.switchboard.cluster.links;

import org.agrona.DirectBuffer;

/** Receives one whole message from {@link NodeLinks#poll}; the buffer is only valid during the call. */
@FunctionalInterface
public interface LinkMessageHandler
{
    void onMessage(int originNode, int messageType, DirectBuffer buffer, int offset, int length);
}
