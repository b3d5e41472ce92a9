package io.switchboard.engine.config;

/**
 * One declared {@code --kebab-case=value} flag of a program (the appliance or a tool): the single declaration that
 * parsing, {@code --help} and docs/options.md follow.
 *
 * @param name         kebab-case name without the leading dashes.
 * @param valueHint    what the value is, for {@code --help} ({@code PORT}, {@code MS}, {@code auto|native|jdk});
 *                     null: {@code --help} shows the default in its place.
 * @param defaultValue value when the flag is absent, or null when absence means "not set".
 * @param repeatable   whether the flag may be given more than once (every value is kept, single reads take the
 *                     last); a command-line value of a flag that is not repeatable replaces the config file's.
 * @param help         one line for {@code --help}.
 */
public record Flag(String name, String valueHint, String defaultValue, boolean repeatable, String help)
{
    /** A tool's flag: {@code --help} shows its default as the value, and it may repeat, the last value winning. */
    public Flag(final String name, final String defaultValue, final String help)
    {
        this(name, null, defaultValue, true, help);
    }
}
