package io.switchboard.edge.metaverse;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

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

    private final String adminToken;

    /** @param adminToken null when operator endpoints are disabled */
    Credentials(final String adminToken)
    {
        this.adminToken = adminToken;
    }

    /** The token of {@code Authorization: Bearer T} (the prefix is optional) or of {@code ?access_token=T}. */
    static String bearer(final HttpServerExchange exchange)
    {
        final String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header != null && !header.isBlank())
        {
            return header.regionMatches(true, 0, BEARER, 0, BEARER.length()) ?
                header.substring(BEARER.length()).trim() : header.trim();
        }
        final Deque<String> query = exchange.getQueryParameters().get("access_token");
        return query == null ? null : query.peekFirst();
    }

    boolean isOperator(final String bearer)
    {
        return adminToken != null && same(adminToken, bearer);
    }

    boolean authorizes(final DomainRecord record, final String apiKey, final String bearer)
    {
        return authorizes(record.apiKey, apiKey, bearer);
    }

    /** @param storedApiKey the domain's api_key, or null when it has none */
    boolean authorizes(final String storedApiKey, final String apiKey, final String bearer)
    {
        return same(storedApiKey, apiKey) || same(storedApiKey, bearer) || isOperator(bearer);
    }

    /** Constant-time equality; an absent or empty secret matches nothing. */
    private static boolean same(final String expected, final String offered)
    {
        return expected != null && !expected.isEmpty() && offered != null && !offered.isEmpty() &&
            MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), offered.getBytes(StandardCharsets.UTF_8));
    }
}
