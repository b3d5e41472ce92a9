package io.switchboard.edge.admin;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.OptionSpec;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code --admin-bind-address}: loopback by default, and the admin listener is where it says, not elsewhere. */
class AdminBindAddressTest
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private static int healthz(final String host, final int port) throws Exception
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/healthz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theAdminListenerIsLoopbackOnlyByDefault()
    {
        assertEquals("127.0.0.1", Options.parse().value("admin-bind-address"));
        assertEquals("127.0.0.1", OptionSpec.DEFAULT_ADMIN_BIND_ADDRESS);
    }

    @Test
    void theAdminListenerBindsWhereItIsTold() throws Exception
    {
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with(
            "--data-dir=" + dataDir, "--admin-bind-address=127.0.0.2"))))
        {
            final int port = appliance.port("admin");
            assertEquals(200, healthz("127.0.0.2", port));
            assertThrows(ConnectException.class, () -> healthz("127.0.0.1", port), "not on the other listeners' address");
        }
    }
}
