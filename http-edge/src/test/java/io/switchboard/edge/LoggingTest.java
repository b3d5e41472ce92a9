package io.switchboard.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The appliance's logs on a real process: JSON lines with level and message in --log-file, one INFO line at start
 * (version, every listener, data dir) and one at stop, an audit line for each use of the admin token, and one
 * Common Log Format line per HTTP request in --access-log.
 */
class LoggingTest
{
    private static final String TOKEN = "operator-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void jsonLinesStartAndStopAuditAndAccessLog() throws Exception
    {
        final Path log = dir.resolve("switchboard.log");
        final Path access = dir.resolve("access.log");
        final int metaverse;
        try (ApplianceProcess appliance = ApplianceProcess.start(AnyPorts.with("--data-dir=" + dir.resolve("data"),
            "--log-format=json", "--log-file=" + log, "--access-log=" + access, "--admin-token=" + TOKEN)))
        {
            metaverse = appliance.port("metaverse");
            final HttpResponse<String> listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metaverse + "/api/v1/domains?per_page=5"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, listed.statusCode());
            assertEquals(143, appliance.terminate(), "SIGTERM stops it");
        }
        final List<JsonNode> lines = new ArrayList<>();
        for (final String line : Files.readAllLines(log))
        {
            final JsonNode node = JSON.readTree(line);
            assertTrue(node.has("level") && node.has("message"), line);
            lines.add(node);
        }
        assertTrue(lines.stream().anyMatch(line -> line.path("level").asText().equals("INFO") &&
            line.path("message").asText().startsWith("started version=") &&
            line.path("message").asText().contains("metaverse=http:" + metaverse) &&
            line.path("message").asText().contains("data-dir=")), lines.toString());
        assertTrue(lines.stream().anyMatch(line -> line.path("message").asText().startsWith("stopped after ")),
            lines.toString());
        assertTrue(lines.stream().anyMatch(line ->
            line.path("message").asText().equals("admin token used: GET /api/v1/domains from 127.0.0.1")),
            lines.toString());
        final List<String> requests = Files.readAllLines(access);
        assertTrue(requests.stream().anyMatch(line -> line.matches(
            "127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}] " +
                "\"GET /api/v1/domains\\?per_page=5 HTTP/1\\.1\" 200 \\d+")), requests.toString());
    }
}
