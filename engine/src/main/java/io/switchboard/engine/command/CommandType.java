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
    /** A pulse client registered over HTTP: its new id and private key; answered through the command replies. */
    public static final int PULSE_REGISTER = 20;
    /** A pulse client asks to leave PENDING (POST /verify), named by its private key. */
    public static final int PULSE_VERIFY = 21;
    /** A pulse client leaves (POST /logout), named by its private key. */
    public static final int PULSE_LOGOUT = 22;
    /** A read, not a change: one client's view of another (GET /peer/ID/udp...); never needs replicating. */
    public static final int PULSE_PEER_QUERY = 23;
    /** Copy the engine's persisted tables into a directory (POST /backup), answered once the copy is on disk. */
    public static final int TABLE_BACKUP = 30;
    /** A message from another cluster node's links, for the protocol that owns its link type. */
    public static final int LINK_MESSAGE = 40;
    /** Another cluster node is up (with its incarnation) or down: the protocols drop what it held. */
    public static final int LINK_PEER = 41;

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
            case PULSE_REGISTER: return "pulse_register";
            case PULSE_VERIFY: return "pulse_verify";
            case PULSE_LOGOUT: return "pulse_logout";
            case PULSE_PEER_QUERY: return "pulse_peer_query";
            case TABLE_BACKUP: return "table_backup";
            case LINK_MESSAGE: return "link_message";
            case LINK_PEER: return "link_peer";
            default: return "unknown";
        }
    }
}
