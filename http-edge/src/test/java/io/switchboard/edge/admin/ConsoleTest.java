package io.switchboard.edge.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.registry.Registry;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.Scrape;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live console on the real appliance's admin listener: the page and its files are served, the stream sends a
 * snapshot a second whose totals follow the traffic, every counter the console names is one /metrics serves, and
 * viewers past {@code --console-max-viewers} get 503, counted. (The page itself in Chromium:
 * ConsoleBrowserTest.)
 */
class ConsoleTest
{
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Appliance appliance;
    private final List<HttpURLConnection> streams = new ArrayList<>();

    @BeforeEach
    void start()
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dir, "--console-max-viewers=2")));
    }

    @AfterEach
    void stop()
    {
        streams.forEach(HttpURLConnection::disconnect);
        appliance.close();
    }

    @Test
    void thePageAndItsFilesAreServedFromTheAdminListener() throws Exception
    {
        final HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertTrue(page.headers().firstValue("content-security-policy").orElse("").contains("default-src 'self'"));
        assertTrue(page.body().contains("/console/uPlot.iife.min.js") && page.body().contains("/console/console.js"));
        for (final String file : List.of("uPlot.iife.min.js", "uPlot.min.css", "console.js", "console.css"))
        {
            final HttpResponse<String> asset = get("/console/" + file);
            assertEquals(200, asset.statusCode(), file);
            assertTrue(asset.body().length() > 500, file);
        }
        assertEquals(404, get("/console/nothing.js").statusCode());
    }

    @Test
    void theStreamSendsASnapshotASecondThatFollowsTheTraffic() throws Exception
    {
        final BufferedReader stream = open();
        final JsonNode first = next(stream);
        assertEquals("ok", first.path("status").asText());
        assertEquals(String.valueOf(appliance.port("admin")),
            first.path("listeners").path("admin").asText().replace("http:", ""));
        for (final ConsoleSeries.Line line : ConsoleSeries.RATES)
        {
            assertTrue(first.path("rates").has(line.name()), line.name());
        }
        for (final ConsoleSeries.Line line : ConsoleSeries.LEVELS)
        {
            assertTrue(first.path("levels").has(line.name()), line.name());
        }
        assertTrue(first.path("agents").size() > 5);
        final long before = first.path("rates").path("HTTP requests").asLong();
        for (int i = 0; i < 10; i++)
        {
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + appliance.port("peerjs") + "/peerjs/id")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        final JsonNode second = next(stream);
        assertTrue(second.path("timeMs").asLong() - first.path("timeMs").asLong() >= 900, "a second apart");
        assertTrue(second.path("rates").path("HTTP requests").asLong() >= before + 10, second.toString());
    }

    @Test
    void aClusterMembersSnapshotCarriesItsRoleAndSaysWhenItIsOutsideAWorkingCluster() throws Exception
    {
        final Metrics metrics = new Metrics();
        try (Console console = new Console(metrics, new Liveness(metrics), () -> true, JSON, 1))
        {
            assertTrue(!JSON.writeValueAsString(console.snapshot(1_000)).contains("\"cluster\""), "one box: no cluster");
            final Registry.Status[] status = {new Registry.Status(1, 3, "follower", 2, 4, 1_024, true, 5_000L)};
            console.cluster(() -> status[0]);
            final JsonNode working = JSON.readTree(JSON.writeValueAsString(console.snapshot(2_000)));
            assertEquals("ok", working.path("status").asText());
            assertEquals("follower", working.path("cluster").path("role").asText());
            assertEquals(2, working.path("cluster").path("leader").asInt());
            status[0] = new Registry.Status(1, 3, "candidate", null, 5, 1_024, false, 6_000L);
            final JsonNode alone = JSON.readTree(JSON.writeValueAsString(console.snapshot(3_000)));
            assertEquals("no-cluster", alone.path("status").asText());
            assertTrue(alone.path("cluster").path("leader").isNull());
        }
    }

    @Test
    void everyCounterTheConsoleNamesIsServed()
    {
        final ConsoleSeries series = new ConsoleSeries(appliance.metrics());
        final List<ConsoleSeries.Line> lines = new ArrayList<>(ConsoleSeries.RATES);
        lines.addAll(ConsoleSeries.LEVELS);
        for (final ConsoleSeries.Line line : lines)
        {
            for (final String name : line.series())
            {
                assertTrue(series.serves(name), line.name() + ": " + name + " is not a counter");
            }
        }
        assertTrue(series.drops().containsKey("switchboard_ice_dropped_total{reason=\"malformed\"}") ||
            series.drops().keySet().stream().anyMatch(name -> name.startsWith("switchboard_ice_dropped_total")));
        assertTrue(ConsoleSeries.isDrop("switchboard_peerjs_relays_total{result=\"dropped_offline\"}"));
        assertTrue(!ConsoleSeries.isDrop("switchboard_peerjs_relays_total{result=\"delivered\"}"));
    }

    @Test
    void viewersPastTheLimitGet503Counted() throws Exception
    {
        next(open());
        next(open());
        final HttpURLConnection third = connect();
        assertEquals(503, third.getResponseCode());
        third.disconnect();
        assertEquals(1, Scrape.value(appliance.port("admin"), "switchboard_console_viewers_refused_total"));
    }

    private HttpURLConnection connect() throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)URI.create(
            "http://127.0.0.1:" + appliance.port("admin") + "/console/stream").toURL().openConnection();
        connection.setReadTimeout(5_000);
        streams.add(connection);
        return connection;
    }

    private BufferedReader open() throws IOException
    {
        final HttpURLConnection connection = connect();
        assertEquals(200, connection.getResponseCode());
        assertTrue(connection.getContentType().startsWith("text/event-stream"));
        return new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
    }

    private static JsonNode next(final BufferedReader stream) throws IOException
    {
        String line;
        while ((line = stream.readLine()) != null)
        {
            if (line.startsWith("data:"))
            {
                return JSON.readTree(line.substring("data:".length()));
            }
        }
        throw new AssertionError("the stream ended");
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + appliance.port("admin") + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertNotNull(response);
        return response;
    }
}
