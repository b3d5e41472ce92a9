package io.switchboard.edge.chaos;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's own load tools speak what the appliance serves: {@code metaverse-load} and {@code junk-load}. */
class SoakToolsTest
{
    @TempDir
    Path dataDir;

    @Test
    void metaverseLoadCreatesDomainsUploadsKeysAndEveryHeartbeatIsAcknowledged()
    {
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir,
            "--temp-domain-rate=1000", "--temp-domain-burst=1000"))))
        {
            final String result = ToolRun.ok("metaverse-load", "--target=127.0.0.1:" + appliance.port("metaverse"),
                "--domains=5", "--connections=2", "--warmup-s=0", "--duration-s=1");
            assertTrue(result.matches("(?s)metaverse-load label=metaverse .* replies=[1-9][0-9]* lost=0 " +
                "bad_replies=0 .*"), result);
        }
    }

    @Test
    void junkLoadReachesEveryKindOfListenerAndTheWebSocketHandshakesSucceed()
    {
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir))))
        {
            final String peerjs = "127.0.0.1:" + appliance.port("peerjs");
            final String result = ToolRun.ok("junk-load", "--udp=127.0.0.1:" + appliance.port("ice"),
                "--http=127.0.0.1:" + appliance.port("metaverse"), "--ws=" + peerjs + "/peerjs?key=peerjs&token=t",
                "--ws=" + peerjs + "/dop?key=peerjs", "--rate=100", "--duration-s=0.5", "--seed=13");
            assertTrue(result.matches("(?s)junk-load label=junk seed=13 operations=[1-9][0-9]* .*udp_short=.*"),
                result);
            assertTrue(result.contains(" http_"), result);
            assertTrue(result.matches("(?s).* ws_[a-z_]+_100[279]=.*"), result);
            assertFalse(result.matches("(?s).* ws_[a-z_]+_upgrade_.*"), result);
        }
    }
}
