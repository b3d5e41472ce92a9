package io.switchboard.benchmarks.report;

import java.util.Locale;

/**
 * One ratio switchboard / reference (or / floor) and the target for it, if any.
 *
 * @param name          what is compared, e.g. "ICE heartbeat (cached): throughput".
 * @param switchboard   switchboard's figure.
 * @param reference     the reference's or the floor's figure.
 * @param referenceName who {@code reference} is, e.g. "echo floor 296 B".
 * @param bound         how the ratio must relate to {@code target}.
 * @param target        the bound's value; ignored for {@link Bound#NONE}.
 */
record Comparison(String name, double switchboard, double reference, String referenceName, Bound bound, double target)
{
    enum Bound
    {
        AT_LEAST(">= "),
        AT_MOST("<= "),
        BELOW("< "),
        NONE("");

        final String symbol;

        Bound(final String symbol)
        {
            this.symbol = symbol;
        }
    }

    double ratio()
    {
        return switchboard / reference;
    }

    boolean measured()
    {
        return Double.isFinite(ratio());
    }

    boolean met()
    {
        final double ratio = ratio();
        return switch (bound)
        {
            case AT_LEAST -> ratio >= target;
            case AT_MOST -> ratio <= target;
            case BELOW -> ratio < target;
            case NONE -> true;
        };
    }

    String targetText()
    {
        return bound == Bound.NONE ? "-" : bound.symbol + format(target);
    }

    /** "met (12% margin)", "missed: 9% short of the target", or "-" without a target. */
    String verdict()
    {
        if (bound == Bound.NONE)
        {
            return "-";
        }
        if (!measured())
        {
            return "not measured";
        }
        final double relative = Math.abs(ratio() - target) / target * 100;
        if (met())
        {
            return String.format(Locale.ROOT, "**met** (%.0f%% margin)", relative);
        }
        return String.format(Locale.ROOT, "**missed** by %.0f%% (%s than the target)", relative,
            bound == Bound.AT_LEAST ? "lower" : "higher");
    }

    static String format(final double value)
    {
        if (!Double.isFinite(value))
        {
            return "-";
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f" : "%.2f",
            value);
    }
}
