package io.switchboard.edge.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The metaverse API as a domain-server, an ICE server and an operator call it, over the JDK's HttpClient. */
final class MetaverseHttp
{
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    private static final String BOUNDARY = "----switchboard-test-boundary";

    /** A reply: its status, headers and body as JSON (a missing node when the body is empty). */
    record Reply(int status, HttpHeaders headers, JsonNode body)
    {
        String error()
        {
            return body.path("error").asText(null);
        }

        boolean isSuccess()
        {
            return "success".equals(body.path("status").asText());
        }
    }

    /** What a domain-server keeps after {@code POST /api/v1/domains/temporary}. */
    record Domain(UUID id, String apiKey, String name)
    {
    }

    private final String base;

    MetaverseHttp(final int port)
    {
        this.base = "http://127.0.0.1:" + port;
    }

    Reply get(final String path, final String... headers) throws Exception
    {
        return send(request(path, headers).GET());
    }

    Reply delete(final String path, final String... headers) throws Exception
    {
        return send(request(path, headers).DELETE());
    }

    Reply post(final String path, final String json, final String... headers) throws Exception
    {
        return send(request(path, headers).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply put(final String path, final String json, final String... headers) throws Exception
    {
        return send(request(path, headers).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Spec §5.1 step 1, asserting success. */
    Domain createTemporary() throws Exception
    {
        final Reply reply = post("/api/v1/domains/temporary", "");
        assertEquals(200, reply.status(), reply.body().toString());
        final JsonNode domain = reply.body().path("data").path("domain");
        return new Domain(
            UUID.fromString(domain.path("id").asText()), domain.path("api_key").asText(), domain.path("name").asText());
    }

    Reply setIceServerAddress(final Domain domain, final String address) throws Exception
    {
        return put("/api/v1/domains/" + domain.id() + "/ice_server_address",
            "{\"domain\": {\"api_key\": \"" + domain.apiKey() + "\", \"ice_server_address\": \"" + address + "\"} }");
    }

    /**
     * The domain-server's key upload (spec §2.5): a {@code public_key} file part, then an {@code api_key} field,
     * with the boundary quoted as Qt's QHttpMultiPart writes it.
     */
    Reply uploadPublicKey(final UUID id, final String apiKey, final byte[] key, final String... headers)
        throws Exception
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\n" +
            "Content-Disposition: form-data; name=\"public_key\"; filename=\"public_key\"\r\n" +
            "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(key);
        body.writeBytes(("\r\n--" + BOUNDARY + "\r\n" +
            "Content-Disposition: form-data; name=\"api_key\"\r\n\r\n" +
            apiKey + "\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return uploadMultipart(id, "multipart/form-data; boundary=\"" + BOUNDARY + "\"", body.toByteArray(), headers);
    }

    /** A key upload of any multipart body whose parts are separated by the test boundary (unquoted here). */
    Reply uploadMultipart(final UUID id, final byte[] body, final String... headers) throws Exception
    {
        return uploadMultipart(id, "multipart/form-data; boundary=" + BOUNDARY, body, headers);
    }

    private Reply uploadMultipart(final UUID id, final String contentType, final byte[] body, final String... headers)
        throws Exception
    {
        return send(request("/api/v1/domains/" + id + "/public_key", headers)
            .header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** {@code data.domain} of {@code GET /api/v1/domains/{id}}, asserting success. */
    JsonNode domainInfo(final UUID id) throws Exception
    {
        final Reply reply = get("/api/v1/domains/" + id);
        assertEquals(200, reply.status(), reply.body().toString());
        return reply.body().path("data").path("domain");
    }

    Reply send(final HttpRequest.Builder request) throws Exception
    {
        final HttpResponse<byte[]> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(response.statusCode(), response.headers(), JSON.readTree(response.body()));
    }

    HttpRequest.Builder request(final String path, final String... headers)
    {
        final HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2)
        {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }
}
