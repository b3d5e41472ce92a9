package io.switchboard.edge.dop;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.edge.websocket.Utf8;
import io.switchboard.protocol.dop.DopToken;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The dop handshake's token rules over any remote token a text frame can carry (spec 2.3, 2.12): acceptable exactly
 * when 1 to 64 characters not starting with {@code [}; the client's repeat of its token is recognised; the final
 * token is the symmetric prefix join as a browser sends it, so the disconnect and the resume it sends are matched.
 */
class DopTokenFuzzTest
{
    /** Local tokens at both ends of the symbol order and one between. */
    private static final String[] LOCALS = {"0000000000000000", "zzzzzzzzzzzzzzzz", "Zq3k9Lm2Pw7Xc4Vb"};

    @FuzzTest
    void remoteToken(final byte[] frame) throws CharacterCodingException
    {
        if (!Utf8.isValid(frame, 0, frame.length))
        {
            return; // not a text frame: the WebSocket layer closes with 1007
        }
        final String token = new String(frame, StandardCharsets.UTF_8);
        final boolean acceptable = DopToken.isAcceptable(token);
        assertEquals(!token.isEmpty() && token.length() <= DopToken.MAX_REMOTE_LENGTH && token.charAt(0) != '[',
            acceptable);
        if (!acceptable)
        {
            return;
        }
        assertTrue(DopNode.matches(frame, frame.length, DopToken.utf8(token)), "the client's repeated token");
        for (final String local : LOCALS)
        {
            final String unique = DopToken.unique(local, token);
            assertEquals(unique, DopToken.unique(token, local));
            final int length = Math.min(local.length(), token.length());
            final String a = local.substring(0, length);
            final String b = token.substring(0, length);
            final byte[] sent = browserUtf8(a.compareTo(b) < 0 ? a + b : b + a);
            assertArrayEquals(sent, DopToken.utf8(unique), "the final token as a browser sends it");
            assertEquals(new String(sent, StandardCharsets.UTF_8), unique, "the final token a resume presents");
        }
    }

    /** WebSocket.send(string): UTF-8 with each lone surrogate replaced by U+FFFD (WHATWG USVString conversion). */
    private static byte[] browserUtf8(final String text) throws CharacterCodingException
    {
        final ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .replaceWith(new byte[] {(byte)0xEF, (byte)0xBF, (byte)0xBD})
            .encode(CharBuffer.wrap(text));
        return Arrays.copyOf(bytes.array(), bytes.limit());
    }
}
