package io.switchboard.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --kebab-case=value} flags of one subcommand, parsed against the flags it declares.
 * <p>
 * A flag may repeat: {@link #values(String)} returns every value, the single-value reads take the last one.
 * A flag given without {@code =value} reads as {@code true}. {@code --help} is always accepted.
 */
public final class ToolFlags
{
    public static final String HELP = "help";

    private static final String PREFIX = "--";
    private static final String SWITCH_ON = "true";

    /**
     * One flag a subcommand accepts.
     *
     * @param name         kebab-case name without the leading dashes.
     * @param defaultValue value when the flag is absent, or null when absence means "not set".
     * @param description  one line for {@code --help}.
     */
    public record Flag(String name, String defaultValue, String description)
    {
    }

    private final String command;
    private final Map<String, Flag> declared;
    private final Map<String, List<String>> given;

    private ToolFlags(final String command, final Map<String, Flag> declared, final Map<String, List<String>> given)
    {
        this.command = command;
        this.declared = declared;
        this.given = given;
    }

    /**
     * Parse the arguments of a subcommand.
     *
     * @param command name of the subcommand, used in messages and usage.
     * @param flags   the flags it accepts, in the order {@code --help} lists them.
     * @param args    the arguments after the subcommand name.
     * @return the parsed flags.
     * @throws IllegalArgumentException on a positional argument or an undeclared flag.
     */
    public static ToolFlags parse(final String command, final List<Flag> flags, final String[] args)
    {
        final Map<String, Flag> declared = new LinkedHashMap<>();
        for (final Flag flag : flags)
        {
            if (HELP.equals(flag.name()) || null != declared.put(flag.name(), flag))
            {
                throw new IllegalStateException(command + " declares --" + flag.name() + " twice or declares --help");
            }
        }

        final Map<String, List<String>> given = new HashMap<>();
        for (final String arg : args)
        {
            if (!arg.startsWith(PREFIX) || arg.length() == PREFIX.length())
            {
                throw new IllegalArgumentException(command + ": expected --name=value, got '" + arg + "'");
            }

            final int equals = arg.indexOf('=');
            final String name = equals < 0 ? arg.substring(PREFIX.length()) : arg.substring(PREFIX.length(), equals);
            final String value = equals < 0 ? SWITCH_ON : arg.substring(equals + 1);
            if (!declared.containsKey(name) && !HELP.equals(name))
            {
                throw new IllegalArgumentException(
                    command + ": unknown flag --" + name + " (known: " + String.join(", ", knownNames(declared)) + ")");
            }
            given.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }

        return new ToolFlags(command, declared, given);
    }

    public boolean helpRequested()
    {
        return given.containsKey(HELP);
    }

    /**
     * @return the usage text {@code --help} prints: one line per declared flag with its default.
     */
    public String usage()
    {
        final StringBuilder usage = new StringBuilder("usage: ").append(command).append(" [--flag=value ...]\n");
        for (final Flag flag : declared.values())
        {
            final String shown = PREFIX + flag.name() + (null == flag.defaultValue() ? "" : "=" + flag.defaultValue());
            usage.append(String.format("  %-32s %s%n", shown, flag.description()));
        }

        return usage.toString();
    }

    public boolean isSet(final String name)
    {
        return null != value(name);
    }

    /**
     * @param name a declared flag.
     * @return the last value given, else the default, else null.
     */
    public String value(final String name)
    {
        final List<String> values = values(name);
        return values.isEmpty() ? declaredFlag(name).defaultValue() : values.get(values.size() - 1);
    }

    /**
     * @param name a declared flag.
     * @return every value given for a repeated flag, in order; empty when it was not given.
     */
    public List<String> values(final String name)
    {
        declaredFlag(name);
        return given.getOrDefault(name, List.of());
    }

    public String string(final String name)
    {
        final String value = value(name);
        if (null == value)
        {
            throw new IllegalArgumentException(command + ": --" + name + " is required");
        }

        return value;
    }

    public int intValue(final String name)
    {
        final String value = string(name);
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(command + ": --" + name + "=" + value + " is not an integer", ex);
        }
    }

    public long longValue(final String name)
    {
        final String value = string(name);
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(command + ": --" + name + "=" + value + " is not an integer", ex);
        }
    }

    public double doubleValue(final String name)
    {
        final String value = string(name);
        try
        {
            return Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(command + ": --" + name + "=" + value + " is not a number", ex);
        }
    }

    public boolean booleanValue(final String name)
    {
        final String value = string(name);
        return switch (value)
        {
            case SWITCH_ON -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(
                command + ": --" + name + "=" + value + " must be true or false");
        };
    }

    private Flag declaredFlag(final String name)
    {
        final Flag flag = declared.get(name);
        if (null == flag)
        {
            throw new IllegalStateException(command + " reads --" + name + " but does not declare it");
        }

        return flag;
    }

    private static List<String> knownNames(final Map<String, Flag> declared)
    {
        final List<String> names = new ArrayList<>();
        declared.keySet().forEach(name -> names.add(PREFIX + name));
        names.add(PREFIX + HELP);
        return names;
    }
}
