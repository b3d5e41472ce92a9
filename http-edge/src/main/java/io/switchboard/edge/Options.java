package io.switchboard.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The appliance's command line: every option is {@code --kebab-case=value}; {@code --config=FILE} reads more of
 * them from a file ({@code name=value} per line, {@code #} comments), the command line winning. Each option is
 * declared once in {@link OptionSpec#ALL} with its default and help, which {@code --help} and README list.
 */
public final class Options
{
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Options()
    {
    }

    public static Options parse(final String... args)
    {
        final Options fromArgs = new Options();
        String configFile = null;
        for (final String arg : args)
        {
            if (!arg.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': options are --name=value");
            }
            final int eq = arg.indexOf('=');
            final String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            final String value = eq < 0 ? "true" : arg.substring(eq + 1);
            if ("config".equals(name))
            {
                configFile = value;
                continue;
            }
            fromArgs.add(name, value);
        }
        if (configFile == null)
        {
            return fromArgs;
        }
        final Options merged = readConfig(Path.of(configFile));
        for (final Map.Entry<String, List<String>> entry : fromArgs.values.entrySet())
        {
            final OptionSpec spec = OptionSpec.find(entry.getKey());
            if (!spec.repeatable())
            {
                merged.values.remove(entry.getKey());
            }
            for (final String value : entry.getValue())
            {
                merged.add(entry.getKey(), value);
            }
        }
        return merged;
    }

    private static Options readConfig(final Path file)
    {
        final Options options = new Options();
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + ex.getMessage());
        }
        for (final String raw : lines)
        {
            final String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int eq = line.indexOf('=');
            if (eq < 0)
            {
                throw new IllegalArgumentException("config line is not name=value: " + line);
            }
            final String name = line.substring(0, eq).trim();
            options.add(name.startsWith("--") ? name.substring(2) : name, line.substring(eq + 1).trim());
        }
        return options;
    }

    private void add(final String name, final String value)
    {
        final OptionSpec spec = OptionSpec.find(name);
        final List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>());
        if (!spec.repeatable() && !list.isEmpty())
        {
            throw new IllegalArgumentException("--" + name + " given twice");
        }
        list.add(value);
    }

    public boolean has(final String name)
    {
        OptionSpec.find(name);
        return values.containsKey(name);
    }

    public String get(final String name)
    {
        final OptionSpec spec = OptionSpec.find(name);
        final List<String> list = values.get(name);
        return list == null ? spec.defaultValue() : list.get(list.size() - 1);
    }

    public List<String> getAll(final String name)
    {
        OptionSpec.find(name);
        return Collections.unmodifiableList(values.getOrDefault(name, List.of()));
    }

    public int getInt(final String name)
    {
        final String value = get(name);
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--" + name + " must be an integer: " + value);
        }
    }

    public long getLong(final String name)
    {
        final String value = get(name);
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--" + name + " must be an integer: " + value);
        }
    }

    public boolean getBoolean(final String name)
    {
        final String value = get(name);
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value))
        {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("--" + name + " must be true or false: " + value);
    }

    /** Null when unset and without default. */
    public String getOptional(final String name)
    {
        final String value = get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public static String help()
    {
        final StringBuilder out = new StringBuilder();
        out.append("usage: java -jar switchboard.jar [--name=value ...]\n\n");
        out.append("Every option may also be given in a file named by --config=FILE (name=value per line).\n\n");
        for (final OptionSpec spec : OptionSpec.ALL)
        {
            out.append(String.format("  --%-32s %s%s%n",
                spec.name() + "=" + spec.valueHint(),
                spec.help(),
                spec.defaultValue() == null || spec.defaultValue().isEmpty() ?
                    "" : " (default " + spec.defaultValue() + ")"));
        }
        return out.toString();
    }
}
