package io.switchboard.protocol.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The chunked body walker on byte vectors, whole and split at every byte. */
class ChunkedBodyTest
{
    private static final long LIMIT = 64 * 1024;

    private static ByteBuffer bytes(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aBodyEndsAfterItsLastChunkAndTrailerAndTheRestIsLeft()
    {
        final String body = "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n";
        final ChunkedBody chunks = new ChunkedBody(LIMIT);
        final ByteBuffer buffer = bytes(body + "GET /next");
        assertEquals(body.length(), chunks.consume(buffer, 0, buffer.limit()));
        assertEquals(ChunkedBody.State.DONE, chunks.state());
        assertEquals(11, chunks.total());
    }

    @Test
    void anyReadSplitGivesTheSameEnd()
    {
        final String body = "a\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n";
        final ChunkedBody chunks = new ChunkedBody(LIMIT);
        for (int split = 0; split <= body.length(); split++)
        {
            chunks.reset();
            final ByteBuffer buffer = bytes(body);
            final int first = chunks.consume(buffer, 0, split);
            assertEquals(split, first, "split at " + split);
            final int second = chunks.consume(buffer, split, body.length() - split);
            assertEquals(body.length() - split, second, "split at " + split);
            assertEquals(ChunkedBody.State.DONE, chunks.state(), "split at " + split);
        }
    }

    @Test
    void bareLineFeedsEndLines()
    {
        final ChunkedBody chunks = new ChunkedBody(LIMIT);
        final ByteBuffer buffer = bytes("3\nabc\n0\n\n");
        assertEquals(buffer.limit(), chunks.consume(buffer, 0, buffer.limit()));
        assertEquals(ChunkedBody.State.DONE, chunks.state());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not hex             | zz\\r\\n",
        "no digits           | ;ext\\r\\n",
        "2 GiB               | 80000000\\r\\n",
        "past 64 bits        | fffffffffffffffffff\\r\\n",
        "garbage after size  | 5x\\r\\n"
    })
    void anAbsurdSizeIsBadSize(final String name, final String text)
    {
        final ChunkedBody chunks = new ChunkedBody(LIMIT);
        final ByteBuffer buffer = bytes(text.replace("\\r\\n", "\r\n"));
        chunks.consume(buffer, 0, buffer.limit());
        assertEquals(ChunkedBody.State.BAD_SIZE, chunks.state());
    }

    @Test
    void sizesPastTheLimitAreTooLargeAsSoonAsTheirLineEnds()
    {
        final ChunkedBody chunks = new ChunkedBody(LIMIT);
        final ByteBuffer first = bytes("8000\r\n");
        chunks.consume(first, 0, first.limit());
        assertEquals(ChunkedBody.State.MORE, chunks.state());
        final ByteBuffer rest = bytes("x".repeat(0x8000) + "\r\n8001\r\n");
        chunks.consume(rest, 0, rest.limit());
        assertEquals(ChunkedBody.State.TOO_LARGE, chunks.state());
    }

    @Test
    void dataNotFollowedByALineEndIsMalformed()
    {
        final ChunkedBody chunks = new ChunkedBody(LIMIT);
        final ByteBuffer buffer = bytes("3\r\nabcd\r\n");
        chunks.consume(buffer, 0, buffer.limit());
        assertEquals(ChunkedBody.State.MALFORMED, chunks.state());
    }

    @Test
    void anEndlessTrailerIsMalformed()
    {
        final ChunkedBody chunks = new ChunkedBody(LIMIT);
        final ByteBuffer buffer = bytes("0\r\nX: " + "a".repeat(ChunkedBody.MAX_LINE_BYTES));
        chunks.consume(buffer, 0, buffer.limit());
        assertEquals(ChunkedBody.State.MALFORMED, chunks.state());
    }
}
