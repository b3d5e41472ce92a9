package io.switchboard.engine.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A parsed command line (see {@link FlagSet}): each declared flag's values, read by name. Reading a name the
 * program did not declare is a bug in the program ({@link IllegalStateException}); a value that does not read as
 * its type is the operator's error ({@link IllegalArgumentException} naming the flag and the value).
 */
public final class Flags
{
    private final FlagSet set;
    private final Map<String, List<String>> given;

    Flags(final FlagSet set, final Map<String, List<String>> given)
    {
        this.set = set;
        this.given = given;
    }

    public boolean helpRequested()
    {
        return given.containsKey(FlagSet.HELP);
    }

    /** The {@code --help} text of the program these flags belong to. */
    public String help()
    {
        return set.help();
    }

    /** @return the last value given, else the default, else null. */
    public String value(final String name)
    {
        final List<String> values = values(name);
        return values.isEmpty() ? declared(name).defaultValue() : values.get(values.size() - 1);
    }

    /** @return every value given (config file first, then the command line), in order; empty when none was. */
    public List<String> values(final String name)
    {
        declared(name);
        return Collections.unmodifiableList(given.getOrDefault(name, List.of()));
    }

    /** @return whether the flag has a value, given or by default. */
    public boolean isSet(final String name)
    {
        return null != value(name);
    }

    /** @return the value, or null when it is unset or empty. */
    public String optional(final String name)
    {
        final String value = value(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /** @return the value; a flag without one is an error. */
    public String string(final String name)
    {
        final String value = value(name);
        if (null == value)
        {
            throw set.error("--" + name + " is required");
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
            throw set.error("--" + name + " must be an integer: " + value);
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
            throw set.error("--" + name + " must be an integer: " + value);
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
            throw set.error("--" + name + " must be a number: " + value);
        }
    }

    public boolean booleanValue(final String name)
    {
        final String value = string(name);
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value))
        {
            return Boolean.parseBoolean(value);
        }
        throw set.error("--" + name + " must be true or false: " + value);
    }

    /** @return the enum constant the value names (see {@link Choices}). */
    public <E extends Enum<E>> E choice(final String name, final Class<E> type)
    {
        final String value = string(name);
        try
        {
            return Choices.parse(type, "--" + name, value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw set.error(ex.getMessage());
        }
    }

    private Flag declared(final String name)
    {
        try
        {
            return set.find(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException(set.scope() + " reads --" + name + " but does not declare it");
        }
    }
}
