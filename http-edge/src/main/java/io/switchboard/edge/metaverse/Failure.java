package io.switchboard.edge.metaverse;

/**
 * Every way a metaverse request can fail: its HTTP status and its {@code reason} label in
 * {@code switchboard_metaverse_failures_total}. The envelope's error text travels with it in a {@link Refusal}.
 */
enum Failure
{
    UNKNOWN_DOMAIN(404),
    UNAUTHORIZED(401),
    MALFORMED_JSON(400),
    BAD_REQUEST(400),
    BAD_KEY(400),
    BODY_TOO_LARGE(413),
    RATE_LIMITED(429),
    /** Iamus answers a disabled feature with HTTP 200 and a failure body; the domain-server only logs it. */
    TEMP_DOMAINS_DISABLED(200),
    REGISTRY_FULL(503),
    /** The change could not be committed within --cluster-timeout-ms: this node reaches no cluster quorum. */
    CLUSTER_UNAVAILABLE(503),
    NO_ROUTE(404),
    BAD_METHOD(405),
    INTERNAL_ERROR(500);

    final int status;

    Failure(final int status)
    {
        this.status = status;
    }

    String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
