package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.engine.table.TableFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The stock heartbeat's streaming read and in-place write against the JSON tree path: for every body the stock
 * path accepts, the stored record ends byte-for-byte as {@link DomainFields#applyHeartbeat} leaves it; every other
 * body is left to the tree path.
 */
class StockHeartbeatTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000_000L;
    private static final String KEY = "6f1b3e2c-1111-4222-8333-944445555666";

    @TempDir
    Path dir;

    private static DomainRecord stored(final boolean withHeartbeatFields)
    {
        final DomainRecord record = new DomainRecord(UUID.fromString("0b5b0c32-5c0e-4a4c-9c47-3d2c0e0e7a11"));
        record.name = "amber-lion";
        record.apiKey = KEY;
        record.temporary = true;
        record.whenCreatedMs = T0;
        record.publicKey = new byte[] {0x30, 0x01, 0x02};
        record.iceServerAddress = "203.0.113.7";
        record.tags = List.of("music");
        record.description = "a domain — with UTF-8";
        if (withHeartbeatFields)
        {
            record.version = "2022.1.0";
            record.protocol = "c2lnbmF0dXJl";
            record.networkAddress = "198.51.100.4";
            record.networkPort = 40102;
            record.automaticNetworking = "full";
            record.restricted = false;
            record.numUsers = 3;
            record.anonUsers = 1;
            record.lastHeartbeatMs = T0 + 1;
        }
        return record;
    }

    private static final List<String> STOCK_BODIES = List.of(
        // The same heartbeat again: only time and counts change (the in-place write).
        "{\"domain\":{\"version\":\"2022.1.0\",\"protocol\":\"c2lnbmF0dXJl\",\"automatic_networking\":\"full\"," +
            "\"restricted\":false,\"api_key\":\"" + KEY + "\",\"heartbeat\":{\"num_users\":1,\"num_anon_users\":0," +
            "\"user_hostnames\":{\"*\":1}}}}",
        "{\"domain\":{\"network_address\":\"198.51.100.4\",\"network_port\":40102,\"api_key\":\"" + KEY + "\"}}",
        "{\"domain\":{\"api_key\":\"" + KEY + "\",\"heartbeat\":{}}}",
        // Changes: a new address, port as a string, restricted flipped, a new version, UTF-8.
        "{\"domain\":{\"network_address\":\"198.51.100.5\",\"api_key\":\"" + KEY + "\"}}",
        "{\"domain\":{\"network_port\":\" 40103 \",\"api_key\":\"" + KEY + "\"}}",
        "{\"domain\":{\"restricted\":true,\"api_key\":\"" + KEY + "\"}}",
        "{\"domain\":{\"version\":\"2023.2.0-é\",\"api_key\":\"" + KEY + "\"}}",
        "{\"domain\":{\"version\":\"2022.1.é\",\"api_key\":\"" + KEY + "\"}}",
        // Values the validators skip: wrong types, out of range, too long; the PUT still succeeds.
        "{\"domain\":{\"network_port\":70000,\"restricted\":\"yes\",\"version\":5,\"protocol\":null," +
            "\"automatic_networking\":\"" + "x".repeat(DomainFields.MAX_SHORT_CHARS + 1) + "\"," +
            "\"api_key\":\"" + KEY + "\",\"heartbeat\":{\"num_users\":-1,\"num_anon_users\":2.5}}}",
        "{\"domain\":{\"network_port\":[1,2],\"heartbeat\":[1],\"api_key\":\"" + KEY + "\"}}",
        "{\"domain\":{\"heartbeat\":{\"num_users\":4294967296,\"num_anon_users\":{\"a\":[]}},\"api_key\":\"" + KEY +
            "\"}}");

    @Test
    void stockPathLeavesTheRecordAsTheTreePathWould()
    {
        for (final boolean withHeartbeatFields : new boolean[] {true, false})
        {
            for (final String body : STOCK_BODIES)
            {
                final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                final HeartbeatBody stock = HeartbeatBody.read(JSON.getFactory(), bytes);
                assertNotNull(stock, body);

                final DomainRecord expected = stored(withHeartbeatFields);
                DomainFields.applyHeartbeat(tree(bytes).path("domain"), expected, T0 + 15_000);

                try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), UUID.randomUUID() + ".dat", 16))
                {
                    final DomainRecord record = stored(withHeartbeatFields);
                    registry.insert(record);
                    final Refusal inPlace =
                        registry.heartbeatInPlace(record.id, stock, key -> KEY.equals(key), T0 + 15_000);
                    if (inPlace == DomainRegistry.NOT_IN_PLACE)
                    {
                        // A durable change: the log's writer applies the stock body to a copy of the record.
                        final DomainRecord copy = registry.get(record.id);
                        stock.applyTo(copy, T0 + 15_000);
                        assertArrayEquals(expected.encode(), copy.encode(), body);
                        continue;
                    }
                    assertNull(inPlace, body);
                    assertArrayEquals(expected.encode(), registry.get(record.id).encode(), body);
                }
            }
        }
    }

    @Test
    void anythingButTheStockShapeIsLeftToTheTreePath()
    {
        for (final String body : List.of(
            "{\"domain\":{\"meta\":{\"description\":\"d\"},\"api_key\":\"k\"}}",
            "{\"domain\":{\"description\":\"d\"}}",
            "{\"domain\":{\"version\":\"a\",\"version\":\"b\"}}",
            "{\"domain\":{\"heartbeat\":{\"num_users\":1,\"num_users\":2}}}",
            "{\"domain\":{\"version\":\"a\"}",
            "{\"domain\":{},\"other\":1}",
            "{\"domain\":{}} {}",
            "{\"domain\":[]}",
            "[]",
            "",
            "not json"))
        {
            assertNull(HeartbeatBody.read(JSON.getFactory(), body.getBytes(StandardCharsets.UTF_8)), body);
        }
    }

    @Test
    void unknownDomainAndWrongKeyAreRefusedWithoutAChange()
    {
        final HeartbeatBody stock = HeartbeatBody.read(JSON.getFactory(),
            "{\"domain\":{\"api_key\":\"wrong\",\"heartbeat\":{\"num_users\":9}}}".getBytes(StandardCharsets.UTF_8));
        try (DomainRegistry registry = new DomainRegistry(new TableFiles(dir), "refusals.dat", 16))
        {
            final DomainRecord record = stored(true);
            registry.insert(record);
            assertEquals(Refusal.UNKNOWN_DOMAIN, registry.heartbeatInPlace(UUID.randomUUID(), stock, key -> true, T0));
            assertEquals(Refusal.NOT_AUTHORIZED, registry.heartbeatInPlace(record.id, stock, key -> false, T0 + 5));
            assertArrayEquals(record.encode(), registry.get(record.id).encode());
        }
    }

    private static JsonNode tree(final byte[] body)
    {
        try
        {
            return JSON.readTree(body);
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
