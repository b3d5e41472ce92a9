package io.switchboard.edge.websocket;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of the WebSocket layer that have an exact answer: the accept value, UTF-8 validation. */
class WebSocketCodecTest
{
    @Test
    void acceptValueIsTheRfcExample()
    {
        // RFC 6455 §1.3.
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.acceptValue("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void utf8ValidationAgreesWithTheJdkDecoder()
    {
        final String[] valid = {"", "plain ascii, longer than eight bytes", "é", "€ and 𝄞", "\u007f\u0080\u07ff\u0800\uffff"};
        for (final String text : valid)
        {
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertTrue(Utf8.isValid(bytes, 0, bytes.length), text);
        }
        final byte[][] invalid = {
            {(byte)0xC0, (byte)0x80},                         // overlong NUL
            {(byte)0xE0, (byte)0x80, (byte)0x80},             // overlong
            {(byte)0xED, (byte)0xA0, (byte)0x80},             // a surrogate
            {(byte)0xF4, (byte)0x90, (byte)0x80, (byte)0x80}, // past U+10FFFF
            {(byte)0xE2, (byte)0x82},                         // truncated
            {'a', 'b', 'c', 'd', 'e', 'f', 'g', (byte)0x80},  // a lone continuation after ASCII
            {(byte)0xFF},
        };
        for (final byte[] bytes : invalid)
        {
            assertFalse(Utf8.isValid(bytes, 0, bytes.length));
        }
        final Random random = new Random(11);
        for (int round = 0; round < 20_000; round++)
        {
            final byte[] bytes = new byte[random.nextInt(12)];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)(random.nextBoolean() ? random.nextInt(0x80) : 0x80 + random.nextInt(0x80));
            }
            assertEquals(jdkAccepts(bytes), Utf8.isValid(bytes, 0, bytes.length), () -> java.util.HexFormat.of()
                .formatHex(bytes));
        }
    }

    private static boolean jdkAccepts(final byte[] bytes)
    {
        try
        {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return true;
        }
        catch (final CharacterCodingException ex)
        {
            return false;
        }
    }
}
