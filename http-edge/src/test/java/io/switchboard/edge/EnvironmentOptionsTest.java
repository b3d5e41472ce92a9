package io.switchboard.edge;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Options from the environment, on the real appliance process: {@code SWITCHBOARD_<NAME>} sets an option, the command
 * line wins over it, and an unknown {@code SWITCHBOARD_} variable stops the start with a line saying which.
 */
class EnvironmentOptionsTest
{
    @TempDir
    Path dir;

    @Test
    void aSwitchboardVariableSetsItsOptionAndTheCommandLineWins() throws Exception
    {
        try (ApplianceProcess appliance = ApplianceProcess.startUnder(
            List.of("env", "SWITCHBOARD_PEERJS_ALLOW_DISCOVERY=true", "SWITCHBOARD_PEERJS_KEY=from-env"),
            AnyPorts.with("--data-dir=" + dir.resolve("data"), "--peerjs-key=from-flag")))
        {
            final int port = appliance.port("peerjs");
            assertEquals(200, get(port, "/from-flag/peers").statusCode(), "discovery on, from the environment");
            assertEquals("[]", get(port, "/from-flag/peers").body());
        }
    }

    @Test
    void anUnknownSwitchboardVariableStopsTheStartNamingIt() throws Exception
    {
        final Path stderr = dir.resolve("stderr");
        final List<String> wrapper = List.of("sh", "-c",
            "exec env SWITCHBOARD_PEERJS_PROT=1 \"$@\" 2>'" + stderr + "'", "sh");
        final Process refused = ApplianceProcess.launchUnder(wrapper, AnyPorts.with("--data-dir=" + dir.resolve("data")));
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, refused.exitValue());
        assertEquals(List.of("switchboard: unknown environment variable SWITCHBOARD_PEERJS_PROT (see --help)"),
            Files.readAllLines(stderr));
    }

    private static HttpResponse<String> get(final int port, final String path) throws Exception
    {
        return HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }
}
