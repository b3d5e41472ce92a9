package io.switchboard.edge.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code /healthz} of the whole appliance names every thread it started, each alive, and answers 200. */
class HealthzTest
{
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"shared", "dedicated"})
    void everyAgentIsListedAlive(final String threading) throws Exception
    {
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dir,
            "--engine-threading=" + threading, "--metaverse-url=http://127.0.0.1:9/"))))
        {
            final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + appliance.port("admin") + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            final JsonNode health = new ObjectMapper().readTree(response.body());
            assertEquals("ok", health.path("status").asText());
            final Set<String> names = new HashSet<>();
            for (final JsonNode agent : health.path("agents"))
            {
                assertEquals("alive", agent.path("state").asText(), agent.toString());
                names.add(agent.path("name").asText());
            }
            final Set<String> engine = threading.equals("shared") ? Set.of("switchboard-engine") :
                Set.of("switchboard-udp-receiver", "switchboard-engine");
            final Set<String> expected = new HashSet<>(Set.of("switchboard-key-fetch", "switchboard-ticker",
                "switchboard-pulse-persister", "switchboard-metaverse-sweeper", "switchboard-console",
                "switchboard-peerjs-sockets-0", "switchboard-admin-http"));
            expected.addAll(engine);
            assertEquals(expected, names);
        }
    }
}
