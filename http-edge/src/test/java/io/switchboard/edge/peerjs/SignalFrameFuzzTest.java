package io.switchboard.edge.peerjs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The PeerJS frame reader over any message: it reads every frame as Jackson's parse reads it (kind, type, dst,
 * payload span), its payload span is the payload Jackson's tree holds, and the frame it relays is the one the
 * Jackson path writes, which reads back as type, src, dst and that payload.
 */
class SignalFrameFuzzTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SRC = SignalFrame.quoted("A");

    private final SignalFrame codec = new SignalFrame(1024 * 1024);
    private final SignalFrameReader reader = new SignalFrameReader(codec);

    @FuzzTest
    void frame(final byte[] message) throws IOException
    {
        final SignalFrame.Parsed jackson = codec.parse(message, message.length);
        final SignalFrame.Kind kind = reader.read(message, message.length);
        assertEquals(jackson.kind(), kind);
        if (kind != SignalFrame.Kind.ACTED_ON)
        {
            return;
        }
        assertEquals(jackson, new SignalFrame.Parsed(kind, reader.type(), reader.dst(), reader.payloadStart(),
            reader.payloadEnd()));

        final JsonNode tree = JSON.readTree(message);
        final JsonNode payload = tree.get("payload");
        if (reader.payloadStart() < 0)
        {
            assertNull(payload);
        }
        else
        {
            assertTrue(0 <= reader.payloadStart() && reader.payloadStart() < reader.payloadEnd() &&
                reader.payloadEnd() <= message.length);
            assertEquals(payload, JSON.readTree(Arrays.copyOfRange(message, reader.payloadStart(), reader.payloadEnd())));
        }
        if (!SignalFrame.isId(reader.dst()))
        {
            return;
        }
        final byte[] expected = SignalFrame.relay(reader.type(), SRC, SignalFrame.quoted(reader.dst()), message,
            jackson.payloadStart(), jackson.payloadEnd());
        final int length = reader.relay(SRC, message);
        assertArrayEquals(expected, Arrays.copyOf(reader.out(), length),
            () -> new String(message, StandardCharsets.UTF_8));

        final JsonNode relayed = JSON.readTree(expected);
        assertEquals(reader.type().name(), relayed.path("type").textValue());
        assertEquals("A", relayed.path("src").textValue());
        assertEquals(reader.dst(), relayed.path("dst").textValue());
        assertEquals(payload, relayed.get("payload"));
        assertEquals(payload == null ? 3 : 4, relayed.size());
    }
}
