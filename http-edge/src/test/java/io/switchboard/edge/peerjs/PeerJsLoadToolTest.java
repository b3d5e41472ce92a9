package io.switchboard.edge.peerjs;

import io.switchboard.tools.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            final String relay = run("peerjs-load", target, "--pairs=3", "--window=2", "--warmup-s=0", "--duration-s=1",
                "--id-prefix=tool-relay");
            assertTrue(relay.matches("(?s).*scenario=relay .*relays=[1-9][0-9]* .*errors=0.*"), relay);
            final String idle = run("peerjs-load", target, "--scenario=idle", "--connections=20", "--hold-s=1",
                "--id-prefix=tool-idle");
            assertTrue(idle.contains("holding label=peerjs connected=20 closed=0"), idle);
            assertTrue(idle.contains("open_at_end=20 closed=0"), idle);
        }
    }

    private static String run(final String... args)
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(Tools.EXIT_OK, Tools.run(args), () -> out.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
