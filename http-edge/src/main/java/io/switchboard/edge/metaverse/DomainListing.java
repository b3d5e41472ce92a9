package io.switchboard.edge.metaverse;

import java.util.Comparator;
import java.util.List;

/**
 * Every domain, oldest first, as {@code GET /api/v1/domains} pages through them: one scan of the registry serves
 * all listings for {@link #MAX_AGE_MS}, so the cost of a scan does not grow with the rate of listing requests.
 * A listing may thus lag a change by that much. Thread-safe; the scan runs on a worker thread.
 */
final class DomainListing
{
    static final long MAX_AGE_MS = 1_000;
    private static final Comparator<DomainRecord> OLDEST_FIRST =
        Comparator.comparingLong((DomainRecord record) -> record.whenCreatedMs).thenComparing(record -> record.id);

    private final DomainRegistry registry;
    private List<DomainRecord> snapshot;
    private long takenMs;

    DomainListing(final DomainRegistry registry)
    {
        this.registry = registry;
    }

    /** The domains sorted oldest first, scanned at most {@link #MAX_AGE_MS} before {@code nowMs}; do not modify. */
    synchronized List<DomainRecord> snapshot(final long nowMs)
    {
        if (snapshot == null || nowMs - takenMs >= MAX_AGE_MS || nowMs < takenMs)
        {
            final List<DomainRecord> all = registry.all();
            all.sort(OLDEST_FIRST);
            snapshot = List.copyOf(all);
            takenMs = nowMs;
        }
        return snapshot;
    }
}
