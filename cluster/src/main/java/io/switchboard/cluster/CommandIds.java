package io.switchboard.cluster;

/**
 * Command ids are unique and increasing per origin node, also across its restarts (the de-dup window relies on it):
 * a process starts at its start time in epoch milliseconds times {@link #PER_MILLISECOND}, and counts up by one.
 * That holds while the node issues fewer than a million commands per millisecond of uptime and its clock does not
 * step back by more than its previous run lasted.
 */
final class CommandIds
{
    static final long PER_MILLISECOND = 1_000_000L;

    private CommandIds()
    {
    }

    static long firstOfThisProcess(final long epochMs)
    {
        return epochMs * PER_MILLISECOND;
    }
}
