package io.switchboard.edge;

import io.switchboard.engine.config.FlagSet;
import io.switchboard.engine.config.Flags;

/**
 * The appliance's command line: every option is {@code --kebab-case=value}, or a {@code SWITCHBOARD_NAME}
 * environment variable, or a line of the file {@code --config=FILE} names ({@code name=value} per line, {@code #}
 * comments); the command line wins over the environment, which wins over the file. The options are
 * {@link OptionSpec#ALL}; the parser is the one the tools use too ({@link FlagSet}).
 */
public final class Options
{
    /** Every option the appliance takes, and how its command line reads. */
    public static final FlagSet FLAGS = new FlagSet(
        "java -jar switchboard.jar",
        "Every option may also be given as an environment variable SWITCHBOARD_NAME (--peerjs-port is\n" +
            "SWITCHBOARD_PEERJS_PORT; a repeatable option's may list values, comma-separated) or in a file named by\n" +
            "--config=FILE (name=value per line). Precedence: command line, environment, file, default.",
        null,
        OptionSpec.ALL).withEnvironment("SWITCHBOARD_");

    private Options()
    {
    }

    /**
     * @throws IllegalArgumentException on an unknown option, a positional argument, a non-repeatable option given
     *                                  twice, an unreadable config file, or an unknown SWITCHBOARD_ variable.
     */
    public static Flags parse(final String... args)
    {
        return FLAGS.parse(System.getenv(), args);
    }

    /** What {@code --help} prints. */
    public static String help()
    {
        return FLAGS.help();
    }
}
