package io.switchboard.edge.metaverse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One domain as the registry stores it (spec §3.1, without accounts and places): a mutable holder that is decoded,
 * changed and re-encoded under the registry's per-entry lock. Absent values are null, or -1 for numbers.
 * The encoding is versioned so later fields can be appended.
 */
final class DomainRecord
{
    private static final byte FORMAT_V1 = 1;
    private static final int FLAG_TEMPORARY = 1;
    private static final int FLAG_RESTRICTED_SET = 2;
    private static final int FLAG_RESTRICTED = 4;

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

    byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeByte(FORMAT_V1);
            out.writeLong(whenCreatedMs);
            out.writeLong(lastHeartbeatMs);
            out.writeByte((temporary ? FLAG_TEMPORARY : 0) |
                (restricted != null ? FLAG_RESTRICTED_SET : 0) |
                (Boolean.TRUE.equals(restricted) ? FLAG_RESTRICTED : 0));
            out.writeInt(networkPort);
            out.writeInt(capacity);
            out.writeInt(numUsers);
            out.writeInt(anonUsers);
            for (final String value : new String[] {name, apiKey, iceServerAddress, version, protocol, networkAddress,
                automaticNetworking, description, contactInfo, thumbnail, maturity, restriction, addrOfFirstContact})
            {
                writeNullable(out, value);
            }
            out.writeShort(publicKey == null ? 0 : publicKey.length);
            if (publicKey != null)
            {
                out.write(publicKey);
            }
            writeList(out, tags);
            writeList(out, images);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static DomainRecord decode(final UUID id, final byte[] encoded)
    {
        final DomainRecord record = new DomainRecord(id);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded)))
        {
            final byte format = in.readByte();
            if (format != FORMAT_V1)
            {
                throw new IllegalStateException("domain " + id + " stored in unknown format " + format);
            }
            record.whenCreatedMs = in.readLong();
            record.lastHeartbeatMs = in.readLong();
            final int flags = in.readByte();
            record.temporary = (flags & FLAG_TEMPORARY) != 0;
            record.restricted = (flags & FLAG_RESTRICTED_SET) != 0 ? (flags & FLAG_RESTRICTED) != 0 : null;
            record.networkPort = in.readInt();
            record.capacity = in.readInt();
            record.numUsers = in.readInt();
            record.anonUsers = in.readInt();
            record.name = readNullable(in);
            record.apiKey = readNullable(in);
            record.iceServerAddress = readNullable(in);
            record.version = readNullable(in);
            record.protocol = readNullable(in);
            record.networkAddress = readNullable(in);
            record.automaticNetworking = readNullable(in);
            record.description = readNullable(in);
            record.contactInfo = readNullable(in);
            record.thumbnail = readNullable(in);
            record.maturity = readNullable(in);
            record.restriction = readNullable(in);
            record.addrOfFirstContact = readNullable(in);
            final int keyLength = in.readUnsignedShort();
            record.publicKey = keyLength == 0 ? null : in.readNBytes(keyLength);
            record.tags = readList(in);
            record.images = readList(in);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("domain " + id + " is stored corrupt", ex);
        }
        return record;
    }

    private static void writeNullable(final DataOutputStream out, final String value) throws IOException
    {
        out.writeBoolean(value != null);
        if (value != null)
        {
            out.writeUTF(value);
        }
    }

    private static String readNullable(final DataInputStream in) throws IOException
    {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeList(final DataOutputStream out, final List<String> values) throws IOException
    {
        out.writeShort(values.size());
        for (final String value : values)
        {
            out.writeUTF(value);
        }
    }

    private static List<String> readList(final DataInputStream in) throws IOException
    {
        final int count = in.readUnsignedShort();
        final List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            values.add(in.readUTF());
        }
        return List.copyOf(values);
    }
}
