package io.switchboard.edge;

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
        final Options options = Options.parse();
        assertEquals("7337", options.get("ice-port"));
        assertEquals("9090", options.get("admin-port"));
        assertEquals("./data", options.get("data-dir"));
        assertNull(options.getOptional("metaverse-url"));
    }

    @Test
    void repeatableOptionsAccumulateAndOthersMayNotRepeat()
    {
        final Options options = Options.parse("--domain-key=a:b", "--domain-key=c:d");
        assertEquals(List.of("a:b", "c:d"), options.getAll("domain-key"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--ice-port=1", "--ice-port=2"));
    }

    @Test
    void unknownOptionsAndPositionalArgumentsAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--nope=1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("ice-port=1"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--ice-port=x").getInt("ice-port"));
    }

    @Test
    void configFileHoldsOptionsAndTheCommandLineWins() throws Exception
    {
        final Path config = dir.resolve("switchboard.conf");
        Files.write(config, List.of("# comment", "ice-port=1234", "--admin-port=4321", "domain-key=a:b"));
        final Options options = Options.parse("--config=" + config, "--ice-port=999", "--domain-key=c:d");
        assertEquals(999, options.getInt("ice-port"));
        assertEquals(4321, options.getInt("admin-port"));
        assertEquals(List.of("a:b", "c:d"), options.getAll("domain-key"));
    }
}
