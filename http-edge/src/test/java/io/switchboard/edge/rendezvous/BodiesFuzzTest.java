package io.switchboard.edge.rendezvous;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.websocket.Utf8;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every rendezvous body over any values the API can put in it: UTF-8 JSON with the keys in Socket-Rendezvous'
 * order (rendezvous-and-dop.md §1.6), times as plain decimals with milliseconds, and a client's JSON reader
 * (the tools' and Python's alike) reads back each value given.
 */
class BodiesFuzzTest
{
    /** As the appliance configures its one mapper. */
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A time as the body spells it: epoch seconds, a point, milliseconds; never an exponent. */
    private static final Pattern SECONDS = Pattern.compile("\"([a-z_]+)\":(-?[0-9]+\\.[0-9]{3})[,}]");
    private static final HexFormat HEX = HexFormat.of();

    @FuzzTest
    void bodies(final FuzzedDataProvider data) throws IOException
    {
        final String clientId = HEX.formatHex(Arrays.copyOf(data.consumeBytes(16), 16));
        final String privateId = HEX.formatHex(Arrays.copyOf(data.consumeBytes(32), 32));
        final int addressBytes = data.consumeBoolean() ? 16 : 4;
        final String host = InetAddress.getByAddress(Arrays.copyOf(data.consumeBytes(addressBytes), addressBytes))
            .getHostAddress();
        final int port = data.consumeInt(0, 65_535);
        final long nowMs = data.consumeLong(0, Long.MAX_VALUE);
        final long lastMs = data.consumeLong(0, nowMs);
        final boolean ok = data.consumeBoolean();
        final String error = data.consumeRemainingAsAsciiString();

        final JsonNode registered = written(new Bodies.Registered(clientId, privateId, Bodies.seconds(nowMs), ok),
            nowMs, lastMs, "client_id", "private_id", "timestamp", "ok");
        assertEquals(privateId, registered.get("private_id").textValue());
        final JsonNode verified = written(new Bodies.Verified(clientId, Bodies.seconds(nowMs), ok),
            nowMs, lastMs, "client_id", "timestamp", "ok");
        final JsonNode loggedOut = written(new Bodies.LoggedOut(clientId, ok), nowMs, lastMs, "client_id", "ok");
        final JsonNode address = written(new Bodies.PeerAddress(clientId, host, port, Bodies.seconds(nowMs), ok),
            nowMs, lastMs, "client_id", "host", "port", "timestamp", "ok");
        assertEquals(host, address.get("host").textValue());
        assertEquals(port, address.get("port").intValue());
        // As the API answers a peer that never pulsed: last_online 0, seconds_since_pulse null.
        final boolean pulsed = lastMs > 0;
        final JsonNode status = written(new Bodies.PeerStatus(clientId, RendezvousApi.ONLINE,
            pulsed ? Bodies.seconds(lastMs) : BigDecimal.ZERO, pulsed ? Bodies.seconds(nowMs - lastMs) : null,
            Bodies.seconds(nowMs), ok), nowMs, lastMs, "client_id", "status", "last_online", "seconds_since_pulse",
            "timestamp", "ok");
        assertEquals(pulsed, status.get("last_online").isFloatingPointNumber());
        assertEquals(!pulsed, status.get("seconds_since_pulse").isNull());
        final JsonNode failure = written(new Bodies.Failure(false, error), nowMs, lastMs, "ok", "error");
        assertEquals(error, failure.get("error").textValue());

        for (final JsonNode body : List.of(registered, verified, loggedOut, address, status))
        {
            assertEquals(clientId, body.get("client_id").textValue());
            assertEquals(ok, body.get("ok").booleanValue());
        }
    }

    /**
     * The body as the API writes it, read back; its keys must be {@code keys}, in order, and each time in it the
     * epoch milliseconds it was made from (timestamp: {@code nowMs}, last_online: {@code lastMs}).
     */
    private static JsonNode written(final Object body, final long nowMs, final long lastMs, final String... keys)
        throws IOException
    {
        final byte[] bytes = JSON.writeValueAsBytes(body);
        assertTrue(Utf8.isValid(bytes, 0, bytes.length));
        final String text = new String(bytes, StandardCharsets.UTF_8);
        final Matcher time = SECONDS.matcher(text);
        int times = 0;
        while (time.find())
        {
            final long expectedMs = switch (time.group(1))
            {
                case "timestamp" -> nowMs;
                case "last_online" -> lastMs;
                case "seconds_since_pulse" -> nowMs - lastMs;
                default -> throw new AssertionError("a number in " + text);
            };
            assertEquals(BigDecimal.valueOf(expectedMs, 3), new BigDecimal(time.group(2)), text);
            times++;
        }
        final JsonNode tree = JSON.readTree(bytes);
        final List<String> names = new ArrayList<>();
        tree.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of(keys), names);
        assertEquals(names.stream().filter(name -> tree.get(name).isFloatingPointNumber()).count(), times, text);
        return tree;
    }

}
