package io.switchboard.edge.metaverse;

import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * One domain as the registry stores it (spec §3.1, without accounts and places): a mutable holder that is decoded,
 * changed and re-encoded under the registry's per-entry lock. Absent values are null, or -1 for numbers.
 * The encoding is little-endian and versioned, so later fields can be appended: a format byte, the fixed fields,
 * then each text, the key and each list item as an int length (-1 for null) followed by UTF-8 or raw bytes.
 * A stock heartbeat that changes nothing but its time and counts is written in place over the stored bytes
 * ({@link #sameStoredHeartbeat}, {@link #putStoredHeartbeat}), whose offsets follow {@link #encode}.
 * The last field, the record's {@link #revision}, was appended later: a record stored without it reads as revision 1.
 */
final class DomainRecord
{
    /** The revision of a new domain; 0 names no domain at all (a change that creates one). */
    static final long FIRST_REVISION = 1;
    static final long NO_REVISION = 0;
    private static final byte FORMAT_V1 = 1;
    private static final int FLAG_TEMPORARY = 1;
    private static final int FLAG_RESTRICTED_SET = 2;
    private static final int FLAG_RESTRICTED = 4;
    private static final int TEXT_FIELDS = 13;
    /** Format, two times, flags and four ints. */
    private static final int FIXED_LENGTH = 1 + 8 + 8 + 1 + 4 * 4;
    private static final int LAST_HEARTBEAT_OFFSET = 1 + 8;
    private static final int FLAGS_OFFSET = LAST_HEARTBEAT_OFFSET + 8;
    private static final int NETWORK_PORT_OFFSET = FLAGS_OFFSET + 1;
    private static final int NUM_USERS_OFFSET = NETWORK_PORT_OFFSET + 4 + 4;
    private static final int ANON_USERS_OFFSET = NUM_USERS_OFFSET + 4;
    /** Positions in the text list of {@link #encode}. */
    private static final int API_KEY_TEXT = 1;
    private static final int VERSION_TEXT = 3;
    /** Chronicle reads and writes numbers in native order; in-place access needs it to match the encoding. */
    static final boolean IN_PLACE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    final UUID id;
    String name;
    boolean temporary;
    String apiKey;
    /** SPKI DER of the domain's RSA public key. */
    byte[] publicKey;
    String iceServerAddress;
    String version;
    String protocol;
    String networkAddress;
    int networkPort = -1;
    String automaticNetworking;
    Boolean restricted;
    int numUsers;
    int anonUsers;
    int capacity = -1;
    String description;
    String contactInfo;
    String thumbnail;
    String maturity;
    String restriction;
    List<String> tags = List.of();
    List<String> images = List.of();
    String addrOfFirstContact;
    long whenCreatedMs;
    /** 0 until the first heartbeat PUT. */
    long lastHeartbeatMs;
    /**
     * How many durable changes the registry's log applied to this domain: 1 once created, one more per change of
     * anything but the heartbeat time and the user counts. A change is written only over the revision it was
     * made from, so two writers never lose each other's change (see {@link DomainMachine}).
     */
    long revision;

    DomainRecord(final UUID id)
    {
        this.id = id;
    }

    /** Heard from within {@code activeMs}: what Iamus' liveness sweep flags as {@code active}. */
    boolean isActive(final long nowMs, final long activeMs)
    {
        return lastHeartbeatMs > 0 && nowMs - lastHeartbeatMs <= activeMs;
    }

    /** When a silent temporary domain's TTL starts counting: its last heartbeat, else its creation. */
    long lastSignOfLifeMs()
    {
        return Math.max(whenCreatedMs, lastHeartbeatMs);
    }

    /** A temporary domain silent since before {@code cutoffMs}: what the sweeper removes. */
    boolean isSilentTemporary(final long cutoffMs)
    {
        return temporary && lastSignOfLifeMs() < cutoffMs;
    }

    byte[] encode()
    {
        final byte[][] texts = new byte[TEXT_FIELDS][];
        int size = FIXED_LENGTH + 4 + (publicKey == null ? 0 : publicKey.length);
        int i = 0;
        for (final String text : new String[] {name, apiKey, iceServerAddress, version, protocol, networkAddress,
            automaticNetworking, description, contactInfo, thumbnail, maturity, restriction, addrOfFirstContact})
        {
            texts[i] = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
            size += 4 + (texts[i] == null ? 0 : texts[i].length);
            i++;
        }
        final byte[][] tagBytes = utf8(tags);
        final byte[][] imageBytes = utf8(images);
        size += listLength(tagBytes) + listLength(imageBytes) + 8;

        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(FORMAT_V1)
            .putLong(whenCreatedMs)
            .putLong(lastHeartbeatMs)
            .put((byte)((temporary ? FLAG_TEMPORARY : 0) |
                (restricted != null ? FLAG_RESTRICTED_SET : 0) |
                (Boolean.TRUE.equals(restricted) ? FLAG_RESTRICTED : 0)))
            .putInt(networkPort)
            .putInt(capacity)
            .putInt(numUsers)
            .putInt(anonUsers);
        for (final byte[] text : texts)
        {
            putBytes(out, text);
        }
        putBytes(out, publicKey);
        putList(out, tagBytes);
        putList(out, imageBytes);
        out.putLong(revision);
        return out.array();
    }

    static DomainRecord decode(final UUID id, final byte[] encoded)
    {
        final DomainRecord record = new DomainRecord(id);
        final ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
        try
        {
            final byte format = in.get();
            if (format != FORMAT_V1)
            {
                throw new IllegalStateException("domain " + id + " stored in unknown format " + format);
            }
            record.whenCreatedMs = in.getLong();
            record.lastHeartbeatMs = in.getLong();
            final int flags = in.get();
            record.temporary = (flags & FLAG_TEMPORARY) != 0;
            record.restricted = (flags & FLAG_RESTRICTED_SET) != 0 ? (flags & FLAG_RESTRICTED) != 0 : null;
            record.networkPort = in.getInt();
            record.capacity = in.getInt();
            record.numUsers = in.getInt();
            record.anonUsers = in.getInt();
            record.name = getText(in);
            record.apiKey = getText(in);
            record.iceServerAddress = getText(in);
            record.version = getText(in);
            record.protocol = getText(in);
            record.networkAddress = getText(in);
            record.automaticNetworking = getText(in);
            record.description = getText(in);
            record.contactInfo = getText(in);
            record.thumbnail = getText(in);
            record.maturity = getText(in);
            record.restriction = getText(in);
            record.addrOfFirstContact = getText(in);
            record.publicKey = getBytes(in);
            record.tags = getList(in);
            record.images = getList(in);
            record.revision = in.remaining() >= 8 ? in.getLong() : FIRST_REVISION;
        }
        catch (final BufferUnderflowException | IllegalArgumentException ex)
        {
            throw new IllegalStateException("domain " + id + " is stored corrupt", ex);
        }
        return record;
    }

    /** The stored api_key, or null; {@code base} and {@code size} bound one stored record in a Chronicle entry. */
    static String storedApiKey(final RandomDataInput stored, final long base, final long size)
    {
        final long at = textAt(stored, base, size, API_KEY_TEXT);
        final int length = at < 0 ? -1 : stored.readInt(at);
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        stored.read(at + 4, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Whether {@code heartbeat} would change nothing in the stored record but its time and user counts. */
    static boolean sameStoredHeartbeat(
        final RandomDataInput stored, final long base, final long size, final HeartbeatBody heartbeat)
    {
        if (stored.readByte(base) != FORMAT_V1)
        {
            return false;
        }
        if (heartbeat.networkPort != HeartbeatBody.ABSENT &&
            stored.readInt(base + NETWORK_PORT_OFFSET) != heartbeat.networkPort)
        {
            return false;
        }
        if (heartbeat.restricted != null)
        {
            final int flags = stored.readByte(base + FLAGS_OFFSET);
            if ((flags & FLAG_RESTRICTED_SET) == 0 || ((flags & FLAG_RESTRICTED) != 0) != heartbeat.restricted)
            {
                return false;
            }
        }
        long at = textAt(stored, base, size, VERSION_TEXT);
        for (final String text : new String[] {heartbeat.version, heartbeat.protocol, heartbeat.networkAddress,
            heartbeat.automaticNetworking})
        {
            if (at < 0 || text != null && !storedTextEquals(stored, at, base + size, text))
            {
                return false;
            }
            at = nextText(stored, at, base + size);
        }
        return true;
    }

    /** Stamps the heartbeat time and the counts the heartbeat carries into the stored record. */
    static void putStoredHeartbeat(
        final RandomDataOutput<?> stored, final long base, final HeartbeatBody heartbeat, final long nowMs)
    {
        stored.writeLong(base + LAST_HEARTBEAT_OFFSET, nowMs);
        if (heartbeat.numUsers != HeartbeatBody.ABSENT)
        {
            stored.writeInt(base + NUM_USERS_OFFSET, heartbeat.numUsers);
        }
        if (heartbeat.anonUsers != HeartbeatBody.ABSENT)
        {
            stored.writeInt(base + ANON_USERS_OFFSET, heartbeat.anonUsers);
        }
    }

    /** Where the {@code index}th text starts (its length), or -1 when the record is too short. */
    private static long textAt(final RandomDataInput stored, final long base, final long size, final int index)
    {
        long at = size >= FIXED_LENGTH ? base + FIXED_LENGTH : -1;
        for (int i = 0; i < index && at >= 0; i++)
        {
            at = nextText(stored, at, base + size);
        }
        return at;
    }

    /** The text after the one at {@code at}, or -1 past {@code end}. */
    private static long nextText(final RandomDataInput stored, final long at, final long end)
    {
        if (at < 0 || at + 4 > end)
        {
            return -1;
        }
        final int length = stored.readInt(at);
        final long next = at + 4 + Math.max(length, 0);
        return next <= end ? next : -1;
    }

    /** Whether the stored text at {@code at} (never null here) is {@code text}; ASCII compares without encoding. */
    private static boolean storedTextEquals(
        final RandomDataInput stored, final long at, final long end, final String text)
    {
        final int length = stored.readInt(at);
        if (length < 0 || at + 4 + length > end)
        {
            return false;
        }
        if (length != text.length())
        {
            // Fewer chars than bytes: equal only if the text has multi-byte characters.
            return length > text.length() && utf8Equals(stored, at + 4, length, text);
        }
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c >= 0x80)
            {
                return utf8Equals(stored, at + 4, length, text);
            }
            if (stored.readByte(at + 4 + i) != c)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean utf8Equals(final RandomDataInput stored, final long from, final int length, final String text)
    {
        final byte[] expected = text.getBytes(StandardCharsets.UTF_8);
        if (expected.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (stored.readByte(from + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    /** Length-prefixed bytes; length -1 is null. */
    private static void putBytes(final ByteBuffer out, final byte[] bytes)
    {
        out.putInt(bytes == null ? -1 : bytes.length);
        if (bytes != null)
        {
            out.put(bytes);
        }
    }

    private static byte[] getBytes(final ByteBuffer in)
    {
        final int length = in.getInt();
        if (length < 0)
        {
            return null;
        }
        if (length > in.remaining())
        {
            throw new BufferUnderflowException();
        }
        final byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static String getText(final ByteBuffer in)
    {
        final byte[] bytes = getBytes(in);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[][] utf8(final List<String> values)
    {
        final byte[][] bytes = new byte[values.size()][];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    private static int listLength(final byte[][] values)
    {
        int length = 4;
        for (final byte[] value : values)
        {
            length += 4 + value.length;
        }
        return length;
    }

    private static void putList(final ByteBuffer out, final byte[][] values)
    {
        out.putInt(values.length);
        for (final byte[] value : values)
        {
            putBytes(out, value);
        }
    }

    private static List<String> getList(final ByteBuffer in)
    {
        final int count = in.getInt();
        if (count < 0 || count > in.remaining() / 4)
        {
            throw new IllegalArgumentException("list of " + count);
        }
        final String[] values = new String[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = getText(in);
            if (values[i] == null)
            {
                throw new IllegalArgumentException("null list item");
            }
        }
        return List.of(values);
    }
}
