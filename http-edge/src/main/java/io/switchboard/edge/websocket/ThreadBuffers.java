package io.switchboard.edge.websocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What one thread needs to move WebSocket frames: a buffer it reads sockets into and one it frames replies in, so an
 * idle socket holds neither.
 * <p>
 * Frames are written one system call each, never gathered across messages: the peerjs client in Node
 * (node-datachannel's RTCPeerConnection has no operations chain) fails with a {@code webrtc} error when an ANSWER
 * and the CANDIDATE after it reach it in one segment, so coalescing them would break that client.
 */
final class ThreadBuffers
{
    static final int BUFFER_BYTES = 64 * 1024;
    private static final ThreadLocal<ThreadBuffers> OF_THREAD = ThreadLocal.withInitial(ThreadBuffers::new);

    final ByteBuffer read = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    final ByteBuffer write = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);

    static ThreadBuffers ofThisThread()
    {
        return OF_THREAD.get();
    }
}
