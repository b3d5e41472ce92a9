package io.switchboard.edge.websocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What one thread needs to move WebSocket frames: a buffer it reads sockets into and one it frames replies in, so an
 * idle socket holds neither.
 * <p>
 * Frames are written one system call each. Gathering the frames one read produces per destination saved ~15% of CPU
 * per relay but was taken out while the real-client e2e showed intermittent WebRTC failures; those continued without
 * it, so it may come back once they are understood.
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
