package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the Iamus envelope (spec §1.2): {@code {"status":"success","data":...}} or
 * {@code {"status":"failure","error":...}}, the latter with the failure's HTTP status, or 400 for every failure
 * when the request asks so with {@code x-vircadia-error-handle: badrequest}. Each failure is counted.
 */
final class Replies
{
    private static final HttpString ERROR_HANDLE = new HttpString("x-vircadia-error-handle");
    private static final String JSON_TYPE = "application/json";
    private static final byte[] SUCCESS = "{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8);

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Envelope(String status, Object data, String error)
    {
        static Envelope success(final Object data)
        {
            return new Envelope("success", data, null);
        }
    }

    record DomainEnvelope(String status, Map<String, Object> data, Object domain)
    {
    }

    private final ObjectMapper json;
    private final MetaverseCounters counters;

    Replies(final ObjectMapper json, final MetaverseCounters counters)
    {
        this.json = json;
        this.counters = counters;
    }

    /** {@code {"status":"success"}}: what every accepted PUT answers. */
    void success(final HttpServerExchange exchange)
    {
        send(exchange, 200, SUCCESS);
    }

    void success(final HttpServerExchange exchange, final Object data)
    {
        json(exchange, Envelope.success(data));
    }

    /** Success with {@code data.domain}, and the same domain at top level for legacy callers, as Iamus answers. */
    void successWithDomain(final HttpServerExchange exchange, final Object domain)
    {
        json(exchange, new DomainEnvelope("success", Map.of("domain", domain), domain));
    }

    /** Any body as JSON with status 200, for replies beyond the plain envelope. */
    void json(final HttpServerExchange exchange, final Object body)
    {
        final byte[] bytes;
        try
        {
            bytes = json.writeValueAsBytes(body);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write reply", ex);
        }
        send(exchange, 200, bytes);
    }

    void failure(final HttpServerExchange exchange, final Failure failure, final String error)
    {
        counters.failure(failure).increment();
        final byte[] bytes;
        try
        {
            bytes = json.writeValueAsBytes(new Envelope("failure", null, error));
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write reply", ex);
        }
        final boolean asBadRequest = "badrequest".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(ERROR_HANDLE));
        send(exchange, asBadRequest ? 400 : failure.status, bytes);
    }

    void failure(final HttpServerExchange exchange, final Refusal refusal)
    {
        failure(exchange, refusal.failure(), refusal.error());
    }

    private static void send(final HttpServerExchange exchange, final int status, final byte[] body)
    {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON_TYPE);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }
}
