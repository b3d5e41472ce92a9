package io.switchboard.engine.config;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlagSetTest
{
    private enum Colour
    {
        RED,
        DEEP_BLUE
    }

    private static final List<Flag> APPLIANCE = List.of(
        new Flag(FlagSet.CONFIG, "FILE", null, false, "Read flags from FILE."),
        new Flag("port", "PORT", "7337", false, "A port."),
        new Flag("key", "KEY", null, true, "A key; repeatable."),
        new Flag("url", "URL", null, false, "A URL."),
        new Flag("colour", Choices.hint(Colour.class), Choices.flagValue(Colour.RED), false, "A colour."),
        new Flag("on", "BOOL", "false", false, "A switch."));

    private static final FlagSet APP = new FlagSet("java -jar app.jar", "About the app.", null, APPLIANCE);
    private static final FlagSet TOOL = new FlagSet("java -jar tools.jar load", "", "load", List.of(
        new Flag("target", null, "the target"),
        new Flag("sockets", "64", "sockets to open"),
        new Flag("rate", "1.5", "per second")));

    @TempDir
    Path dir;

    @Nested
    class Syntax
    {
        @Test
        void absentFlagsReadTheirDefaultsAndUnsetOnesReadNull()
        {
            final Flags flags = APP.parse();
            assertEquals(7337, flags.intValue("port"));
            assertNull(flags.value("url"));
            assertNull(flags.optional("url"));
            assertFalse(flags.isSet("url"));
            assertEquals(List.of(), flags.values("key"));
        }

        @Test
        void aFlagWithoutValueReadsTrue()
        {
            assertTrue(APP.parse("--on").booleanValue("on"));
            assertTrue(APP.parse("--on=TRUE").booleanValue("on"));
        }

        @Test
        void anEmptyValueIsGivenButOptionalReadsItAsUnset()
        {
            final Flags flags = APP.parse("--url=");
            assertEquals("", flags.value("url"));
            assertNull(flags.optional("url"));
        }

        @Test
        void helpIsAlwaysAccepted()
        {
            assertTrue(APP.parse("--help").helpRequested());
            assertTrue(TOOL.parse("--help").helpRequested());
            assertFalse(TOOL.parse().helpRequested());
        }

        @Test
        void repeatableFlagsKeepEveryValueAndReadTheLast()
        {
            final Flags flags = APP.parse("--key=a", "--key=b");
            assertEquals(List.of("a", "b"), flags.values("key"));
            assertEquals("b", flags.value("key"));
            assertEquals(128, TOOL.parse("--sockets=1", "--sockets=128").intValue("sockets"));
        }

        @Test
        void choicesReadAsTheirEnum()
        {
            assertEquals(Colour.RED, APP.parse().choice("colour", Colour.class));
            assertEquals(Colour.DEEP_BLUE, APP.parse("--colour=deep-blue").choice("colour", Colour.class));
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> APP.parse("--colour=DEEP_BLUE").choice("colour", Colour.class));
            assertEquals("--colour must be one of [red, deep-blue]: DEEP_BLUE", ex.getMessage());
        }
    }

    @Nested
    class Errors
    {
        @Test
        void anUnknownFlagIsNamed()
        {
            assertEquals("unknown flag --nope (see --help)", message(() -> APP.parse("--nope=1")));
            assertEquals("load: unknown flag --socket (see --help)", message(() -> TOOL.parse("--socket=4")));
        }

        @Test
        void aPositionalArgumentIsRefused()
        {
            assertEquals("expected --name=value, got 'port=1'", message(() -> APP.parse("port=1")));
            assertEquals("load: expected --name=value, got '--'", message(() -> TOOL.parse("--")));
        }

        @Test
        void aFlagThatIsNotRepeatableMayNotRepeat()
        {
            assertEquals("--port given twice", message(() -> APP.parse("--port=1", "--port=2")));
        }

        @Test
        void aValueOfTheWrongTypeIsNamedWithTheFlag()
        {
            assertEquals("--port must be an integer: x", message(() -> APP.parse("--port=x").intValue("port")));
            assertEquals("--port must be an integer: x", message(() -> APP.parse("--port=x").longValue("port")));
            assertEquals("--on must be true or false: yes", message(() -> APP.parse("--on=yes").booleanValue("on")));
            assertEquals("load: --rate must be a number: fast",
                message(() -> TOOL.parse("--rate=fast").doubleValue("rate")));
        }

        @Test
        void aRequiredFlagWithoutValueIsNamed()
        {
            assertEquals("load: --target is required", message(() -> TOOL.parse().string("target")));
        }

        @Test
        void readingAnUndeclaredFlagIsTheProgramsBug()
        {
            assertThrows(IllegalStateException.class, () -> TOOL.parse().value("nope"));
        }

        @Test
        void declaringAFlagTwiceIsTheProgramsBug()
        {
            assertThrows(IllegalStateException.class, () -> new FlagSet("x", "", null, List.of(
                new Flag("a", "1", "a"), new Flag("a", "2", "a again"))));
        }

        @Test
        void onlyAProgramThatDeclaresConfigReadsAFile()
        {
            assertEquals("load: unknown flag --config (see --help)", message(() -> TOOL.parse("--config=x")));
        }
    }

    @Nested
    class ConfigFile
    {
        @Test
        void theFileHoldsFlagsAndTheCommandLineWins() throws Exception
        {
            final Path file = dir.resolve("app.conf");
            Files.write(file, List.of("# comment", "", "port=1234", "--url = http://x", "key=a", "  on=true  "));
            final Flags flags = APP.parse("--config=" + file, "--port=999", "--key=b");
            assertEquals(999, flags.intValue("port"));
            assertEquals("http://x", flags.value("url"));
            assertEquals(List.of("a", "b"), flags.values("key"));
            assertTrue(flags.booleanValue("on"));
        }

        @Test
        void aLineThatIsNotNameValueIsRefused() throws Exception
        {
            final Path file = dir.resolve("bad.conf");
            Files.write(file, List.of("port 1234"));
            assertEquals("config line is not name=value: port 1234", message(() -> APP.parse("--config=" + file)));
        }

        @Test
        void anUnknownFlagInTheFileIsRefused() throws Exception
        {
            final Path file = dir.resolve("unknown.conf");
            Files.write(file, List.of("nope=1"));
            assertEquals("unknown flag --nope (see --help)", message(() -> APP.parse("--config=" + file)));
        }

        @Test
        void aMissingFileIsRefused()
        {
            assertTrue(message(() -> APP.parse("--config=" + dir.resolve("absent.conf")))
                .startsWith("cannot read config file "));
        }
    }

    @Nested
    class Environment
    {
        private final FlagSet app = new FlagSet("java -jar app.jar", "", null, APPLIANCE).withEnvironment("APP_");

        @Test
        void aVariableIsTheFlagsNameInUpperSnakeCase()
        {
            assertEquals("APP_PORT", app.environmentName(app.find("port")));
            assertEquals(8000, app.parse(Map.of("APP_PORT", "8000", "PATH", "/bin")).intValue("port"));
            assertEquals(Colour.DEEP_BLUE, app.parse(Map.of("APP_COLOUR", "deep-blue")).choice("colour", Colour.class));
        }

        @Test
        void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile() throws Exception
        {
            final Path file = dir.resolve("app.conf");
            Files.writeString(file, "port=1\nurl=from-file\non=true\n");
            final Flags flags = app.parse(Map.of("APP_PORT", "2", "APP_URL", "from-env", "APP_CONFIG", file.toString()),
                "--port=3");
            assertEquals(3, flags.intValue("port"));
            assertEquals("from-env", flags.value("url"));
            assertTrue(flags.booleanValue("on"), "the file named by APP_CONFIG is read");
        }

        @Test
        void aRepeatableFlagGathersCommaSeparatedValuesWithTheOthers()
        {
            assertEquals(List.of("a", "b", "c"), app.parse(Map.of("APP_KEY", "a, b"), "--key=c").values("key"));
        }

        @Test
        void anUnknownVariableUnderThePrefixIsRefusedAndOthersAreIgnored()
        {
            assertEquals("unknown environment variable APP_PROT (see --help)",
                message(() -> app.parse(Map.of("APP_PROT", "1"))));
            assertEquals(7337, app.parse(Map.of("HOME", "/root")).intValue("port"));
        }

        @Test
        void aProgramWithoutAPrefixReadsNoEnvironment()
        {
            assertEquals(7337, APP.parse(Map.of("APP_PORT", "1")).intValue("port"));
            assertNull(APP.environmentName(APP.find("port")));
        }
    }

    @Nested
    class Help
    {
        @Test
        void listsUsageAboutAndEveryFlagWithItsHintAndDefault()
        {
            final String help = APP.help();
            assertTrue(help.startsWith("usage: java -jar app.jar [--name=value ...]\n\nAbout the app.\n\n"), help);
            assertTrue(help.contains("  --help=true"), help);
            assertTrue(help.contains("  --port=PORT "), help);
            assertTrue(help.contains("A port. (default 7337)\n"), help);
            assertTrue(help.contains("  --colour=red|deep-blue "), help);
            assertTrue(help.contains("A URL.\n"), help);
        }

        @Test
        void aFlagWithoutHintShowsItsDefaultAsTheValue()
        {
            final String help = TOOL.help();
            assertTrue(help.startsWith("usage: java -jar tools.jar load [--name=value ...]\n  --help=true"), help);
            assertTrue(help.contains("  --sockets=64 "), help);
            assertTrue(help.contains("  --target "), help);
            assertFalse(help.contains("(default"), help);
        }
    }

    private static String message(final org.junit.jupiter.api.function.Executable executable)
    {
        return assertThrows(IllegalArgumentException.class, executable).getMessage();
    }
}
