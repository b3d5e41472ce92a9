package io.switchboard.edge.metaverse;

import io.switchboard.engine.config.Require;
import io.switchboard.engine.ice.IceContext;

import java.net.URI;
import java.util.Collection;
import java.util.Set;

/**
 * Configuration of the metaverse domain API, one object: defaults are named constants, setters return this, and
 * {@link #conclude()} validates before anything is opened.
 */
public final class MetaverseContext
{
    public static final int DEFAULT_PORT = 9400;
    public static final boolean DEFAULT_ALLOW_TEMP_DOMAINS = true;
    public static final int DEFAULT_TEMP_DOMAIN_RATE_PER_MINUTE = 10;
    public static final int DEFAULT_TEMP_DOMAIN_BURST = 20;
    public static final long DEFAULT_DOMAIN_ACTIVE_SECONDS = 600;
    public static final long DEFAULT_TEMP_DOMAIN_TTL_SECONDS = 7 * 24 * 3600;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_DOMAINS = 100_000;
    public static final String DEFAULT_NAME = "switchboard";
    public static final String REGISTRY_FILE = "domains.cm3";
    /** How often, at most, a domain's heartbeat time and user counts go through a cluster's log. */
    public static final long DEFAULT_SOFT_SYNC_MS = 30_000;

    private String bindAddress = "0.0.0.0";
    private int port = DEFAULT_PORT;
    private boolean allowTempDomains = DEFAULT_ALLOW_TEMP_DOMAINS;
    private int tempDomainRatePerMinute = DEFAULT_TEMP_DOMAIN_RATE_PER_MINUTE;
    private int tempDomainBurst = DEFAULT_TEMP_DOMAIN_BURST;
    private int rateLimitSlots = IceContext.DEFAULT_RATE_LIMIT_SLOTS;
    private String adminToken;
    private long domainActiveSeconds = DEFAULT_DOMAIN_ACTIVE_SECONDS;
    private long tempDomainTtlSeconds = DEFAULT_TEMP_DOMAIN_TTL_SECONDS;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxDomains = DEFAULT_MAX_DOMAINS;
    private String name = DEFAULT_NAME;
    private String publicUrl;
    private int icePort;
    private Set<String> corsOrigins = Set.of();
    private long softSyncMs = DEFAULT_SOFT_SYNC_MS;


    public MetaverseContext conclude()
    {
        Require.port("metaverse port", port);
        Require.range("temp domain rate", tempDomainRatePerMinute, 1, 1_000_000);
        Require.range("temp domain burst", tempDomainBurst, 1, 1_000_000);
        Require.powerOfTwo("rate limit slots", rateLimitSlots);
        Require.range("domain active seconds", domainActiveSeconds, 1, 365L * 86_400);
        Require.range("temp domain ttl", tempDomainTtlSeconds, 1, 3650L * 86_400);
        Require.range("metaverse max body bytes", maxBodyBytes, 1024, 16 * 1024 * 1024);
        Require.range("metaverse max domains", maxDomains, 16, 100_000_000);
        Require.range("cluster soft sync ms", softSyncMs, 100, 24L * 3600 * 1000);
        if (adminToken != null && adminToken.length() < 16)
        {
            throw new IllegalArgumentException("admin token must be at least 16 characters");
        }
        if (publicUrl != null)
        {
            final URI uri = URI.create(publicUrl);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null)
            {
                throw new IllegalArgumentException("metaverse public url must be an http(s) URL: " + publicUrl);
            }
            publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        }
        for (final String origin : corsOrigins)
        {
            if (origin.isBlank())
            {
                throw new IllegalArgumentException("metaverse cors origin must not be empty");
            }
        }
        return this;
    }

    public String bindAddress() { return bindAddress; }
    public MetaverseContext bindAddress(final String value) { bindAddress = value; return this; }
    public int port() { return port; }
    public MetaverseContext port(final int value) { port = value; return this; }
    public boolean allowTempDomains() { return allowTempDomains; }
    public MetaverseContext allowTempDomains(final boolean value) { allowTempDomains = value; return this; }
    public int tempDomainRatePerMinute() { return tempDomainRatePerMinute; }
    public MetaverseContext tempDomainRatePerMinute(final int value) { tempDomainRatePerMinute = value; return this; }
    public int tempDomainBurst() { return tempDomainBurst; }
    public MetaverseContext tempDomainBurst(final int value) { tempDomainBurst = value; return this; }
    public int rateLimitSlots() { return rateLimitSlots; }
    public MetaverseContext rateLimitSlots(final int value) { rateLimitSlots = value; return this; }
    /** Null when operator endpoints are disabled. */
    public String adminToken() { return adminToken; }
    public MetaverseContext adminToken(final String value) { adminToken = value; return this; }
    public long domainActiveSeconds() { return domainActiveSeconds; }
    public MetaverseContext domainActiveSeconds(final long value) { domainActiveSeconds = value; return this; }
    public long tempDomainTtlSeconds() { return tempDomainTtlSeconds; }
    public MetaverseContext tempDomainTtlSeconds(final long value) { tempDomainTtlSeconds = value; return this; }
    public long softSyncMs() { return softSyncMs; }
    public MetaverseContext softSyncMs(final long value) { softSyncMs = value; return this; }
    public int maxBodyBytes() { return maxBodyBytes; }
    public MetaverseContext maxBodyBytes(final int value) { maxBodyBytes = value; return this; }
    public int maxDomains() { return maxDomains; }
    public MetaverseContext maxDomains(final int value) { maxDomains = value; return this; }
    public String name() { return name; }
    public MetaverseContext name(final String value) { name = value; return this; }
    /** Null: derived from each request's Host header. */
    /** Empty: any origin ({@code *}); else only these exact origins are allowed. */
    public Set<String> corsOrigins() { return corsOrigins; }
    public MetaverseContext corsOrigins(final Collection<String> value) { corsOrigins = Set.copyOf(value); return this; }
    public String publicUrl() { return publicUrl; }
    public MetaverseContext publicUrl(final String value) { publicUrl = value; return this; }
    public int icePort() { return icePort; }
    public MetaverseContext icePort(final int value) { icePort = value; return this; }
}
