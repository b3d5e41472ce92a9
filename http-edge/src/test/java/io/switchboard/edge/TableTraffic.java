package io.switchboard.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.testing.AnyPorts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Writes and reads the appliance's persisted records over its real HTTP APIs: domains and pulse clients. */
final class TableTraffic
{
    /** A registered pulse client as /register returned it. */
    record Client(String id, String privateId)
    {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TableTraffic()
    {
    }

    /** Options for an appliance whose tables are small and whose write rates are not limited. */
    static String[] options(final Path dataDir, final String... extra)
    {
        final List<String> options = new java.util.ArrayList<>(List.of(
            "--data-dir=" + dataDir, "--pulse-max-clients=20000", "--metaverse-max-domains=4000",
            "--temp-domain-rate=1000000", "--temp-domain-burst=1000000",
            "--rendezvous-register-rate=100000000", "--rendezvous-register-burst=100000000"));
        options.addAll(List.of(extra));
        return AnyPorts.with(options.toArray(String[]::new));
    }

    static UUID createDomain(final int metaversePort) throws Exception
    {
        final HttpResponse<String> reply = send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + metaversePort + "/api/v1/domains/temporary"))
            .POST(HttpRequest.BodyPublishers.noBody()));
        if (reply.statusCode() != 200)
        {
            throw new AssertionError("temporary domain answered " + reply.statusCode() + " " + reply.body());
        }
        return UUID.fromString(JSON.readTree(reply.body()).path("data").path("domain").path("id").asText());
    }

    static int domainStatus(final int metaversePort, final UUID id) throws Exception
    {
        return send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + metaversePort + "/api/v1/domains/" + id)).GET()).statusCode();
    }

    static Client register(final int rendezvousPort) throws Exception
    {
        final HttpResponse<String> reply = send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + rendezvousPort + "/register")).POST(HttpRequest.BodyPublishers.noBody()));
        if (reply.statusCode() != 200)
        {
            throw new AssertionError("register answered " + reply.statusCode() + " " + reply.body());
        }
        final JsonNode body = JSON.readTree(reply.body());
        return new Client(body.path("client_id").asText(), body.path("private_id").asText());
    }

    /** 200 while the client is registered; 400 once its key is unknown. */
    static int clientStatus(final int rendezvousPort, final Client client) throws Exception
    {
        return send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + rendezvousPort + "/peer/" + client.id() + "/udp/status"))
            .header("Authorization", "Bearer " + client.privateId()).GET()).statusCode();
    }

    /** Every domain in the registry, as the listing counts them. */
    static long domainCount(final int metaversePort) throws Exception
    {
        final HttpResponse<String> reply = send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + metaversePort + "/api/v1/domains?per_page=1")).GET());
        return JSON.readTree(reply.body()).path("total_entries").asLong(-1);
    }

    static HttpResponse<String> backup(final int adminPort, final String name) throws Exception
    {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/backup?name=" + name))
            .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    static JsonNode json(final String body) throws Exception
    {
        return JSON.readTree(body);
    }

    private static HttpResponse<String> send(final HttpRequest.Builder request) throws Exception
    {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
