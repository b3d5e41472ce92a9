package io.switchboard.edge.rendezvous;

import io.switchboard.edge.Appliance;
import io.switchboard.edge.Options;
import io.switchboard.edge.testing.AnyPorts;
import io.switchboard.tools.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** {@code pulse-client} of switchboard-tools against the running appliance on loopback. */
class PulseClientToolTest
{
    @TempDir
    Path dataDir;

    private Appliance appliance;
    private PrintStream stdout;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeEach
    void start()
    {
        appliance = Appliance.start(Options.parse(AnyPorts.with("--data-dir=" + dataDir, "--pulse-max-clients=1000")));
        stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop()
    {
        System.setOut(stdout);
        appliance.close();
    }

    private int run(final String action, final String... more)
    {
        final String[] args = new String[4 + more.length];
        args[0] = "pulse-client";
        args[1] = "--action=" + action;
        args[2] = "--http=127.0.0.1:" + appliance.port("rendezvous");
        args[3] = "--udp=127.0.0.1:" + appliance.port("pulse");
        System.arraycopy(more, 0, args, 4, more.length);
        return Tools.run(args);
    }

    private String output()
    {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void punchDemoTwoClientsLearnEachOthersAddressAndExchangeADatagramDirectly()
    {
        assertEquals(Tools.EXIT_OK, run("punch-demo", "--bind=127.0.0.1"), output());
        assertTrue(output().contains("bob   received: hello bob, from alice"), output());
        assertTrue(output().contains("alice received: hello alice, from bob"), output());
        assertTrue(output().contains("hole punched"), output());
    }

    @Test
    void registerThenPulseOnAnIntervalPrintsTheCodesThenPeerFindsTheAddress()
    {
        assertEquals(Tools.EXIT_OK, run("register"));
        final Matcher registered = Pattern.compile("client_id=([0-9a-f]{32}) private_id=([0-9a-f]{64})")
            .matcher(output());
        assertTrue(registered.find(), output());
        final String id = registered.group(1);
        final String key = registered.group(2);

        assertEquals(Tools.EXIT_OK, run("pulse", "--key=" + key, "--count=3", "--interval-ms=10", "--form=raw",
            "--bind=127.0.0.1"));
        assertTrue(output().contains("pulse 1 code=1020 on time"), output());
        assertTrue(output().contains("pulse 3 code=1020 on time"), output());

        assertEquals(Tools.EXIT_OK, run("peer", "--key=" + key, "--peer=" + id));
        assertTrue(output().matches("(?s).*peer " + id + " state=Online .* host=127\\.0\\.0\\.1 port=\\d+.*"),
            output());
    }

    @Test
    void pulseWithAnUnknownKeyPrints1060()
    {
        assertEquals(Tools.EXIT_OK, run("pulse", "--key=" + "0".repeat(64), "--count=1"));
        assertTrue(output().contains("pulse 1 code=1060 unknown client"), output());
    }
}
