package io.switchboard.tools.load;

import io.switchboard.engine.config.Flags;
import io.switchboard.tools.Tools;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpLoadFlagsTest
{
    @Test
    void unknownFlagIsRejectedByName()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> UdpLoadGenerator.command(new String[]{ "--target=127.0.0.1:9", "--socket=4" }));

        assertTrue(ex.getMessage().contains("unknown flag --socket"), ex.getMessage());
    }

    @Test
    void unknownFlagExitsWithUsageCode()
    {
        assertEquals(Tools.EXIT_USAGE, Tools.run(new String[]{ UdpLoadGenerator.COMMAND, "--bogus=1" }));
    }

    @Test
    void positionalArgumentIsRejected()
    {
        assertThrows(IllegalArgumentException.class,
            () -> Tools.flags("t", UdpLoadGenerator.Config.FLAGS, new String[]{ "127.0.0.1:9" }));
    }

    @Test
    void repeatedFlagKeepsEveryValueAndReadsTheLast()
    {
        final Flags flags = Tools.flags(
            "t", UdpLoadGenerator.Config.FLAGS, new String[]{ "--target=127.0.0.1:9", "--sockets=2", "--sockets=8" });

        assertEquals(List.of("2", "8"), flags.values("sockets"));
        assertEquals(8, flags.intValue("sockets"));
    }

    @Test
    void absentFlagsTakeTheirDefaults()
    {
        final UdpLoadGenerator.Config config = UdpLoadGenerator.Config.from(
            Tools.flags("t", UdpLoadGenerator.Config.FLAGS, new String[]{ "--target=127.0.0.1:9" }));

        assertEquals(UdpLoadGenerator.Config.defaults(new InetSocketAddress("127.0.0.1", 9)), config);
        assertFalse(config.measuresServerCpu());
    }

    @Test
    void flagsBecomeTheConfig()
    {
        final UdpLoadGenerator.Config config = UdpLoadGenerator.Config.from(Tools.flags(
            "t",
            UdpLoadGenerator.Config.FLAGS,
            new String[]{ "--target=127.0.0.1:4000", "--sockets=16", "--window=4", "--duration-s=1.5", "--warmup-s=0",
                "--timeout-ms=50", "--threads=2", "--server-pid=1234" }));

        assertEquals(new UdpLoadGenerator.Config(
            new InetSocketAddress("127.0.0.1", 4000), 16, 4, 0, TimeUnit.MILLISECONDS.toNanos(1500),
            TimeUnit.MILLISECONDS.toNanos(50), 2, 1234), config);
    }

    @Test
    void missingTargetIsRejected()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> UdpLoadGenerator.Config.from(Tools.flags("t", UdpLoadGenerator.Config.FLAGS, new String[0])));

        assertTrue(ex.getMessage().contains("--target is required"), ex.getMessage());
    }

    @Test
    void moreThreadsThanSocketsIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> UdpLoadGenerator.Config.from(Tools.flags(
            "t", UdpLoadGenerator.Config.FLAGS, new String[]{ "--target=127.0.0.1:9", "--sockets=2", "--threads=3" })));
    }

    @Test
    void targetTakesHostPortAndBracketedIpv6()
    {
        assertEquals(new InetSocketAddress("127.0.0.1", 3478), UdpLoadGenerator.parseTarget("127.0.0.1:3478"));
        assertEquals(new InetSocketAddress("::1", 3478), UdpLoadGenerator.parseTarget("[::1]:3478"));
        assertThrows(IllegalArgumentException.class, () -> UdpLoadGenerator.parseTarget("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> UdpLoadGenerator.parseTarget("127.0.0.1:port"));
    }

    @Test
    void helpListsEveryFlagWithItsDefault()
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(Tools.EXIT_OK, Tools.run(new String[]{ UdpLoadGenerator.COMMAND, "--help" }));
        }
        finally
        {
            System.setOut(stdout);
        }

        final String help = captured.toString(StandardCharsets.UTF_8);
        for (final String flag : List.of("--target", "--sockets=64", "--window=1", "--duration-s=10", "--warmup-s=2",
            "--timeout-ms=200", "--threads=1", "--payload-hex=", "--server-pid", "--label", "--json=false"))
        {
            assertTrue(help.contains(flag), () -> flag + " missing from:\n" + help);
        }
    }
}
