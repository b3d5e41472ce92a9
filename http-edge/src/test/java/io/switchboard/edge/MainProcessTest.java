package io.switchboard.edge;

import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ApplianceProcess;
import io.switchboard.edge.testing.UdpPeer;
import io.switchboard.engine.config.Flag;
import io.switchboard.engine.ice.IcePacketType;
import io.switchboard.engine.ice.IceWireVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The appliance as an operator runs it: a process with flags, a ready line, SIGTERM. */
class MainProcessTest
{
    @TempDir
    Path dataDir;

    @Test
    void readyLineNamesEveryListenerWithItsBoundPortAndSigtermStopsCleanly() throws Exception
    {
        final ApplianceProcess appliance = ApplianceProcess.start(AnyPorts.with(
            "--data-dir=" + dataDir,
            "--domain-key=" + IceWireVectors.DOMAIN_ID + ":" + IceWireVectors.PUBLIC_KEY_SPKI_BASE64));
        try (appliance)
        {
            assertTrue(appliance.readyLine().matches("switchboard ready( \\w+=(udp|http):\\d+)+"),
                appliance.readyLine());
            assertTrue(appliance.port("ice") > 0);
            try (UdpPeer domain = new UdpPeer(appliance.port("ice")))
            {
                assertEquals(IcePacketType.SERVER_HEARTBEAT_ACK, domain.exchange(IceWireVectors.HEARTBEAT)[4]);
            }
            final HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.port("admin") + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals(143, appliance.terminate(), "SIGTERM ends the JVM through its shutdown hook");
        }
        // The data dir lock went with the process, so a new appliance may use the directory at once.
        try (ApplianceProcess again = ApplianceProcess.start(AnyPorts.with("--data-dir=" + dataDir)))
        {
            assertTrue(again.port("ice") > 0);
        }
    }

    @Test
    void secondApplianceOnTheSameDataDirIsRefused() throws Exception
    {
        try (ApplianceProcess first = ApplianceProcess.start(AnyPorts.with("--data-dir=" + dataDir)))
        {
            final Process second = ApplianceProcess.launch(AnyPorts.with("--data-dir=" + dataDir));
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, second.exitValue());
        }
    }

    @Test
    void helpListsEveryOption() throws Exception
    {
        final Process process = ApplianceProcess.launch("--help");
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        for (final Flag spec : Options.FLAGS.flags())
        {
            assertTrue(out.contains("--" + spec.name() + "="), "--help lists --" + spec.name());
        }
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception
    {
        final Process process = ApplianceProcess.launch("--no-such-option=1");
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
    }
}
