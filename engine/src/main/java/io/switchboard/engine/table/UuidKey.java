package io.switchboard.engine.table;

import java.util.UUID;

/**
 * A mutable 128-bit key: reused as a probe so lookups by UUID allocate nothing. Only keys that are never mutated
 * again may be stored in on-heap maps.
 */
public final class UuidKey
{
    private long msb;
    private long lsb;

    public UuidKey()
    {
    }

    public UuidKey(final long msb, final long lsb)
    {
        this.msb = msb;
        this.lsb = lsb;
    }

    public UuidKey set(final long msb, final long lsb)
    {
        this.msb = msb;
        this.lsb = lsb;
        return this;
    }

    public long msb()
    {
        return msb;
    }

    public long lsb()
    {
        return lsb;
    }

    public UuidKey copy()
    {
        return new UuidKey(msb, lsb);
    }

    public UUID toUuid()
    {
        return new UUID(msb, lsb);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof UuidKey && ((UuidKey)o).msb == msb && ((UuidKey)o).lsb == lsb;
    }

    @Override
    public int hashCode()
    {
        final long h = msb * 0x9E37_79B9_7F4A_7C15L ^ lsb;
        return (int)(h ^ (h >>> 32));
    }

    @Override
    public String toString()
    {
        return toUuid().toString();
    }
}
