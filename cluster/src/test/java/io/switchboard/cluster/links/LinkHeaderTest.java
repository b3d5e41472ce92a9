package io.switchboard.cluster.links;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LinkHeaderTest
{
    @ParameterizedTest(name = "type {0}, origin {1}, length {2}, incarnation {3}")
    @CsvSource({
        "0,     0, 0,     0,                    00000000000000000000000000000000",
        "7,     2, 5,     0x0102030405060708,   0700020005000000 0807060504030201",
        "32767, 8, 8176,  -1,                   ff7f0800f01f0000 ffffffffffffffff",
        "-1,    1, 65536, 0x7fffffffffffffff,   ffff010000000100 ffffffffffffff7f",
    })
    void headerFieldsAreLittleEndianAtTheirNamedOffsets(
        final int type, final int origin, final int length, final String incarnationText, final String hex)
    {
        final long incarnation = incarnationText.startsWith("0x")
            ? Long.parseUnsignedLong(incarnationText.substring(2), 16) : Long.parseLong(incarnationText);
        final byte[] expected = HexFormat.of().parseHex(hex.replace(" ", ""));

        final UnsafeBuffer written = new UnsafeBuffer(new byte[LinkHeader.LENGTH + 3]);
        new LinkHeader().wrap(written, 3).messageType(type).originNode(origin).length(length).incarnation(incarnation);
        final byte[] actual = new byte[LinkHeader.LENGTH];
        written.getBytes(3, actual);
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual));

        final LinkHeader read = new LinkHeader().wrap(new UnsafeBuffer(expected), 0);
        assertEquals(type, read.messageType());
        assertEquals(origin, read.originNode());
        assertEquals(length, read.length());
        assertEquals(incarnation, read.incarnation());
    }
}
