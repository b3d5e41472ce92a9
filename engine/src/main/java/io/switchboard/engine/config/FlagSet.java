package io.switchboard.engine.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The flags one program declares, and the one parser of {@code --kebab-case=value} command lines for the appliance
 * and every tool: flag syntax, {@code --help} text, errors for unknown and malformed flags, and config files.
 * <p>
 * Syntax: every argument is {@code --name=value}; {@code --name} alone reads as {@code true}. {@code --help} is
 * always accepted. A program that declares {@code --config} also reads {@code --config=FILE}: {@code name=value} per
 * line ({@code --} before the name allowed), {@code #} comments and blank lines skipped. A program that names an
 * environment prefix ({@link #withEnvironment}) also reads {@code PREFIX_NAME} variables (the flag's name in upper
 * snake case: {@code --peerjs-port} is {@code SWITCHBOARD_PEERJS_PORT}; a repeatable flag's value may list several,
 * comma-separated); an unknown name under the prefix is an error. Precedence: command line, then environment, then
 * config file, then the default (a repeatable flag gathers its values from all three instead).
 * Errors are {@link IllegalArgumentException}s whose message says what was wrong, prefixed by the program's scope
 * when it has one (the tools name their subcommand).
 */
public final class FlagSet
{
    public static final String HELP = "help";
    public static final String CONFIG = "config";

    private static final String PREFIX = "--";
    private static final String SWITCH_ON = "true";
    private static final Flag HELP_FLAG = new Flag(HELP, SWITCH_ON, null, false, "Print this list and exit.");

    private final String invocation;
    private final String about;
    private final String scope;
    private final Map<String, Flag> flags = new LinkedHashMap<>();
    /** {@code SWITCHBOARD_}, or null when the program reads no environment. */
    private String environmentPrefix;

    /**
     * @param invocation how the program is started, for the usage line ({@code java -jar switchboard.jar}).
     * @param about      a paragraph printed after the usage line, or empty.
     * @param scope      prefix of error messages ({@code ice-load}), or null for none.
     * @param declared   the flags in the order {@code --help} lists them; {@code --help} is added first if absent.
     * @throws IllegalStateException when a flag is declared twice.
     */
    public FlagSet(final String invocation, final String about, final String scope, final List<Flag> declared)
    {
        this.invocation = invocation;
        this.about = about;
        this.scope = scope;
        if (declared.stream().noneMatch(flag -> HELP.equals(flag.name())))
        {
            flags.put(HELP, HELP_FLAG);
        }
        for (final Flag flag : declared)
        {
            if (null != flags.put(flag.name(), flag))
            {
                throw new IllegalStateException(invocation + " declares --" + flag.name() + " twice");
            }
        }
    }

    /**
     * The program also reads its flags from environment variables named {@code prefix} + the flag's name in upper
     * snake case ({@code prefix} ends with its separator, as {@code SWITCHBOARD_}).
     */
    public FlagSet withEnvironment(final String prefix)
    {
        environmentPrefix = prefix;
        return this;
    }

    /** The environment variable that holds {@code flag} ({@code SWITCHBOARD_PEERJS_PORT}), or null when none does. */
    public String environmentName(final Flag flag)
    {
        return environmentPrefix == null ? null :
            environmentPrefix + flag.name().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The first line of every {@code --help}: {@code usage: INVOCATION [--name=value ...]}. */
    public static String usageLine(final String invocation)
    {
        return "usage: " + invocation + " [--name=value ...]\n";
    }

    /** Every declared flag, {@code --help} first, in {@code --help} order. */
    public List<Flag> flags()
    {
        return List.copyOf(flags.values());
    }

    /**
     * @throws IllegalArgumentException naming the flag when this program does not declare it.
     */
    public Flag find(final String name)
    {
        final Flag flag = flags.get(name);
        if (flag == null)
        {
            throw error("unknown flag --" + name + " (see --help)");
        }
        return flag;
    }

    /**
     * Parses a command line, and the config file it names; values from the command line win over the file's
     * (a repeatable flag keeps the file's values and adds the command line's). No environment is read.
     */
    public Flags parse(final String... args)
    {
        return parse(Map.of(), args);
    }

    /**
     * Parses a command line, the variables of {@code environment} under this program's prefix, and the config file
     * either names: command line over environment over file (a repeatable flag gathers all their values).
     */
    public Flags parse(final Map<String, String> environment, final String... args)
    {
        final Map<String, List<String>> fromArgs = new LinkedHashMap<>();
        String configFile = null;
        for (final String arg : args)
        {
            if (!arg.startsWith(PREFIX) || arg.length() == PREFIX.length())
            {
                throw error("expected --name=value, got '" + arg + "'");
            }
            final int equals = arg.indexOf('=');
            final String name = equals < 0 ? arg.substring(PREFIX.length()) : arg.substring(PREFIX.length(), equals);
            final String value = equals < 0 ? SWITCH_ON : arg.substring(equals + 1);
            if (CONFIG.equals(name) && flags.containsKey(CONFIG))
            {
                configFile = value;
                continue;
            }
            add(fromArgs, name, value);
        }
        final Map<String, List<String>> fromEnvironment = readEnvironment(environment);
        final List<String> environmentConfig = fromEnvironment.remove(CONFIG);
        if (configFile == null && environmentConfig != null)
        {
            configFile = environmentConfig.get(0);
        }
        final Map<String, List<String>> merged =
            configFile == null ? new LinkedHashMap<>() : readConfig(Path.of(configFile));
        over(merged, fromEnvironment);
        over(merged, fromArgs);
        return new Flags(this, merged);
    }

    /** {@code higher}'s values replace {@code merged}'s (a repeatable flag's are added to them). */
    private void over(final Map<String, List<String>> merged, final Map<String, List<String>> higher)
    {
        for (final Map.Entry<String, List<String>> entry : higher.entrySet())
        {
            if (!find(entry.getKey()).repeatable())
            {
                merged.remove(entry.getKey());
            }
            for (final String value : entry.getValue())
            {
                add(merged, entry.getKey(), value);
            }
        }
    }

    private Map<String, List<String>> readEnvironment(final Map<String, String> environment)
    {
        final Map<String, List<String>> values = new LinkedHashMap<>();
        if (environmentPrefix == null)
        {
            return values;
        }
        final Map<String, Flag> byVariable = new LinkedHashMap<>();
        for (final Flag flag : flags.values())
        {
            if (!HELP.equals(flag.name()))
            {
                byVariable.put(environmentName(flag), flag);
            }
        }
        for (final Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet())
        {
            if (!variable.getKey().startsWith(environmentPrefix))
            {
                continue;
            }
            final Flag flag = byVariable.get(variable.getKey());
            if (flag == null)
            {
                throw error("unknown environment variable " + variable.getKey() + " (see --help)");
            }
            if (flag.repeatable())
            {
                for (final String value : variable.getValue().split(","))
                {
                    add(values, flag.name(), value.trim());
                }
            }
            else
            {
                add(values, flag.name(), variable.getValue());
            }
        }
        return values;
    }

    private Map<String, List<String>> readConfig(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file);
        }
        catch (final IOException ex)
        {
            throw error("cannot read config file " + file + ": " + ex.getMessage());
        }
        final Map<String, List<String>> values = new LinkedHashMap<>();
        for (final String raw : lines)
        {
            final String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int equals = line.indexOf('=');
            if (equals < 0)
            {
                throw error("config line is not name=value: " + line);
            }
            final String name = line.substring(0, equals).trim();
            add(values, name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name,
                line.substring(equals + 1).trim());
        }
        return values;
    }

    private void add(final Map<String, List<String>> values, final String name, final String value)
    {
        final Flag flag = find(name);
        final List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>());
        if (!flag.repeatable() && !list.isEmpty())
        {
            throw error("--" + name + " given twice");
        }
        list.add(value);
    }

    /**
     * The text {@code --help} prints: the usage line, the program's paragraph, then one line per flag: the flag with
     * its value hint (or its default when it has no hint), its help, and its default after a hint.
     */
    public String help()
    {
        final StringBuilder out = new StringBuilder(usageLine(invocation));
        if (!about.isEmpty())
        {
            out.append('\n').append(about).append("\n\n");
        }
        for (final Flag flag : flags.values())
        {
            final String value = flag.valueHint() != null ? flag.valueHint() : flag.defaultValue();
            final boolean showDefault = flag.valueHint() != null &&
                flag.defaultValue() != null && !flag.defaultValue().isEmpty();
            out.append(String.format("  %-32s %s%s%n",
                PREFIX + flag.name() + (value == null ? "" : "=" + value),
                flag.help(),
                showDefault ? " (default " + flag.defaultValue() + ")" : ""));
        }
        return out.toString();
    }

    IllegalArgumentException error(final String message)
    {
        return new IllegalArgumentException(scope == null ? message : scope + ": " + message);
    }

    String scope()
    {
        return scope == null ? invocation : scope;
    }
}
