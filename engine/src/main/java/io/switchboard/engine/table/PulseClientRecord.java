package io.switchboard.engine.table;

import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One registered pulse client as it is persisted: its private key, its state and the deadline of that state, when it
 * registered and last pulsed, and the public UDP address its last accepted pulse came from. Times are epoch
 * milliseconds so deadlines resume after a restart. A reusable holder: the handler thread reads a table entry into
 * one instance and writes it back.
 */
public final class PulseClientRecord
{
    /** Pulsing within its deadline (or within the grace after registering). */
    public static final byte ONLINE = 1;
    /** Missed a deadline: pulses are answered "must re-verify" until POST /verify or expiry. */
    public static final byte PENDING = 2;

    public static final byte NO_ADDRESS = 0;
    public static final byte IPV4 = 4;
    public static final byte IPV6 = 6;

    /** Layout of {@link #put} / {@link #get}: the key's raw bytes, then little-endian fields. */
    public static final int KEY_OFFSET = 0;
    public static final int REGISTERED_MS_OFFSET = KEY_OFFSET + PulseKey.LENGTH;
    public static final int DEADLINE_MS_OFFSET = REGISTERED_MS_OFFSET + 8;
    public static final int LAST_PULSE_MS_OFFSET = DEADLINE_MS_OFFSET + 8;
    /** 0 in a cell that holds no client. */
    public static final int STATE_OFFSET = LAST_PULSE_MS_OFFSET + 8;
    public static final int FAMILY_OFFSET = STATE_OFFSET + 1;
    public static final int PORT_OFFSET = FAMILY_OFFSET + 1;
    public static final int ADDRESS_OFFSET = PORT_OFFSET + 2;
    /** Encoded size, constant, in both encodings. */
    public static final int SIZE = ADDRESS_OFFSET + 16;

    private final PulseKey key = new PulseKey();
    private final byte[] address = new byte[16];
    private long registeredMs;
    private long deadlineMs;
    private long lastPulseMs;
    private byte state;
    private byte family;
    private int port;

    /** Fresh registration: online until {@code deadlineMs}, never pulsed, no address. */
    public PulseClientRecord registered(final PulseKey key, final long nowMs, final long deadlineMs)
    {
        this.key.set(key);
        this.registeredMs = nowMs;
        this.deadlineMs = deadlineMs;
        this.lastPulseMs = 0;
        this.state = ONLINE;
        this.family = NO_ADDRESS;
        this.port = 0;
        return this;
    }

    public PulseKey key()
    {
        return key;
    }

    public long registeredMs()
    {
        return registeredMs;
    }

    public long deadlineMs()
    {
        return deadlineMs;
    }

    public byte state()
    {
        return state;
    }

    public PulseClientRecord state(final byte state, final long deadlineMs)
    {
        this.state = state;
        this.deadlineMs = deadlineMs;
        return this;
    }

    /** Epoch ms of the last accepted pulse; 0 = never. */
    public long lastPulseMs()
    {
        return lastPulseMs;
    }

    public PulseClientRecord lastPulseMs(final long value)
    {
        lastPulseMs = value;
        return this;
    }

    /** {@link #NO_ADDRESS}, {@link #IPV4} or {@link #IPV6}. */
    public byte family()
    {
        return family;
    }

    /** The address bytes: 4 for IPv4, 16 for IPv6, at the start of the array. */
    public byte[] address()
    {
        return address;
    }

    public int port()
    {
        return port;
    }

    public PulseClientRecord addressIpv4(final int ipv4, final int port)
    {
        family = IPV4;
        address[0] = (byte)(ipv4 >>> 24);
        address[1] = (byte)(ipv4 >>> 16);
        address[2] = (byte)(ipv4 >>> 8);
        address[3] = (byte)ipv4;
        this.port = port;
        return this;
    }

    public PulseClientRecord address(final InetSocketAddress source)
    {
        final InetAddress host = source.getAddress();
        if (host instanceof Inet4Address)
        {
            return addressIpv4(host.hashCode(), source.getPort());
        }
        family = IPV6;
        System.arraycopy(host.getAddress(), 0, address, 0, 16);
        port = source.getPort();
        return this;
    }

    /** The learnt address as a JDK object (allocates; for the HTTP side and tools), or null when none yet. */
    public InetSocketAddress socketAddress()
    {
        if (family == NO_ADDRESS)
        {
            return null;
        }
        try
        {
            return new InetSocketAddress(
                InetAddress.getByAddress(Arrays.copyOf(address, family == IPV4 ? 4 : 16)), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Copies the record into {@code buffer} at {@code offset} ({@link #SIZE} bytes): a slab cell, a ring message. */
    public int put(final MutableDirectBuffer buffer, final int offset)
    {
        key.putRaw(buffer, offset + KEY_OFFSET);
        buffer.putLong(offset + REGISTERED_MS_OFFSET, registeredMs, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + DEADLINE_MS_OFFSET, deadlineMs, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + LAST_PULSE_MS_OFFSET, lastPulseMs, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(offset + STATE_OFFSET, state);
        buffer.putByte(offset + FAMILY_OFFSET, family);
        buffer.putShort(offset + PORT_OFFSET, (short)port, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + ADDRESS_OFFSET, address, 0, 16);
        return SIZE;
    }

    /** Reads a record {@link #put} wrote. */
    public PulseClientRecord get(final DirectBuffer buffer, final int offset)
    {
        key.wrapRaw(buffer, offset + KEY_OFFSET);
        registeredMs = buffer.getLong(offset + REGISTERED_MS_OFFSET, ByteOrder.LITTLE_ENDIAN);
        deadlineMs = buffer.getLong(offset + DEADLINE_MS_OFFSET, ByteOrder.LITTLE_ENDIAN);
        lastPulseMs = buffer.getLong(offset + LAST_PULSE_MS_OFFSET, ByteOrder.LITTLE_ENDIAN);
        state = buffer.getByte(offset + STATE_OFFSET);
        family = buffer.getByte(offset + FAMILY_OFFSET);
        port = buffer.getShort(offset + PORT_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        buffer.getBytes(offset + ADDRESS_OFFSET, address, 0, 16);
        return this;
    }

    void write(final Bytes<?> out)
    {
        out.writeLong(key.k0());
        out.writeLong(key.k1());
        out.writeLong(key.k2());
        out.writeLong(key.k3());
        out.writeLong(registeredMs);
        out.writeLong(deadlineMs);
        out.writeLong(lastPulseMs);
        out.writeByte(state);
        out.writeByte(family);
        out.writeShort((short)port);
        out.write(address, 0, 16);
    }

    void read(final Bytes<?> in)
    {
        key.set(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        registeredMs = in.readLong();
        deadlineMs = in.readLong();
        lastPulseMs = in.readLong();
        state = in.readByte();
        family = in.readByte();
        port = in.readShort() & 0xFFFF;
        in.read(address, 0, 16);
    }
}
