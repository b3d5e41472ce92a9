package io.switchboard.engine.command;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Body of {@link CommandType#DOMAIN_KEY}: domain id, where the key came from, and the key as SPKI DER bytes.
 */
public final class DomainKeyCommand
{
    /** Pushed by the operator's configuration or the built-in registry: kept until replaced or removed. */
    public static final byte ORIGIN_LOCAL = 1;
    /** Fetched from a remote metaverse: forgotten with the peer, as the reference does, and refetched on need. */
    public static final byte ORIGIN_REMOTE = 2;

    public static final int MSB_OFFSET = CommandHeader.LENGTH;
    public static final int LSB_OFFSET = MSB_OFFSET + 8;
    public static final int ORIGIN_OFFSET = LSB_OFFSET + 8;
    public static final int KEY_LENGTH_OFFSET = ORIGIN_OFFSET + 1;
    public static final int KEY_OFFSET = KEY_LENGTH_OFFSET + 4;

    private DomainKeyCommand()
    {
    }

    public static int put(
        final MutableDirectBuffer buffer,
        final int offset,
        final long msb,
        final long lsb,
        final byte origin,
        final byte[] spki)
    {
        CommandHeader.put(buffer, offset, CommandType.DOMAIN_KEY);
        buffer.putLong(offset + MSB_OFFSET, msb, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + LSB_OFFSET, lsb, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(offset + ORIGIN_OFFSET, origin);
        buffer.putInt(offset + KEY_LENGTH_OFFSET, spki.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + KEY_OFFSET, spki);
        return KEY_OFFSET + spki.length;
    }

    public static int encodedLength(final byte[] spki)
    {
        return KEY_OFFSET + spki.length;
    }

    public static long msb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + MSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long lsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + LSB_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static byte origin(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + ORIGIN_OFFSET);
    }

    /** Key length, or -1 when the declared length does not fit the command. */
    public static int keyLength(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < KEY_OFFSET)
        {
            return -1;
        }
        final int keyLength = buffer.getInt(offset + KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        return keyLength >= 0 && KEY_OFFSET + keyLength <= length ? keyLength : -1;
    }

    public static byte[] key(final DirectBuffer buffer, final int offset, final int keyLength)
    {
        final byte[] key = new byte[keyLength];
        buffer.getBytes(offset + KEY_OFFSET, key);
        return key;
    }
}
