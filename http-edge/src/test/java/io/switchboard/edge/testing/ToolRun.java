package io.switchboard.edge.testing;

import io.switchboard.tools.Tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs a {@code switchboard-tools} subcommand in this JVM, as {@code java -jar switchboard-tools.jar} would. */
public final class ToolRun
{
    private ToolRun()
    {
    }

    /** Runs it, asserts exit code 0 and returns what it printed on stdout. */
    public static String ok(final String... args)
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
