package io.switchboard.edge.peerjs;

import io.switchboard.edge.testing.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The capacity tool {@code peerjs-load} speaks the protocol the listener serves: both scenarios end cleanly. */
class PeerJsLoadToolTest
{
    @TempDir
    Path dataDir;

    @Test
    void relayAndIdleScenariosRunAgainstTheAppliance()
    {
        try (PeerJsAppliance appliance = PeerJsAppliance.start(dataDir))
        {
            final String target = "--target=127.0.0.1:" + appliance.port();
            final String relay = ToolRun.ok("peerjs-load", target, "--pairs=3", "--window=2", "--warmup-s=0",
                "--duration-s=1", "--id-prefix=tool-relay");
            assertTrue(relay.matches("(?s).*scenario=relay .*relays=[1-9][0-9]* .*errors=0.*"), relay);
            final String paced = ToolRun.ok("peerjs-load", target, "--pairs=3", "--window=2", "--warmup-s=1",
                "--duration-s=2", "--rate=500", "--id-prefix=tool-paced");
            final java.util.regex.Matcher rate = java.util.regex.Pattern.compile("relays_per_s=(\\d+)").matcher(paced);
            assertTrue(paced.contains(" rate=500 ") && paced.contains("errors=0") && rate.find(), paced);
            final int perSecond = Integer.parseInt(rate.group(1));
            assertTrue(perSecond >= 450 && perSecond <= 550, "the pace holds: " + paced);
            final String idle = ToolRun.ok("peerjs-load", target, "--scenario=idle", "--connections=20", "--hold-s=1",
                "--id-prefix=tool-idle");
            assertTrue(idle.contains("holding label=peerjs connected=20 closed=0"), idle);
            assertTrue(idle.contains("open_at_end=20 closed=0"), idle);
        }
    }
}
