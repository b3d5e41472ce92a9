package io.switchboard.protocol.websocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frame header on the bytes of RFC 6455 §5.7's examples and our own vectors. */
class WebSocketFrameHeaderTest
{
    private final WebSocketFrameHeader header = new WebSocketFrameHeader();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name, header bytes, fin, opcode, masked, payload length, masking key
        "unmasked text Hello (5.7),            8105,                   true,  1,  false, 5,     0",
        "masked text Hello (5.7),              818537fa213d,           true,  1,  true,  5,     37fa213d",
        "first fragment Hel (5.7),             0103,                   false, 1,  false, 3,     0",
        "continuation lo (5.7),                8002,                   true,  0,  false, 2,     0",
        "unmasked ping (5.7),                  8905,                   true,  9,  false, 5,     0",
        "masked pong (5.7),                    8a8537fa213d,           true,  10, true,  5,     37fa213d",
        "256 bytes binary (5.7),               827e0100,               true,  2,  false, 256,   0",
        "64 KiB binary (5.7),                  827f0000000000010000,   true,  2,  false, 65536, 0",
        "masked 126-byte text,                 81fe007e01020304,       true,  1,  true,  126,   01020304",
        "masked close 1000,                    8882a1b2c3d4,           true,  8,  true,  2,     a1b2c3d4",
    })
    void readsTheHeaderOfEachExample(
        final String name, final String hex, final boolean fin, final int opcode, final boolean masked,
        final long payloadLength, final String maskingKey)
    {
        final byte[] bytes = HexFormat.of().parseHex(hex);
        final ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 3).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[]{9, 9, 9}).put(bytes);
        assertEquals(bytes.length, header.wrap(buffer, 3, bytes.length));
        assertEquals(fin, header.fin());
        assertEquals(opcode, header.opcode());
        assertEquals(opcode >= WebSocketFrameHeader.OP_CLOSE, header.isControl());
        assertEquals(masked, header.masked());
        assertEquals(0, header.rsv());
        assertEquals(payloadLength, header.payloadLength());
        assertEquals(bytes.length, header.headerLength());
        if (masked)
        {
            assertEquals((int)Long.parseLong(maskingKey, 16), header.maskingKey());
        }
        assertEquals(ByteOrder.LITTLE_ENDIAN, buffer.order(), "reading leaves the buffer's byte order alone");
    }

    @Test
    void aShortHeaderSaysHowManyBytesItNeeds()
    {
        final ByteBuffer buffer = ByteBuffer.wrap(HexFormat.of().parseHex("81fe007e01020304"));
        assertEquals(0, header.wrap(buffer, 0, 0));
        assertEquals(2, header.bytesNeeded());
        assertEquals(0, header.wrap(buffer, 0, 1));
        assertEquals(2, header.bytesNeeded());
        for (int available = 2; available < 8; available++)
        {
            assertEquals(0, header.wrap(buffer, 0, available));
            assertEquals(8, header.bytesNeeded(), "with " + available + " bytes");
        }
        assertEquals(8, header.wrap(buffer, 0, 8));
    }

    @Test
    void reservedBitsAndATopBitLengthAreReportedForTheReaderToRefuse()
    {
        assertEquals(2, header.wrap(ByteBuffer.wrap(HexFormat.of().parseHex("f100")), 0, 2));
        assertEquals(WebSocketFrameHeader.RSV_BITS, header.rsv());
        assertEquals(10, header.wrap(ByteBuffer.wrap(HexFormat.of().parseHex("827f8000000000000001")), 0, 10));
        assertTrue(header.payloadLength() < 0);
    }

    @ParameterizedTest
    @CsvSource({"0", "5", "125", "126", "65535", "65536", "1000000"})
    void whatIsWrittenReadsBack(final long payloadLength)
    {
        final ByteBuffer server = ByteBuffer.allocate(WebSocketFrameHeader.MAX_HEADER_BYTES);
        WebSocketFrameHeader.put(server, WebSocketFrameHeader.OP_TEXT, payloadLength);
        assertEquals(WebSocketFrameHeader.length(payloadLength, false), server.position());
        assertEquals(server.position(), header.wrap(server, 0, server.position()));
        assertTrue(header.fin());
        assertFalse(header.masked());
        assertEquals(payloadLength, header.payloadLength());

        final ByteBuffer client = ByteBuffer.allocate(WebSocketFrameHeader.MAX_HEADER_BYTES);
        WebSocketFrameHeader.putMasked(client, WebSocketFrameHeader.OP_BINARY, payloadLength, 0x37fa213d);
        assertEquals(WebSocketFrameHeader.length(payloadLength, true), client.position());
        assertEquals(client.position(), header.wrap(client, 0, client.position()));
        assertTrue(header.masked());
        assertEquals(WebSocketFrameHeader.OP_BINARY, header.opcode());
        assertEquals(payloadLength, header.payloadLength());
        assertEquals(0x37fa213d, header.maskingKey());
    }

    @Test
    void writesTheRfcBytes()
    {
        final ByteBuffer out = ByteBuffer.allocate(WebSocketFrameHeader.MAX_HEADER_BYTES);
        WebSocketFrameHeader.putMasked(out, WebSocketFrameHeader.OP_TEXT, 5, 0x37fa213d);
        assertEquals("818537fa213d", HexFormat.of().formatHex(out.array(), 0, out.position()));
        out.clear();
        WebSocketFrameHeader.put(out, WebSocketFrameHeader.OP_BINARY, 65536);
        assertEquals("827f0000000000010000", HexFormat.of().formatHex(out.array(), 0, out.position()));
    }
}
