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
     * Regular time signal, at least every tick interval and at the start of each batch whose clock moved, after the
     * handler's timers due by {@code nowMs} have fired.
     */
    void onTick(long nowMs);

    /** Flush and close tables; called on the handler thread's shutdown. */
    @Override
    void close();
}
