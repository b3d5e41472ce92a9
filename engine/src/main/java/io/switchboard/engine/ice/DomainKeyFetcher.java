package io.switchboard.engine.ice;

import io.switchboard.engine.pipeline.CommandPublisher;

/**
 * Fetches a domain's public key from somewhere slow (a remote metaverse) without blocking the caller. The answer
 * comes back into the ring as {@code DOMAIN_KEY} (origin remote) or {@code DOMAIN_KEY_FETCH_FAILED}, exactly once
 * per call.
 */
@FunctionalInterface
public interface DomainKeyFetcher
{
    void fetch(long domainIdMsb, long domainIdLsb, CommandPublisher replyTo);
}
