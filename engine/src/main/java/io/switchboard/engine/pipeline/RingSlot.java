package io.switchboard.engine.pipeline;

import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One pre-allocated event of the engine's ring: either a datagram received on a listener (bytes, length, source) or
 * an encoded command. Producers fill a claimed slot and publish it; only the handler thread reads it afterwards.
 */
public final class RingSlot
{
    public static final byte KIND_DATAGRAM = 1;
    public static final byte KIND_COMMAND = 2;

    private final UnsafeBuffer buffer;
    private byte kind;
    private int listener;
    private int length;
    private InetSocketAddress source;
    private long sourceFingerprint;

    RingSlot(final int capacity)
    {
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
    }

    void datagram(final int listener, final int length, final InetSocketAddress source, final long fingerprint)
    {
        this.kind = KIND_DATAGRAM;
        this.listener = listener;
        this.length = length;
        this.source = source;
        this.sourceFingerprint = fingerprint;
    }

    void command(final int length)
    {
        this.kind = KIND_COMMAND;
        this.listener = -1;
        this.length = length;
        this.source = null;
        this.sourceFingerprint = 0;
    }

    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public byte kind()
    {
        return kind;
    }

    public int listener()
    {
        return listener;
    }

    public int length()
    {
        return length;
    }

    public InetSocketAddress source()
    {
        return source;
    }

    public long sourceFingerprint()
    {
        return sourceFingerprint;
    }

    public int capacity()
    {
        return buffer.capacity();
    }
}
