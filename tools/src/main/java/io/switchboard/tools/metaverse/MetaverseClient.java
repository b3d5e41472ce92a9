package io.switchboard.tools.metaverse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The metaverse domain API as a Vircadia domain server calls it: a temporary domain, its public key upload
 * (multipart, as Qt's QHttpMultiPart writes it) and the stock heartbeat PUT; plus the reads that check what was
 * stored. Over the JDK's HttpClient (HTTP/1.1, pooled keep-alive connections); thread-safe.
 */
public final class MetaverseClient
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOUNDARY = "----switchboard-tools-boundary";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** What a domain server keeps after {@code POST /api/v1/domains/temporary}. */
    public record Domain(UUID id, String apiKey)
    {
    }

    /** An answer: the status and the body as JSON (a missing node when it is not JSON). */
    public record Reply(int status, JsonNode body)
    {
        public boolean isSuccess()
        {
            return status / 100 == 2;
        }
    }

    private final HttpClient client;
    private final String base;

    public MetaverseClient(final InetSocketAddress server)
    {
        this.client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
        this.base = "http://" + server.getHostString() + ":" + server.getPort();
    }

    /** A temporary domain, or empty when the server did not answer 200 with one. */
    public Optional<Domain> createTemporary() throws IOException, InterruptedException
    {
        final Reply reply = send(request("/api/v1/domains/temporary").POST(HttpRequest.BodyPublishers.noBody()));
        final JsonNode domain = reply.body().path("data").path("domain");
        return reply.status() == 200 && domain.hasNonNull("id") ?
            Optional.of(new Domain(UUID.fromString(domain.get("id").asText()), domain.path("api_key").asText())) :
            Optional.empty();
    }

    /** {@code PUT /api/v1/domains/{id}/public_key}: a {@code public_key} file part, then an {@code api_key} field. */
    public Reply uploadPublicKey(final Domain domain, final byte[] key) throws IOException, InterruptedException
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\n" +
            "Content-Disposition: form-data; name=\"public_key\"; filename=\"public_key\"\r\n" +
            "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(key);
        body.writeBytes(("\r\n--" + BOUNDARY + "\r\n" +
            "Content-Disposition: form-data; name=\"api_key\"\r\n\r\n" +
            domain.apiKey() + "\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(request("/api/v1/domains/" + domain.id() + "/public_key")
            .header("Content-Type", "multipart/form-data; boundary=\"" + BOUNDARY + "\"")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    /** The heartbeat PUT a stock domain server sends every 30 s, reporting {@code users} users. */
    public Reply heartbeat(final Domain domain, final int users) throws IOException, InterruptedException
    {
        final String body = "{\"domain\":{\"version\":\"2022.1.0\",\"protocol\":\"c2lnbmF0dXJl\"," +
            "\"automatic_networking\":\"full\",\"restricted\":false,\"api_key\":\"" + domain.apiKey() + "\"," +
            "\"heartbeat\":{\"num_users\":" + users + ",\"num_anon_users\":1,\"user_hostnames\":{\"*\":1}}}}";
        return send(request("/api/v1/domains/" + domain.id()).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** {@code GET /api/v1/domains/{id}}: the domain's public info in {@code data.domain} when 200. */
    public Reply domainInfo(final UUID id) throws IOException, InterruptedException
    {
        return send(request("/api/v1/domains/" + id).GET());
    }

    /** The stored key as SubjectPublicKeyInfo DER, or empty when the answer is not 200. */
    public Optional<byte[]> publicKey(final UUID id) throws IOException, InterruptedException
    {
        final Reply reply = send(request("/api/v1/domains/" + id + "/public_key").GET());
        return reply.status() == 200 ?
            Optional.of(Base64.getDecoder().decode(reply.body().path("data").path("public_key").asText())) :
            Optional.empty();
    }

    private HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    }

    private Reply send(final HttpRequest.Builder request) throws IOException, InterruptedException
    {
        final HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body;
        try
        {
            body = JSON.readTree(response.body());
        }
        catch (final IOException ex)
        {
            body = JSON.missingNode();
        }
        return new Reply(response.statusCode(), null == body ? JSON.missingNode() : body);
    }
}
