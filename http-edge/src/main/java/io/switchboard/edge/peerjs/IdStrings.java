package io.switchboard.edge.peerjs;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The ids a realm shard reads out of its relay inbox, as Strings, without making a new String for an id it read
 * lately: a small direct-mapped cache from UTF-8 bytes to the String made for them. One per shard, its thread only.
 */
final class IdStrings
{
    private static final int ENTRIES = 1024;

    private final String[] strings = new String[ENTRIES];
    private final byte[][] bytes = new byte[ENTRIES][];

    /** The id in {@code buffer[offset, offset + length)}, UTF-8. */
    String get(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = 0;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int index = (hash ^ hash >>> 16) & (ENTRIES - 1);
        final byte[] cached = bytes[index];
        if (cached != null && cached.length == length && same(buffer, offset, cached))
        {
            return strings[index];
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        final String id = new String(copy, StandardCharsets.UTF_8);
        bytes[index] = copy;
        strings[index] = id;
        return id;
    }

    private static boolean same(final DirectBuffer buffer, final int offset, final byte[] cached)
    {
        for (int i = 0; i < cached.length; i++)
        {
            if (buffer.getByte(offset + i) != cached[i])
            {
                return false;
            }
        }
        return true;
    }
}
