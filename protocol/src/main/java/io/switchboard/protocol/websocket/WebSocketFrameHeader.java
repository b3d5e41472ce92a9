package io.switchboard.protocol.websocket;

import java.nio.ByteBuffer;

/**
 * The RFC 6455 §5.2 frame header, read as a flyweight over a {@link ByteBuffer} and written by static methods:
 * <pre>
 *  byte 0: FIN | RSV1-3 | opcode (4 bits)
 *  byte 1: MASK | payload length (7 bits: 0-125, or 126 then a 16-bit length, or 127 then a 64-bit length)
 *  then the extended length (big-endian), then the 4-byte masking key when MASK is set
 * </pre>
 * The appliance reads masked client frames and writes unmasked ones; the tools do the opposite. Validation (which
 * opcodes, lengths and bits a side accepts) is the reader's, not the header's.
 */
public final class WebSocketFrameHeader
{
    public static final int FIN = 0x80;
    public static final int RSV_BITS = 0x70;
    public static final int OPCODE_BITS = 0x0F;
    public static final int MASK = 0x80;
    public static final int LENGTH_BITS = 0x7F;
    /** The 7-bit length saying a 16-bit length follows. */
    public static final int LENGTH_16 = 126;
    /** The 7-bit length saying a 64-bit length follows. */
    public static final int LENGTH_64 = 127;
    public static final int MASKING_KEY_BYTES = 4;
    /** The longest header: 2 bytes, a 64-bit length and a masking key. */
    public static final int MAX_HEADER_BYTES = 14;
    /** The longest control frame payload (§5.5). */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    public static final int OP_CONTINUATION = 0x0;
    public static final int OP_TEXT = 0x1;
    public static final int OP_BINARY = 0x2;
    public static final int OP_CLOSE = 0x8;
    public static final int OP_PING = 0x9;
    public static final int OP_PONG = 0xA;

    private ByteBuffer buffer;
    private int offset;
    private int headerLength;
    private long payloadLength;
    private int bytesNeeded;

    /**
     * Reads the header at {@code buffer[offset, offset + available)}; the buffer's byte order does not matter.
     *
     * @return the header's length in bytes, or 0 when fewer bytes are available than the header has: then
     * {@link #bytesNeeded()} is the least that must be available to read it
     */
    public int wrap(final ByteBuffer buffer, final int offset, final int available)
    {
        this.buffer = buffer;
        this.offset = offset;
        headerLength = 0;
        payloadLength = 0;
        if (available < 2)
        {
            bytesNeeded = 2;
            return 0;
        }
        final int b1 = buffer.get(offset + 1) & 0xFF;
        final int length7 = b1 & LENGTH_BITS;
        final int lengthBytes = length7 == LENGTH_16 ? 2 : length7 == LENGTH_64 ? 8 : 0;
        final int header = 2 + lengthBytes + ((b1 & MASK) != 0 ? MASKING_KEY_BYTES : 0);
        if (available < header)
        {
            bytesNeeded = header;
            return 0;
        }
        headerLength = header;
        payloadLength = lengthBytes == 0 ? length7 : bigEndian(buffer, offset + 2, lengthBytes);
        return header;
    }

    /** After {@link #wrap} returned 0: bytes that must be available before the header can be read. */
    public int bytesNeeded()
    {
        return bytesNeeded;
    }

    public boolean fin()
    {
        return (byte0() & FIN) != 0;
    }

    /** The three reserved bits, zero unless an extension was negotiated. */
    public int rsv()
    {
        return byte0() & RSV_BITS;
    }

    public int opcode()
    {
        return byte0() & OPCODE_BITS;
    }

    public boolean isControl()
    {
        return opcode() >= OP_CLOSE;
    }

    public boolean masked()
    {
        return (buffer.get(offset + 1) & MASK) != 0;
    }

    /** The payload's length as sent; negative when a 64-bit length has its top bit set (invalid, §5.2). */
    public long payloadLength()
    {
        return payloadLength;
    }

    public int headerLength()
    {
        return headerLength;
    }

    /** The masking key as a big-endian int (see {@link Masking}); meaningful when {@link #masked()}. */
    public int maskingKey()
    {
        return (int)bigEndian(buffer, offset + headerLength - MASKING_KEY_BYTES, MASKING_KEY_BYTES);
    }

    private int byte0()
    {
        return buffer.get(offset) & 0xFF;
    }

    private static long bigEndian(final ByteBuffer buffer, final int at, final int bytes)
    {
        long value = 0;
        for (int i = 0; i < bytes; i++)
        {
            value = value << 8 | (buffer.get(at + i) & 0xFF);
        }
        return value;
    }

    /** Bytes of the header of a frame carrying {@code payloadLength} bytes. */
    public static int length(final long payloadLength, final boolean masked)
    {
        return (payloadLength <= MAX_CONTROL_PAYLOAD ? 2 : payloadLength <= 0xFFFF ? 4 : 10) +
            (masked ? MASKING_KEY_BYTES : 0);
    }

    /** Writes a final, unmasked frame's header (a server's) at {@code out}'s position, which it advances. */
    public static void put(final ByteBuffer out, final int opcode, final long payloadLength)
    {
        putFirstBytes(out, opcode, payloadLength, 0);
    }

    /** Writes a final, masked frame's header (a client's) with {@code maskingKey} at {@code out}'s position. */
    public static void putMasked(final ByteBuffer out, final int opcode, final long payloadLength, final int maskingKey)
    {
        putFirstBytes(out, opcode, payloadLength, MASK);
        putBigEndian(out, maskingKey, MASKING_KEY_BYTES);
    }

    private static void putFirstBytes(final ByteBuffer out, final int opcode, final long payloadLength, final int mask)
    {
        out.put((byte)(FIN | opcode));
        if (payloadLength <= MAX_CONTROL_PAYLOAD)
        {
            out.put((byte)(mask | (int)payloadLength));
        }
        else if (payloadLength <= 0xFFFF)
        {
            putBigEndian(out.put((byte)(mask | LENGTH_16)), payloadLength, 2);
        }
        else
        {
            putBigEndian(out.put((byte)(mask | LENGTH_64)), payloadLength, 8);
        }
    }

    private static void putBigEndian(final ByteBuffer out, final long value, final int bytes)
    {
        for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
        {
            out.put((byte)(value >>> shift));
        }
    }
}
