package io.switchboard.benchmarks.report;

import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One ratio switchboard / reference (or / floor), taken in each round, and the target for it, if any. The
 * verdict is on the median of the per-round ratios: each round's two figures were measured minutes apart at most,
 * under the same background, which a ratio of figures from different rounds would not be.
 *
 * @param name               what is compared, e.g. "ICE heartbeat (cached): throughput".
 * @param switchboardByRound switchboard's figure in each round it was measured; NaN where the line lacked it.
 * @param referenceByRound   the reference's or the floor's figure in each round it was measured.
 * @param referenceName      who the reference is, e.g. "echo floor 296 B".
 * @param bound              how the ratio must relate to {@code target}.
 * @param target             the bound's value; ignored for {@link Bound#NONE}.
 */
record Comparison(
    String name,
    SortedMap<Integer, Double> switchboardByRound,
    SortedMap<Integer, Double> referenceByRound,
    String referenceName,
    Bound bound,
    double target)
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

    Comparison
    {
        switchboardByRound = Collections.unmodifiableSortedMap(new TreeMap<>(switchboardByRound));
        referenceByRound = Collections.unmodifiableSortedMap(new TreeMap<>(referenceByRound));
    }

    /** @return every round either side was measured in, in order. */
    SortedSet<Integer> rounds()
    {
        final SortedSet<Integer> rounds = new TreeSet<>(switchboardByRound.keySet());
        rounds.addAll(referenceByRound.keySet());
        return rounds;
    }

    /** @return switchboard / reference in one round; NaN when either side lacks that round. */
    double ratioIn(final int round)
    {
        final Double switchboard = switchboardByRound.get(round);
        final Double reference = referenceByRound.get(round);
        return switchboard == null || reference == null ? Double.NaN : switchboard / reference;
    }

    /** @return the median of the per-round ratios, the figure the verdict is on; NaN when no round has both sides. */
    double ratio()
    {
        return median(rounds().stream().map(this::ratioIn).toList());
    }

    /** @return the per-round ratios in round order, e.g. "0.83 / - / 1.01" when round 2 lacks a side. */
    String ratiosText()
    {
        return rounds().stream().map(round -> format(ratioIn(round))).collect(Collectors.joining(" / "));
    }

    /** @return the median over rounds of switchboard's figure. */
    double switchboard()
    {
        return median(switchboardByRound.values());
    }

    /** @return the median over rounds of the reference's figure. */
    double reference()
    {
        return median(referenceByRound.values());
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

    /** "**met** (12% margin)", "**missed** by 9% (lower than the target)", or "-" without a target. */
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

    /**
     * @return the middle of the finite values (the mean of the middle two for an even count); NaN when there are
     * none, so a missing round never poisons the others.
     */
    static double median(final Collection<Double> values)
    {
        final double[] finite = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite)
            .sorted().toArray();
        if (finite.length == 0)
        {
            return Double.NaN;
        }
        final int middle = finite.length / 2;
        return finite.length % 2 == 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
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
