package io.switchboard.edge.peerjs;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The signaling codec's vectors: what counts as a frame, its dst in JavaScript truthiness, the rebuilt envelope. */
class SignalFrameTest
{
    private final SignalFrame codec = new SignalFrame(1024 * 1024);

    private SignalFrame.Parsed parse(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return codec.parse(bytes, bytes.length);
    }

    private String relayed(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        final SignalFrame.Parsed frame = codec.parse(bytes, bytes.length);
        return new String(SignalFrame.relay(frame.type(), SignalFrame.quoted("A"), SignalFrame.quoted(frame.dst()),
            bytes, frame.payloadStart(), frame.payloadEnd()), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "null", "42", "\"OFFER\"", "[{\"type\":\"OFFER\"}]", "{\"type\":", "{}{}",
        "{\"type\":\"OFFER\"} x", "{'type':'OFFER'}", "{\"type\":NaN}"})
    void anythingButOneJsonObjectIsInvalid(final String json)
    {
        assertEquals(SignalFrame.Kind.INVALID, parse(json).kind());
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
