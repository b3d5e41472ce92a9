package io.switchboard.edge.metaverse;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/** The metaverse API's operator-visible events, allocated at start-up. Incremented from any Undertow thread. */
final class MetaverseCounters
{
    private static final String REQUESTS = "switchboard_metaverse_requests_total";
    private static final String REQUESTS_HELP = "Metaverse API requests, by endpoint.";
    private static final String FAILURES = "switchboard_metaverse_failures_total";
    private static final String FAILURES_HELP = "Metaverse API requests refused, by reason.";
    private static final String CREATED = "switchboard_metaverse_domains_created_total";
    private static final String CREATED_HELP = "Domains created, by kind.";
    private static final String REMOVED = "switchboard_metaverse_domains_removed_total";
    private static final String REMOVED_HELP =
        "Domains removed: deleted by an operator, or temporary and silent past their TTL.";

    private final Metrics metrics;
    private final AtomicCounter[] failures = new AtomicCounter[Failure.values().length];
    final AtomicCounter createdTemporary;
    final AtomicCounter createdNamed;
    final AtomicCounter removedDeleted;
    final AtomicCounter removedExpired;
    final AtomicCounter keysPublished;
    final AtomicCounter domains;

    MetaverseCounters(final Metrics metrics)
    {
        this.metrics = metrics;
        for (final Failure failure : Failure.values())
        {
            failures[failure.ordinal()] =
                metrics.counter(FAILURES, "reason=\"" + failure.label() + "\"", FAILURES_HELP);
        }
        createdTemporary = metrics.counter(CREATED, "kind=\"temporary\"", CREATED_HELP);
        createdNamed = metrics.counter(CREATED, "kind=\"named\"", CREATED_HELP);
        removedDeleted = metrics.counter(REMOVED, "reason=\"deleted\"", REMOVED_HELP);
        removedExpired = metrics.counter(REMOVED, "reason=\"expired\"", REMOVED_HELP);
        keysPublished = metrics.counter("switchboard_metaverse_keys_published_total", "",
            "Domain public keys handed to the ICE engine: every stored key at start-up, then each upload.");
        domains = metrics.gauge("switchboard_metaverse_domains", "", "Domains in the registry.");
    }

    /** A request counter for one endpoint; allocated while the routes are built. */
    AtomicCounter requests(final String endpoint)
    {
        return metrics.counter(REQUESTS, "endpoint=\"" + endpoint + "\"", REQUESTS_HELP);
    }

    AtomicCounter failure(final Failure failure)
    {
        return failures[failure.ordinal()];
    }
}
