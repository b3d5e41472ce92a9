package io.switchboard.edge.metaverse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The stock heartbeat reader over any body: it never throws, and a body it reads changes a domain exactly as the
 * tree path ({@link DomainFields#applyHeartbeat}) changes it, api_key included; anything else it leaves to that path.
 */
class HeartbeatBodyFuzzTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UUID ID = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
    private static final long NOW_MS = 1_767_225_600_123L;

    @FuzzTest
    void heartbeat(final byte[] body) throws IOException
    {
        final HeartbeatBody stock = HeartbeatBody.read(JSON.getFactory(), body);
        if (stock == null)
        {
            return;
        }
        final JsonNode domain = JSON.readTree(body).path("domain");
        final DomainRecord byTree = registered();
        DomainFields.applyHeartbeat(domain, byTree, NOW_MS);
        final DomainRecord byStream = registered();
        stock.applyTo(byStream, NOW_MS);
        assertArrayEquals(byTree.encode(), byStream.encode(), () -> new String(body, StandardCharsets.UTF_8));
        assertEquals(DomainFields.text(domain.get("api_key"), DomainFields.MAX_SHORT_CHARS), stock.apiKey);
    }

    /** A domain that heartbeats before: every field a heartbeat may leave alone has a value to keep. */
    private static DomainRecord registered()
    {
        final DomainRecord record = new DomainRecord(ID);
        record.name = "before";
        record.version = "2021.1.0";
        record.protocol = "old-protocol";
        record.networkAddress = "192.0.2.1";
        record.networkPort = 40_102;
        record.automaticNetworking = "disabled";
        record.restricted = Boolean.TRUE;
        record.numUsers = 7;
        record.anonUsers = 3;
        record.capacity = 20;
        record.description = "kept";
        record.lastHeartbeatMs = 1_000;
        return record;
    }
}
