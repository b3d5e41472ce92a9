package io.switchboard.edge.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ClusterPorts;
import io.switchboard.edge.testing.DebianPackage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's files in ops/: the alerting rules pass {@code promtool check rules} and their unit test
 * ({@code promtool test rules}), the Grafana dashboard is a dashboard with a query in every panel, and every metric
 * either names is one the real appliance's /metrics serves.
 */
class OpsConfigTest
{
    private static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();
    private static final Pattern METRIC = Pattern.compile("switchboard_[a-z0-9_]+");

    @TempDir
    Path dir;

    @Test
    void theRulesPassPromtoolAndTheirUnitTest() throws Exception
    {
        final Path promtool = DebianPackage.program(Path.of("/usr/bin/promtool"), "prometheus");
        run(promtool.toString(), "check", "rules", "alerts.yml");
        run(promtool.toString(), "test", "rules", "alerts-test.yml");
    }

    @Test
    void theDashboardHasAQueryInEveryPanel() throws Exception
    {
        final JsonNode dashboard = new ObjectMapper().readTree(OPS.resolve("grafana/switchboard.json").toFile());
        assertEquals("switchboard", dashboard.path("uid").asText());
        assertTrue(dashboard.path("panels").size() >= 8);
        for (final JsonNode panel : dashboard.path("panels"))
        {
            assertTrue(panel.path("targets").size() > 0 && !panel.path("targets").get(0).path("expr").asText().isEmpty(),
                panel.path("title").asText());
        }
    }

    @Test
    void everyMetricTheRulesAndTheDashboardNameIsServed() throws Exception
    {
        final Set<String> named = new TreeSet<>();
        for (final String file : new String[] {"alerts.yml", "grafana/switchboard.json"})
        {
            final Matcher matcher = METRIC.matcher(Files.readString(OPS.resolve(file)));
            while (matcher.find())
            {
                named.add(matcher.group());
            }
        }
        assertTrue(named.size() >= 15, named.toString());
        // A 1-node cluster: it serves every metric a lone box does, and the cluster's too.
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dir,
            "--cluster-members=" + ClusterPorts.members(1)))))
        {
            final String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + appliance.port("admin") + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            final Set<String> served = metrics.lines().filter(line -> !line.startsWith("#"))
                .map(line -> line.replaceAll("[{ ].*", "")).collect(Collectors.toSet());
            final Set<String> missing = new TreeSet<>(named);
            missing.removeAll(served);
            assertTrue(missing.isEmpty(), "named but not served: " + missing);
        }
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).directory(OPS.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
    }
}
