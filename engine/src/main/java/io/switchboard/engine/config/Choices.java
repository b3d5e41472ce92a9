package io.switchboard.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Enums as flag values: {@code BUSY_SPIN} is written {@code busy-spin}. A choice is parsed once, where its flag is
 * read, and {@code --help} lists the values from the enum itself.
 */
public final class Choices
{
    private Choices()
    {
    }

    /** The value an operator writes for this constant. */
    public static String flagValue(final Enum<?> constant)
    {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every value of the enum as an operator writes it, in declaration order. */
    public static <E extends Enum<E>> List<String> flagValues(final Class<E> type)
    {
        final List<String> values = new ArrayList<>();
        for (final E constant : type.getEnumConstants())
        {
            values.add(flagValue(constant));
        }
        return values;
    }

    /** {@code a|b|c}: the value hint {@code --help} shows. */
    public static <E extends Enum<E>> String hint(final Class<E> type)
    {
        return String.join("|", flagValues(type));
    }

    /**
     * @param what  names the setting in the error, e.g. {@code --engine-wait}.
     * @throws IllegalArgumentException when the value is none of the enum's.
     */
    public static <E extends Enum<E>> E parse(final Class<E> type, final String what, final String value)
    {
        for (final E constant : type.getEnumConstants())
        {
            if (flagValue(constant).equals(value))
            {
                return constant;
            }
        }
        throw new IllegalArgumentException(what + " must be one of " + flagValues(type) + ": " + value);
    }
}
