package io.switchboard.edge.rendezvous;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.math.BigDecimal;

/**
 * The JSON bodies of the rendezvous API, field names and order as Socket-Rendezvous answers (rendezvous-and-dop.md
 * §1.6). Times are epoch seconds with milliseconds, written as plain decimals.
 */
final class Bodies
{
    private Bodies()
    {
    }

    record Registered(
        @JsonProperty("client_id") String clientId,
        @JsonProperty("private_id") String privateId,
        BigDecimal timestamp,
        boolean ok)
    {
    }

    /** {@code ok} is true when the client went from PENDING to ONLINE, false when it already was ONLINE. */
    record Verified(@JsonProperty("client_id") String clientId, BigDecimal timestamp, boolean ok)
    {
    }

    record LoggedOut(@JsonProperty("client_id") String clientId, boolean ok)
    {
    }

    record PeerAddress(
        @JsonProperty("client_id") String clientId,
        String host,
        int port,
        BigDecimal timestamp,
        boolean ok)
    {
    }

    /** {@code last_online} is the epoch time of the last pulse, 0 for never; seconds_since_pulse is then null. */
    record PeerStatus(
        @JsonProperty("client_id") String clientId,
        String status,
        @JsonProperty("last_online") BigDecimal lastOnline,
        @JsonProperty("seconds_since_pulse") BigDecimal secondsSincePulse,
        BigDecimal timestamp,
        boolean ok)
    {
    }

    record Failure(boolean ok, String error)
    {
    }

    static BigDecimal seconds(final long epochMs)
    {
        return BigDecimal.valueOf(epochMs, 3);
    }
}
