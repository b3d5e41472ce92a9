package io.switchboard.edge;

import io.switchboard.engine.config.Flags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class OptionsTest
{
    @TempDir
    Path dir;

    @Test
    void defaultsComeFromTheDeclaredSpec()
    {
        final Flags options = Options.parse();
        assertEquals("7337", options.value("ice-port"));
        assertEquals("9090", options.value("admin-port"));
        assertEquals("./data", options.value("data-dir"));
        assertNull(options.optional("metaverse-url"));
    }

    @Test
    void repeatableOptionsAccumulateAndOthersMayNotRepeat()
    {
        final Flags options = Options.parse("--domain-key=a:b", "--domain-key=c:d");
        assertEquals(List.of("a:b", "c:d"), options.values("domain-key"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--ice-port=1", "--ice-port=2"));
    }

    @Test
    void unknownOptionsAndPositionalArgumentsAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--nope=1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("ice-port=1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--ice-port=x").intValue("ice-port"));
    }

    @Test
    void configFileHoldsOptionsAndTheCommandLineWins() throws Exception
    {
        final Path config = dir.resolve("switchboard.conf");
        Files.write(config, List.of("# comment", "ice-port=1234", "--admin-port=4321", "domain-key=a:b"));
        final Flags options = Options.parse("--config=" + config, "--ice-port=999", "--domain-key=c:d");
        assertEquals(999, options.intValue("ice-port"));
        assertEquals(4321, options.intValue("admin-port"));
        assertEquals(List.of("a:b", "c:d"), options.values("domain-key"));
    }
}
