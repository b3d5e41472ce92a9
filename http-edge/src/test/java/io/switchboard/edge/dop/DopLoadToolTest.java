package io.switchboard.edge.dop;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.peerjs.PeerJsServer;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.edge.testing.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark tool {@code dop-load} speaks the protocol the listener serves: every scenario ends cleanly. */
class DopLoadToolTest
{
    @TempDir
    Path dataDir;

    @Test
    void resumeAndRelayScenariosRunAgainstTheAppliance()
    {
        try (Appliance appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir))))
        {
            final String target = "--target=127.0.0.1:" + appliance.port(PeerJsServer.LISTENER);
            final String resume = ToolRun.ok("dop-load", target, "--sessions=3", "--warmup-s=0", "--duration-s=1",
                "--id-prefix=tool-resume");
            assertTrue(resume.matches("(?s).*scenario=resume .*resumes=[1-9][0-9]* .*errors=0.*"), resume);
            final String nio = ToolRun.ok("dop-load", target, "--client=nio", "--sessions=3", "--warmup-s=0",
                "--duration-s=1", "--id-prefix=tool-nio");
            assertTrue(nio.matches("(?s).*scenario=resume client=nio .*resumes=[1-9][0-9]* .*errors=0.*"), nio);
            final String relay = ToolRun.ok("dop-load", target, "--scenario=relay", "--pairs=3", "--window=2",
                "--warmup-s=0", "--duration-s=1", "--id-prefix=tool-relay");
            assertTrue(relay.matches("(?s).*scenario=relay .*relays=[1-9][0-9]* .*errors=0.*"), relay);
            final String overNio = ToolRun.ok("peerjs-load", target, "--dop-path=/dop", "--pairs=3", "--window=2",
                "--warmup-s=0", "--duration-s=1", "--id-prefix=tool-nio-relay");
            assertTrue(overNio.matches("(?s).*scenario=relay .*relays=[1-9][0-9]* .*errors=0.*"), overNio);
        }
    }
}
