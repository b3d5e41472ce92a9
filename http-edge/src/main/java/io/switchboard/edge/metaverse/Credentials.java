package io.switchboard.edge.metaverse;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Deque;

/**
 * Who may change a domain (spec §1.3 without accounts): whoever shows the domain's api_key, in the body as a
 * temporary domain-server does or as the bearer token a named domain's server is configured with; and the operator,
 * whose {@code --admin-token} also authorizes creating and deleting domains. Comparisons take constant time.
 */
final class Credentials
{
    private static final String BEARER = "Bearer ";
    /** Every use of the admin token, at INFO whatever --log-level (its own logger). */
    private static final Logger AUDIT = LoggerFactory.getLogger("io.switchboard.audit");

    private final String adminToken;

    /** @param adminToken null when operator endpoints are disabled */
    Credentials(final String adminToken)
    {
        this.adminToken = adminToken;
    }

    /**
     * A bearer token a request offered, and the request it came with (for the audit line written each time the admin
     * token is what authorizes it).
     */
    record Offered(String token, String request)
    {
    }

    /** The token of {@code Authorization: Bearer T} (the prefix is optional) or of {@code ?access_token=T}. */
    static Offered bearer(final HttpServerExchange exchange)
    {
        final String request = exchange.getRequestMethod() + " " + exchange.getRequestPath() + " from " +
            (exchange.getSourceAddress() == null ? "-" : exchange.getSourceAddress().getAddress().getHostAddress());
        final String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header != null && !header.isBlank())
        {
            return new Offered(header.regionMatches(true, 0, BEARER, 0, BEARER.length()) ?
                header.substring(BEARER.length()).trim() : header.trim(), request);
        }
        final Deque<String> query = exchange.getQueryParameters().get("access_token");
        return new Offered(query == null ? null : query.peekFirst(), request);
    }

    /** Whether the admin token was offered; each time it was, an audit line says for which request. */
    boolean isOperator(final Offered bearer)
    {
        final boolean operator = adminToken != null && same(adminToken, bearer.token());
        if (operator)
        {
            AUDIT.info("admin token used: {}", bearer.request());
        }
        return operator;
    }

    boolean authorizes(final DomainRecord record, final String apiKey, final Offered bearer)
    {
        return authorizes(record.apiKey, apiKey, bearer);
    }

    /** @param storedApiKey the domain's api_key, or null when it has none */
    boolean authorizes(final String storedApiKey, final String apiKey, final Offered bearer)
    {
        return same(storedApiKey, apiKey) || same(storedApiKey, bearer.token()) || isOperator(bearer);
    }

    /** Constant-time equality; an absent or empty secret matches nothing. */
    private static boolean same(final String expected, final String offered)
    {
        return expected != null && !expected.isEmpty() && offered != null && !offered.isEmpty() &&
            MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), offered.getBytes(StandardCharsets.UTF_8));
    }
}
