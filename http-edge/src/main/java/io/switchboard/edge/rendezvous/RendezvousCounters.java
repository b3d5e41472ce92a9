package io.switchboard.edge.rendezvous;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.HashMap;
import java.util.Map;

/** The rendezvous API's operator-visible events: requests per endpoint, refusals per status. Thread-safe. */
final class RendezvousCounters
{
    private static final String REQUESTS = "switchboard_rendezvous_requests_total";
    private static final String REQUESTS_HELP = "Rendezvous HTTP requests, by endpoint.";
    private static final String FAILURES = "switchboard_rendezvous_failures_total";
    private static final String FAILURES_HELP = "Rendezvous HTTP requests refused, by status code.";
    static final int[] FAILURE_STATUSES = {400, 404, 405, 429, 503};

    private final Metrics metrics;
    private final Map<Integer, AtomicCounter> failures = new HashMap<>();

    RendezvousCounters(final Metrics metrics)
    {
        this.metrics = metrics;
        for (final int status : FAILURE_STATUSES)
        {
            failures.put(status, metrics.counter(FAILURES, "status=\"" + status + "\"", FAILURES_HELP));
        }
    }

    /** A new counter, at start-up: one per endpoint. */
    AtomicCounter requests(final String endpoint)
    {
        return metrics.counter(REQUESTS, "endpoint=\"" + endpoint + "\"", REQUESTS_HELP);
    }

    void failure(final int status)
    {
        failures.get(status).increment();
    }
}
