package io.switchboard.engine.pipeline;

import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;

/**
 * A protocol served on one UDP listener. Every method runs on the engine's handler thread, the only thread that may
 * touch the protocol's state, so implementations need no locks and must neither block nor allocate per datagram.
 */
public interface UdpProtocol extends AutoCloseable
{
    /** One datagram in {@code buffer[0, length)}, received from {@code source}. */
    void onDatagram(DirectBuffer buffer, int length, InetSocketAddress source, long sourceFingerprint);

    /**
     * A command from outside the handler thread.
     *
     * @return true when this protocol owns the command type
     */
    boolean onCommand(int type, DirectBuffer buffer, int offset, int length);

    /**
     * A message from another cluster node (see {@code engine.links.LinkTypes} for whose types are whose), copied
     * out of the links by the engine's link endpoint; only in a cluster.
     *
     * @return true when this protocol owns the message type
     */
    default boolean onLinkMessage(
        final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        return false;
    }

    /** Another cluster node is up (a new {@code incarnation} means it restarted) or down: drop what it held. */
    default void onPeerNode(final int node, final boolean up, final long incarnation)
    {
    }

    /**
     * Regular time signal, at least every tick interval and at the start of each batch whose clock moved, after the
     * handler's timers due by {@code nowMs} have fired.
     */
    void onTick(long nowMs);

    /** Flush and close tables; called on the handler thread's shutdown. */
    @Override
    void close();
}
