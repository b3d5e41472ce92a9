package io.switchboard.engine.ice;

import io.switchboard.engine.command.DomainKeyCommand;
import io.switchboard.engine.table.UuidKey;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The handler thread's directory of domain public keys and of key fetches in progress. Known keys are bounded by the
 * domain capacity; fetch bookkeeping for domains without a key is a bounded oldest-first map, so forged heartbeats
 * with random ids cannot grow it. Lookups use a reusable probe key and allocate nothing.
 */
final class DomainKeys
{
    static final class DomainKey
    {
        final PublicKey key;
        final byte[] spki;
        final byte origin;
        final int signatureLength;

        DomainKey(final PublicKey key, final byte[] spki, final byte origin)
        {
            this.key = key;
            this.spki = spki;
            this.origin = origin;
            this.signatureLength = HeartbeatVerifier.signatureLength(key);
        }
    }

    static final class FetchState
    {
        boolean inFlight;
        long inFlightDeadlineMs;
        long nextAttemptMs;
        int failures;
    }

    private final Map<UuidKey, DomainKey> keys = new HashMap<>();
    private final LinkedHashMap<UuidKey, FetchState> fetches;
    private final int capacity;

    DomainKeys(final int capacity)
    {
        this.capacity = capacity;
        this.fetches = new LinkedHashMap<>(16, 0.75f, false)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<UuidKey, FetchState> eldest)
            {
                return size() > capacity;
            }
        };
    }

    DomainKey get(final UuidKey domain)
    {
        return keys.get(domain);
    }

    int size()
    {
        return keys.size();
    }

    /**
     * Stores a key; any fetch bookkeeping for the domain ends.
     *
     * @return true when the key differs from the one held before (caches made with the old key must go)
     */
    boolean put(final UuidKey domain, final PublicKey key, final byte[] spki, final byte origin)
    {
        fetches.remove(domain);
        final DomainKey previous = keys.get(domain);
        if (previous != null && Arrays.equals(previous.spki, spki))
        {
            if (origin == DomainKeyCommand.ORIGIN_LOCAL && previous.origin != origin)
            {
                keys.put(domain.copy(), new DomainKey(key, spki, origin));
            }
            return false;
        }
        if (previous == null && keys.size() >= capacity)
        {
            return false;
        }
        keys.put(domain.copy(), new DomainKey(key, spki, origin));
        return true;
    }

    boolean remove(final UuidKey domain)
    {
        fetches.remove(domain);
        return keys.remove(domain) != null;
    }

    /** Forgets a key fetched from a remote metaverse (the reference does so when the peer expires). */
    void forgetRemote(final UuidKey domain)
    {
        final DomainKey key = keys.get(domain);
        if (key != null && key.origin == DomainKeyCommand.ORIGIN_REMOTE)
        {
            keys.remove(domain);
        }
    }

    /** True when a fetch for the domain may start now: none in flight and its back-off has passed. */
    boolean fetchDue(final UuidKey domain, final long nowMs)
    {
        final FetchState state = fetches.get(domain);
        if (state == null)
        {
            return true;
        }
        if (state.inFlight)
        {
            return nowMs >= state.inFlightDeadlineMs;
        }
        return nowMs >= state.nextAttemptMs;
    }

    void fetchStarted(final UuidKey domain, final long nowMs, final long deadlineMs)
    {
        FetchState state = fetches.get(domain);
        if (state == null)
        {
            state = new FetchState();
            fetches.put(domain.copy(), state);
        }
        state.inFlight = true;
        state.inFlightDeadlineMs = nowMs + deadlineMs;
    }

    /** Records a failure and sets the next attempt after an exponential back-off. */
    void fetchFailed(final UuidKey domain, final long nowMs, final long backoffMs, final long maxBackoffMs)
    {
        final FetchState state = fetches.get(domain);
        if (state == null)
        {
            return;
        }
        state.inFlight = false;
        state.failures = Math.min(state.failures + 1, 30);
        state.nextAttemptMs = nowMs + Math.min(maxBackoffMs, backoffMs << Math.min(state.failures - 1, 20));
    }

    boolean fetchInFlight(final UuidKey domain)
    {
        final FetchState state = fetches.get(domain);
        return state != null && state.inFlight;
    }
}
