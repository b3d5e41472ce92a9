package io.switchboard.engine.command;

/**
 * Identifiers of the commands that enter the ring. A command is an encoded message (type word, then a fixed
 * little-endian body) so the same bytes can later be replicated across nodes.
 */
public final class CommandType
{
    /** Time signal from the ticker; no body. */
    public static final int TICK = 1;
    /** A domain's RSA public key (SPKI DER) from the registry, configuration or a metaverse fetch. */
    public static final int DOMAIN_KEY = 10;
    /** A metaverse key fetch for a domain failed. */
    public static final int DOMAIN_KEY_FETCH_FAILED = 11;
    /** A domain was deleted from the registry: forget its key and peer record. */
    public static final int DOMAIN_REMOVED = 12;

    private CommandType()
    {
    }

    public static String nameOf(final int type)
    {
        switch (type)
        {
            case TICK: return "tick";
            case DOMAIN_KEY: return "domain_key";
            case DOMAIN_KEY_FETCH_FAILED: return "domain_key_fetch_failed";
            case DOMAIN_REMOVED: return "domain_removed";
            default: return "unknown";
        }
    }
}
