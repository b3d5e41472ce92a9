package io.switchboard.edge;

import io.switchboard.engine.config.FlagSet;
import io.switchboard.engine.config.Flags;

/**
 * The appliance's command line: every option is {@code --kebab-case=value}; {@code --config=FILE} reads more of
 * them from a file ({@code name=value} per line, {@code #} comments), the command line winning. The options are
 * {@link OptionSpec#ALL}; the parser is the one the tools use too ({@link FlagSet}).
 */
public final class Options
{
    /** Every option the appliance takes, and how its command line reads. */
    public static final FlagSet FLAGS = new FlagSet(
        "java -jar switchboard.jar",
        "Every option may also be given in a file named by --config=FILE (name=value per line).",
        null,
        OptionSpec.ALL);

    private Options()
    {
    }

    /**
     * @throws IllegalArgumentException on an unknown option, a positional argument, a non-repeatable option given
     *                                  twice, or an unreadable config file.
     */
    public static Flags parse(final String... args)
    {
        return FLAGS.parse(args);
    }

    /** What {@code --help} prints. */
    public static String help()
    {
        return FLAGS.help();
    }
}
