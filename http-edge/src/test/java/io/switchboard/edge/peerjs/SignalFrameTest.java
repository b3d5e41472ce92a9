package io.switchboard.edge.peerjs;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The signaling codec's vectors: what counts as a frame, its dst in JavaScript truthiness, the rebuilt envelope. Each
 * vector goes through the realm's reader and must read as Jackson's tree-less parse reads it.
 */
class SignalFrameTest
{
    private final SignalFrame codec = new SignalFrame(1024 * 1024);
    private final SignalFrameReader reader = new SignalFrameReader(codec);

    private SignalFrame.Parsed parse(final String json)
    {
        return readAlikeBoth(json.getBytes(StandardCharsets.UTF_8));
    }

    /** What the reader read, as a Parsed, after checking that Jackson's parse reads the same. */
    private SignalFrame.Parsed readAlikeBoth(final byte[] bytes)
    {
        final SignalFrame.Parsed jackson = codec.parse(bytes, bytes.length);
        final SignalFrame.Kind kind = reader.read(bytes, bytes.length);
        final SignalFrame.Parsed read = kind == SignalFrame.Kind.ACTED_ON ? new SignalFrame.Parsed(kind,
            reader.type(), reader.dst(), reader.payloadStart(), reader.payloadEnd()) :
            kind == SignalFrame.Kind.INVALID ? SignalFrame.Parsed.INVALID : SignalFrame.Parsed.IGNORED;
        assertEquals(jackson, read, () -> "reader and Jackson differ on " + new String(bytes, StandardCharsets.UTF_8));
        return read;
    }

    private String relayed(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        final SignalFrame.Parsed frame = parse(json);
        final String jackson = new String(SignalFrame.relay(frame.type(), SignalFrame.quoted("A"),
            SignalFrame.quoted(frame.dst()), bytes, frame.payloadStart(), frame.payloadEnd()), StandardCharsets.UTF_8);
        final int length = reader.relay(SignalFrame.quoted("A"), bytes);
        assertEquals(jackson, new String(reader.out(), 0, length, StandardCharsets.UTF_8));
        return jackson;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "null", "42", "\"OFFER\"", "[{\"type\":\"OFFER\"}]", "{\"type\":", "{}{}",
        "{\"type\":\"OFFER\"} x", "{'type':'OFFER'}", "{\"type\":NaN}"})
    void anythingButOneJsonObjectIsInvalid(final String json)
    {
        assertEquals(SignalFrame.Kind.INVALID, parse(json).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"OFFER\",}", "{\"type\":\"OFFER\",\"payload\":[1,]}",
        "{\"type\":\"OFFER\",\"payload\":01}", "{\"type\":\"OFFER\",\"payload\":1.}",
        "{\"type\":\"OFFER\",\"payload\":.5}", "{\"type\":\"OFFER\",\"payload\":+1}",
        "{\"type\":\"OFFER\",\"payload\":1e}", "{\"type\":\"OFFER\",\"payload\":nul}",
        "{\"type\":\"OFFER\",\"payload\":nullx}", "{\"type\":\"OFFER\",\"payload\":truex}",
        "{\"type\":\"OFFER\",\"payload\":\"a\\x\"}", "{\"type\":\"OFFER\",\"payload\":\"\\u12G4\"}",
        "{\"type\":\"OFFER\",\"payload\":\"tab\there\"}", "{\"type\":\"OFFER\",\"payload\":{\"a\"}}",
        "{\"type\":\"OFFER\",\"payload\":{\"a\":1 \"b\":2}}", "{\"type\":\"OFFER\",\"payload\":[1 2]}",
        "{\"type\":\"OFFER\",\"payload\":{1:2}}", "{\"type\":\"OFFER\",\"payload\":[}",
        "{\"type\":\"OFFER\" \"dst\":\"B\"}", "{\"type\" \"OFFER\"}", "{type:\"OFFER\"}",
        "{\"type\":\"OFFER\"}}", "{\"type\":\"OFFER\",\"payload\":/*c*/1}", "\"unterminated"})
    void malformedJsonInsideAnObjectIsInvalid(final String json)
    {
        assertEquals(SignalFrame.Kind.INVALID, parse(json).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {" {\"type\" : \"OFFER\" , \"dst\" : \"B\" } \r\n\t",
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":-0.5e+10}",
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":[[[{}],[]],{\"k\\n\":\"\\u00e9\\\"\\/\"}]}",
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"caf\u00e9 \u65e5\u672c \ud83d\ude00\"}",
        "{\"typ\\u0065\":\"OFFER\",\"dst\":\"B\"}", "{\"type\":\"OFF\\u0045R\",\"dst\":\"B\"}",
        "{\"type\":\"OFFER\",\"dst\":\"\u65e5\"}", "{\"type\":\"OFFER\",\"dst\":-0.0}",
        "{\"type\":\"OFFER\",\"dst\":1e-400}", "{\"type\":\"OFFER\",\"dst\":\"del\u007f\"}",
        "\ufeff{\"type\":\"OFFER\",\"dst\":\"B\"}"})
    void unusualButValidFramesReadAsJacksonReadsThem(final String json)
    {
        assertNotEquals(SignalFrame.Kind.INVALID, parse(json).kind());
    }

    @Test
    void deepNestingAndLongNumbersReadAsJacksonReadsThem()
    {
        final String deep = "[".repeat(SignalFrameReader.MAX_DEPTH + 5) + "]".repeat(SignalFrameReader.MAX_DEPTH + 5);
        assertEquals(MessageType.OFFER, parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":" + deep + "}").type());
        final String atLimit = "[".repeat(SignalFrameReader.MAX_DEPTH) + "]".repeat(SignalFrameReader.MAX_DEPTH);
        assertEquals(MessageType.OFFER, parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":" + atLimit + "}").type());
        final String digits = "9".repeat(SignalFrameReader.MAX_NUMBER_LENGTH + 1);
        assertEquals(MessageType.OFFER, parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":" + digits + "}").type());
        assertEquals(SignalFrame.Kind.INVALID, parse("{\"type\":\"OFFER\",\"payload\":" + "[".repeat(5000) + "}").kind());
    }

    @Test
    void escapedAndOverlongKeysReadAsJacksonReadsThem()
    {
        for (final String key : new String[] {"\\ud800", "\\udc00", "\\ud83dA", "\\u0041", "k\\n"})
        {
            parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":{\"" + key + "\":1}}");
            parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"" + key + "\":1}");
        }
        for (final int length : new int[] {SignalFrameReader.MAX_KEY_BYTES, SignalFrameReader.MAX_KEY_BYTES + 1, 50_000,
            50_001})
        {
            parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"" + "k".repeat(length) + "\":1}");
            parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":{\"" + "k".repeat(length) + "\":1}}");
            parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":{\"" + "\u65e5".repeat(length / 3 + 1) + "\":1}}");
        }
        assertEquals(SignalFrame.Kind.INVALID,
            parse("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":{\"\\ud800\":1}}").kind());
    }

    @Test
    void aLargeRelayedFrameIsNotKeptByTheThread()
    {
        final String big = "x".repeat(2 * SignalFrameReader.MAX_KEPT_OUT_BYTES);
        final String relayed = relayed("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"" + big + "\"}");
        assertTrue(relayed.contains(big));
        relayed("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":1}");
        assertTrue(reader.out().length <= SignalFrameReader.MAX_KEPT_OUT_BYTES, "the thread keeps " + reader.out().length);
    }

    @Test
    void aDstWithALoneSurrogateIsQuotedWithItsEscape()
    {
        assertEquals("\"a\\ud800b\"", new String(SignalFrame.quoted("a\ud800b"), StandardCharsets.UTF_8));
        assertEquals("\"\\n\\udc00\ud83d\ude00\"", new String(SignalFrame.quoted("\n\udc00\ud83d\ude00"),
            StandardCharsets.UTF_8));
        assertEquals("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"\\ud800\"}",
            relayed("{\"type\":\"OFFER\",\"dst\":\"\\ud800\"}"));
    }

    @Test
    void bytesThatAreNotUtf8ReadAsJacksonReadsThem()
    {
        for (final byte[] bad : new byte[][] {{(byte)0xC3}, {(byte)0xFF}, {(byte)0xED, (byte)0xA0, (byte)0x80},
            {(byte)0xC0, (byte)0xAF}, {(byte)0xE6, (byte)0x97}})
        {
            final byte[] head = "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"".getBytes(StandardCharsets.UTF_8);
            final byte[] frame = new byte[head.length + bad.length + 2];
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(bad, 0, frame, head.length, bad.length);
            frame[frame.length - 2] = '"';
            frame[frame.length - 1] = '}';
            readAlikeBoth(frame);
        }
    }

    /** Frames a client sends, cut and mutated at random: the reader never decides otherwise than Jackson. */
    @Test
    void mutatedFramesReadAsJacksonReadsThem()
    {
        final byte[][] seeds = {
            ("{\"type\":\"OFFER\",\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 46 2 IN IP4 " +
                "127.0.0.1\\r\\n\"},\"type\":\"data\",\"reliable\":true,\"n\":[1,-2.5e3,null,false]}," +
                "\"dst\":\"peer-b\"}").getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"CANDIDATE\",\"dst\":\"x\",\"payload\":{\"candidate\":{\"c\":\"\u00e9\\u00e9\"}}}"
                .getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"HEARTBEAT\"}".getBytes(StandardCharsets.UTF_8)};
        final byte[] alphabet = "{}[]:,\"\\ 0123456789.-+eEtrufalsn\tu\u00e9x".getBytes(StandardCharsets.UTF_8);
        final java.util.Random random = new java.util.Random(7337);
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] seed = seeds[random.nextInt(seeds.length)];
            byte[] frame = seed.clone();
            final int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++)
            {
                final int at = random.nextInt(frame.length);
                switch (random.nextInt(4))
                {
                    case 0 -> frame[at] = alphabet[random.nextInt(alphabet.length)];
                    case 1 -> frame = java.util.Arrays.copyOf(frame, at);
                    case 2 ->
                    {
                        final byte[] longer = new byte[frame.length + 1];
                        System.arraycopy(frame, 0, longer, 0, at);
                        longer[at] = alphabet[random.nextInt(alphabet.length)];
                        System.arraycopy(frame, at, longer, at + 1, frame.length - at);
                        frame = longer;
                    }
                    default -> frame[at] = (byte)random.nextInt(256);
                }
                if (frame.length == 0)
                {
                    break;
                }
            }
            readAlikeBoth(frame);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"type\":\"OPEN\"}", "{\"type\":\"offer\"}", "{\"type\":1}", "{\"type\":[\"OFFER\"]}",
        "{\"type\":\"ID-TAKEN\",\"dst\":\"B\"}"})
    void objectsOfOtherTypesAreIgnored(final String json)
    {
        assertEquals(SignalFrame.Kind.IGNORED, parse(json).kind());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"OFFER\",\"dst\":\"B\"}|B",
        "{\"type\":\"OFFER\",\"dst\":\"\"}|",
        "{\"type\":\"OFFER\",\"dst\":null}|",
        "{\"type\":\"OFFER\",\"dst\":false}|",
        "{\"type\":\"OFFER\",\"dst\":0}|",
        "{\"type\":\"OFFER\"}|",
        "{\"type\":\"OFFER\",\"dst\":\"a\",\"dst\":\"b\"}|b",
        "{\"type\":\"OFFER\",\"dst\":\"h\\u00e9\"}|hé"})
    void dstFollowsJavaScriptTruthinessAndTheLastDuplicate(final String json, final String dst)
    {
        assertEquals(dst, parse(json).dst());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"OFFER\",\"dst\":7}", "{\"type\":\"OFFER\",\"dst\":{\"id\":\"B\"}}",
        "{\"type\":\"OFFER\",\"dst\":true}"})
    void nonStringTruthyDstIsNoId(final String json)
    {
        final SignalFrame.Parsed frame = parse(json);
        assertEquals(MessageType.OFFER, frame.type());
        assertFalse(SignalFrame.isId(frame.dst()));
        assertNotNull(frame.dst());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":{\"a\":[1,{\"b\":null}]}}|{\"a\":[1,{\"b\":null}]}",
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"s\\\"}\"}|\"s\\\"}\"",
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":12.50}|12.50",
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":null}|null",
        "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":false}|false",
        "{\"payload\":[],\"type\":\"OFFER\",\"dst\":\"B\"}|[]",
        "{\"type\":\"OFFER\",\"payload\":1,\"dst\":\"B\",\"payload\":2}|2"})
    void payloadIsCopiedByteForByte(final String json, final String payload)
    {
        assertEquals("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":" + payload + "}", relayed(json));
    }

    @Test
    void envelopeHasTheServersSrcAndDropsEverythingElse()
    {
        assertEquals("{\"type\":\"ANSWER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":{}}",
            relayed("{\"src\":\"FORGED\",\"extra\":[1],\"type\":\"ANSWER\",\"payload\":{},\"dst\":\"B\"}"));
        assertEquals("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"B\"}", relayed("{\"type\":\"CANDIDATE\",\"dst\":\"B\"}"));
    }

    @Test
    void noticesAndQuotedIdsAreJson()
    {
        assertEquals("{\"type\":\"EXPIRE\",\"src\":\"C\",\"dst\":\"A\"}", new String(
            SignalFrame.notice(MessageType.EXPIRE, SignalFrame.quoted("C"), SignalFrame.quoted("A")),
            StandardCharsets.UTF_8));
        assertEquals("\"a\\\"b\\\\c\\nd é\"", new String(SignalFrame.quoted("a\"b\\c\nd é"), StandardCharsets.UTF_8));
    }

    @Test
    void plainAsciiIdsAreQuotedAsJacksonQuotesThem()
    {
        for (final String id : new String[] {"", "peer-b", "A z~!#$%&'()*+,-./:;<=>?@[]^_`{|}", "del\u007f", "tab\t"})
        {
            final String jackson = new String(JsonStringEncoder.getInstance().quoteAsUTF8(id), StandardCharsets.UTF_8);
            assertEquals("\"" + jackson + "\"", new String(SignalFrame.quoted(id), StandardCharsets.UTF_8), id);
        }
    }
}
