package io.switchboard.protocol.http;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request head parser on byte vectors: RFC 9112's syntax, its framing rules, the limits. */
class HttpRequestHeadTest
{
    private static final int LIMIT = 16 * 1024;

    private final HttpRequestHead head = new HttpRequestHead();

    private static ByteBuffer bytes(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private int parse(final String text)
    {
        final ByteBuffer buffer = bytes(text);
        return head.parse(buffer, 0, buffer.limit(), LIMIT);
    }

    @Nested
    class WellFormed
    {
        @Test
        void aGetIsReadWithItsPartsAndHeaders()
        {
            final String text =
                "GET /peerjs/id?ts=1&v=2 HTTP/1.1\r\nHost: switchboard\r\nOrigin:  http://a.test \r\n\r\n";
            assertEquals(text.length(), parse(text));
            assertEquals("GET", head.method());
            assertTrue(head.isMethod("GET"));
            assertFalse(head.isMethod("get"));
            assertEquals("/peerjs/id?ts=1&v=2", head.target());
            assertEquals("/peerjs/id", head.path());
            assertEquals("ts=1&v=2", head.query());
            assertEquals(1, head.minorVersion());
            assertEquals("http://a.test", head.header("origin"));
            assertEquals("switchboard", head.header("HOST"));
            assertNull(head.header("Upgrade"));
            assertEquals(2, head.fieldCount());
            assertEquals(-1, head.contentLength());
            assertFalse(head.chunked());
            assertTrue(head.keepAlive());
        }

        @Test
        void onlyTheHeadIsConsumedOfPipelinedRequests()
        {
            final String first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
            final String second = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
            final ByteBuffer buffer = bytes(first + second);
            assertEquals(first.length(), head.parse(buffer, 0, buffer.limit(), LIMIT));
            assertEquals("/a", head.path());
            assertEquals(second.length(), head.parse(buffer, first.length(), second.length(), LIMIT));
            assertEquals("/b", head.path());
        }

        @Test
        void aHeadSplitAcrossReadsIsIncompleteUntilItsEmptyLine()
        {
            final String text = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            for (int split = 0; split < text.length(); split++)
            {
                assertEquals(HttpRequestHead.INCOMPLETE, parse(text.substring(0, split)), "split at " + split);
            }
            assertEquals(text.length(), parse(text));
        }

        @Test
        void bareLineFeedsAndLeadingEmptyLinesAreTaken()
        {
            final String text = "\r\n\nGET /x HTTP/1.1\nHost: x\n\n";
            assertEquals(text.length(), parse(text));
            assertEquals("/x", head.path());
            assertEquals("x", head.header("Host"));
        }

        @Test
        void connectionTokensAreFoundInAList()
        {
            parse("GET /peerjs HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertTrue(head.hasToken("connection", "upgrade"));
            assertTrue(head.hasToken("Connection", "KEEP-ALIVE"));
            assertFalse(head.hasToken("Connection", "close"));
            assertFalse(head.hasToken("Upgrade", "h2c"));
        }

        @Test
        void anAbsoluteTargetHasItsPathAfterTheAuthority()
        {
            parse("GET http://switchboard:9000/peerjs/id?x=1 HTTP/1.1\r\nHost: switchboard\r\n\r\n");
            assertEquals("/peerjs/id", head.path());
            assertEquals("x=1", head.query());
            parse("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("*", head.path());
        }

        @Test
        void valuesMayHoldObsTextAndTabs()
        {
            final String text = "GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00e9\tbar\r\n\r\n";
            assertEquals(text.length(), parse(text));
            assertEquals("caf\u00e9\tbar", head.header("x-name"));
        }
    }

    @Nested
    class KeepAlive
    {
        @ParameterizedTest(name = "{0} with Connection [{1}]: keep-alive {2}")
        @CsvSource({
            "1.1, '',                 true",
            "1.1, close,              false",
            "1.1, 'keep-alive, close', false",
            "1.0, '',                 false",
            "1.0, keep-alive,         true",
            "1.0, Keep-Alive,         true",
            "1.0, 'close, keep-alive', false"
        })
        void followsTheVersionAndTheConnectionHeader(
            final String version, final String connection, final boolean keepAlive)
        {
            final String header = connection.isEmpty() ? "" : "Connection: " + connection + "\r\n";
            parse("GET / HTTP/" + version + "\r\nHost: x\r\n" + header + "\r\n");
            assertEquals(keepAlive, head.keepAlive());
        }

        @Test
        void aLaterMinorVersionIsReadAsHttp11()
        {
            parse("GET / HTTP/1.7\r\nHost: x\r\n\r\n");
            assertEquals(1, head.minorVersion());
        }

        @Test
        void http10NeedsNoHost()
        {
            final String text = "GET / HTTP/1.0\r\n\r\n";
            assertEquals(text.length(), parse(text));
            assertEquals(0, head.minorVersion());
        }
    }

    @Nested
    class Framing
    {
        @Test
        void contentLengthIsRead()
        {
            parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n");
            assertEquals(65536, head.contentLength());
            assertFalse(head.chunked());
        }

        @Test
        void chunkedIsRead()
        {
            parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n");
            assertTrue(head.chunked());
            assertEquals(-1, head.contentLength());
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "duplicate Content-Length          | Content-Length: 5\\r\\nContent-Length: 5",
            "Content-Length list               | Content-Length: 5, 5",
            "negative Content-Length           | Content-Length: -1",
            "hex Content-Length                | Content-Length: 0x10",
            "empty Content-Length              | Content-Length:",
            "19-digit Content-Length           | Content-Length: 1000000000000000000",
            "Content-Length beside chunked     | Content-Length: 5\\r\\nTransfer-Encoding: chunked",
            "coding not ending in chunked      | Transfer-Encoding: chunked, gzip",
            "unknown coding                    | Transfer-Encoding: identity",
            "second Host                       | Host: y"
        })
        void isRefusedWith400WhenAmbiguous(final String name, final String fields)
        {
            final String lines = fields.replace("\\r", "\r").replace("\\n", "\n");
            assertRefused(400, "POST / HTTP/1.1\r\nHost: x\r\n" + lines + "\r\n\r\n");
        }

        @Test
        void chunkedInHttp10IsRefused()
        {
            assertRefused(400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n");
        }

        @Test
        void http11WithoutHostIsRefused()
        {
            assertRefused(400, "GET / HTTP/1.1\r\n\r\n");
        }
    }

    @Nested
    class Malformed
    {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "garbage                   | GARBAGE\\r\\n\\r\\n",
            "no version                | GET /\\r\\nHost: x\\r\\n\\r\\n",
            "two spaces                | GET  / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
            "space in target           | GET /a b HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
            "relative target           | GET peerjs HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
            "lower-case version        | GET / http/1.1\\r\\nHost: x\\r\\n\\r\\n",
            "version with letters      | GET / HTTP/1.x\\r\\nHost: x\\r\\n\\r\\n",
            "method with separator     | GE(T / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
            "obs-fold                  | GET / HTTP/1.1\\r\\nHost: x\\r\\nX-A: a\\r\\n  folded\\r\\n\\r\\n",
            "space before colon        | GET / HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n",
            "no colon                  | GET / HTTP/1.1\\r\\nHost x\\r\\n\\r\\n",
            "empty name                | GET / HTTP/1.1\\r\\n: x\\r\\nHost: x\\r\\n\\r\\n",
            "bare CR in a value        | GET / HTTP/1.1\\r\\nHost: x\\ry\\r\\n\\r\\n",
            "NUL in a value            | GET / HTTP/1.1\\r\\nHost: x\u0000\\r\\n\\r\\n",
            "non-ASCII target          | GET /\u00e9 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
        })
        void isRefusedWith400(final String name, final String text)
        {
            assertRefused(400, text.replace("\\r", "\r").replace("\\n", "\n"));
        }

        @Test
        void anotherMajorVersionIsRefusedWith505()
        {
            assertRefused(505, "GET / HTTP/2.0\r\nHost: x\r\n\r\n");
        }

        @Test
        void garbageIsRefusedOnceItsLineEnds()
        {
            assertEquals(HttpRequestHead.INCOMPLETE, parse("\u0016\u0003\u0001\u0002"));
            assertRefused(400, "\u0016\u0003\u0001\u0002\r\n");
        }
    }

    @Nested
    class Limits
    {
        @Test
        void aHeadAtTheLimitIsReadAndOneByteMoreIs431()
        {
            final String start = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
            final String end = "\r\n\r\n";
            final String exact = start + "a".repeat(LIMIT - start.length() - end.length()) + end;
            assertEquals(LIMIT, exact.length());
            assertEquals(LIMIT, parse(exact));
            assertRefused(431, start + "a".repeat(LIMIT - start.length() - end.length() + 1) + end);
        }

        @Test
        void anUnfinishedHeadIs431OnceItFillsTheLimit()
        {
            final String start = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
            assertEquals(HttpRequestHead.INCOMPLETE, parse(start + "a".repeat(LIMIT - start.length() - 1)));
            assertRefused(431, start + "a".repeat(LIMIT - start.length()));
        }

        @Test
        void tooManyFieldsAre431()
        {
            final StringBuilder text = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
            for (int i = 1; i < HttpRequestHead.MAX_FIELDS; i++)
            {
                text.append("X-").append(i).append(": a\r\n");
            }
            assertTrue(parse(text + "\r\n") > 0, "the most fields");
            assertRefused(431, text + "X-More: a\r\n\r\n");
        }
    }

    private void assertRefused(final int status, final String text)
    {
        assertEquals(HttpRequestHead.REFUSED, parse(text), text);
        assertEquals(status, head.errorStatus(), head.error());
    }
}
