package io.switchboard.engine.table;

import net.openhft.chronicle.hash.ChronicleHashCorruption;
import org.agrona.collections.IntHashSet;

/**
 * Sorts what Chronicle Map's recovery reports into what a killed writer leaves behind and what only damage explains.
 * A kill -9 leaves the locks of the segments it was writing set, their entry counters off, and in each such segment
 * at most one entry (the one being written) whose checksum no longer matches: Chronicle drops that entry, and it is
 * counted as torn. The same reports without a crash, a checksum failure in a segment nobody was writing, and
 * everything else are damage. The lowest-free-chunk field is a search hint and never counts.
 */
final class RecoveryReport implements ChronicleHashCorruption.Listener
{
    private static final int MAX_DETAIL_CHARS = 160;

    private final boolean afterCrash;
    private final IntHashSet lockedSegments = new IntHashSet();
    private final IntHashSet tornSegments = new IntHashSet();
    private int problems;
    private String firstProblem;

    /** @param afterCrash whether the file was not closed cleanly, so a writer may have been killed mid-write */
    RecoveryReport(final boolean afterCrash)
    {
        this.afterCrash = afterCrash;
    }

    @Override
    public void onCorruption(final ChronicleHashCorruption corruption)
    {
        final String message = corruption.message();
        final int segment = corruption.segmentIndex();
        if (message.startsWith("wrong lowest free chunk") || afterCrash && isLeftByCrash(message, segment))
        {
            return;
        }
        if (problems++ == 0)
        {
            final int key = message.indexOf(", key:");
            final String detail = key < 0 ? message : message.substring(0, key);
            firstProblem = "in segment " + segment + ": " +
                (detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) : detail);
        }
    }

    private boolean isLeftByCrash(final String message, final int segment)
    {
        if (message.startsWith("lock of segment"))
        {
            lockedSegments.add(segment);
            return true;
        }
        if (message.startsWith("size-prefixed blob readiness bit") ||
            message.startsWith("wrong number of actual tiers") || message.startsWith("wrong first free tier index"))
        {
            // A tier allocation or a recovery that the kill interrupted.
            return true;
        }
        if (!lockedSegments.contains(segment))
        {
            return false;
        }
        return message.startsWith("Wrong number of entries counter") ||
            message.startsWith("Checksum doesn't match") && tornSegments.add(segment);
    }

    /** Entries a killed writer left half-written, which Chronicle dropped. */
    int torn()
    {
        return tornSegments.size();
    }

    /** What only damage explains, as a phrase after the file name; null when nothing. */
    String damage()
    {
        return problems == 0 ? null :
            "fails Chronicle Map's entry checks (" + problems + " problems; the first, " + firstProblem + ")";
    }
}
