package io.switchboard.engine.table;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A pulse client's 256-bit private key as four longs, the key's bytes read big-endian so the hex text reads in order.
 * A mutable probe: reused so lookups by key allocate nothing.
 */
public final class PulseKey
{
    public static final int LENGTH = 32;

    private long k0;
    private long k1;
    private long k2;
    private long k3;

    public PulseKey set(final long k0, final long k1, final long k2, final long k3)
    {
        this.k0 = k0;
        this.k1 = k1;
        this.k2 = k2;
        this.k3 = k3;
        return this;
    }

    public PulseKey set(final PulseKey other)
    {
        return set(other.k0, other.k1, other.k2, other.k3);
    }

    /** Reads the 32 raw key bytes at {@code offset}. */
    public PulseKey wrapRaw(final DirectBuffer buffer, final int offset)
    {
        return set(
            buffer.getLong(offset, ByteOrder.BIG_ENDIAN),
            buffer.getLong(offset + 8, ByteOrder.BIG_ENDIAN),
            buffer.getLong(offset + 16, ByteOrder.BIG_ENDIAN),
            buffer.getLong(offset + 24, ByteOrder.BIG_ENDIAN));
    }

    /** Writes the 32 raw key bytes at {@code offset}; returns {@link #LENGTH}. */
    public int putRaw(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset, k0, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 8, k1, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 16, k2, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 24, k3, ByteOrder.BIG_ENDIAN);
        return LENGTH;
    }

    public long k0()
    {
        return k0;
    }

    public long k1()
    {
        return k1;
    }

    public long k2()
    {
        return k2;
    }

    public long k3()
    {
        return k3;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof PulseKey && ((PulseKey)o).k0 == k0 && ((PulseKey)o).k1 == k1 &&
            ((PulseKey)o).k2 == k2 && ((PulseKey)o).k3 == k3;
    }

    @Override
    public int hashCode()
    {
        final long h = (k0 * 0x9E37_79B9_7F4A_7C15L ^ k1) * 0x9E37_79B9_7F4A_7C15L ^ k2 ^ k3;
        return (int)(h ^ (h >>> 32));
    }

    /** Never the key itself: keys are secrets and toString ends up in logs. */
    @Override
    public String toString()
    {
        return "PulseKey[redacted]";
    }
}
