package io.switchboard.engine.ice;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

/** The ICE server's operator-visible events. Written only by the handler thread. */
final class IceCounters
{
    private static final String IN = "switchboard_ice_datagrams_in_total";
    private static final String IN_HELP = "ICE datagrams received, by packet type.";
    private static final String OUT = "switchboard_ice_datagrams_out_total";
    private static final String OUT_HELP = "ICE datagrams sent, by packet type.";
    private static final String DROPPED = "switchboard_ice_dropped_total";
    private static final String DROPPED_HELP = "ICE datagrams dropped without a reply, by reason.";
    private static final String OUT_DROPPED = "switchboard_ice_replies_dropped_total";
    private static final String OUT_DROPPED_HELP = "ICE packets the server chose not to send, by reason.";
    private static final String HEARTBEATS = "switchboard_ice_heartbeats_total";
    private static final String HEARTBEATS_HELP = "Heartbeats answered, by result.";
    private static final String VERIFICATIONS = "switchboard_ice_verifications_total";
    private static final String VERIFICATIONS_HELP =
        "Heartbeat signature checks: full RSA verifications, cached (byte-identical to the last verified), failed.";
    private static final String QUERIES = "switchboard_ice_queries_total";
    private static final String QUERIES_HELP = "Queries by outcome.";
    private static final String KEY_FETCHES = "switchboard_ice_key_fetches_total";
    private static final String KEY_FETCHES_HELP = "Public key fetches from the metaverse, by outcome.";
    private static final String KEYS = "switchboard_ice_keys_total";
    private static final String KEYS_HELP = "Domain public keys received by the engine, by outcome.";

    final AtomicCounter inHeartbeat;
    final AtomicCounter inQuery;
    final AtomicCounter inOther;
    final AtomicCounter outAck;
    final AtomicCounter outDenied;
    final AtomicCounter outPeerInformation;
    final AtomicCounter droppedMalformed;
    final AtomicCounter droppedVersion;
    final AtomicCounter droppedNotPlain;
    final AtomicCounter droppedIgnoredType;
    final AtomicCounter droppedRateLimited;
    final AtomicCounter droppedTableFull;
    final AtomicCounter droppedVerifyRateLimited;
    final AtomicCounter droppedPeerInfoRateLimited;
    final AtomicCounter heartbeatsAcked;
    final AtomicCounter heartbeatsDenied;
    final AtomicCounter verificationsFull;
    final AtomicCounter verificationsCached;
    final AtomicCounter verificationsFailed;
    final AtomicCounter queriesAnswered;
    final AtomicCounter queriesUnknownDomain;
    final AtomicCounter keyFetchesStarted;
    final AtomicCounter keyFetchesOk;
    final AtomicCounter keyFetchesFailed;
    final AtomicCounter keyFetchesSkipped;
    final AtomicCounter keysAccepted;
    final AtomicCounter keysInvalid;
    final AtomicCounter keysRemoved;
    final AtomicCounter expired;
    final AtomicCounter activeDomains;

    IceCounters(final Metrics metrics)
    {
        inHeartbeat = metrics.counter(IN, "type=\"heartbeat\"", IN_HELP);
        inQuery = metrics.counter(IN, "type=\"query\"", IN_HELP);
        inOther = metrics.counter(IN, "type=\"other\"", IN_HELP);
        outAck = metrics.counter(OUT, "type=\"heartbeat_ack\"", OUT_HELP);
        outDenied = metrics.counter(OUT, "type=\"heartbeat_denied\"", OUT_HELP);
        outPeerInformation = metrics.counter(OUT, "type=\"peer_information\"", OUT_HELP);
        droppedMalformed = metrics.counter(DROPPED, "reason=\"malformed\"", DROPPED_HELP);
        droppedVersion = metrics.counter(DROPPED, "reason=\"version\"", DROPPED_HELP);
        droppedNotPlain = metrics.counter(DROPPED, "reason=\"not_plain\"", DROPPED_HELP);
        droppedIgnoredType = metrics.counter(DROPPED, "reason=\"ignored_type\"", DROPPED_HELP);
        droppedRateLimited = metrics.counter(DROPPED, "reason=\"rate_limit\"", DROPPED_HELP);
        droppedTableFull = metrics.counter(DROPPED, "reason=\"table_full\"", DROPPED_HELP);
        droppedVerifyRateLimited = metrics.counter(DROPPED, "reason=\"verify_rate_limit\"", DROPPED_HELP);
        droppedPeerInfoRateLimited = metrics.counter(OUT_DROPPED, "reason=\"peer_info_rate_limit\"", OUT_DROPPED_HELP);
        heartbeatsAcked = metrics.counter(HEARTBEATS, "result=\"acked\"", HEARTBEATS_HELP);
        heartbeatsDenied = metrics.counter(HEARTBEATS, "result=\"denied\"", HEARTBEATS_HELP);
        verificationsFull = metrics.counter(VERIFICATIONS, "kind=\"full\"", VERIFICATIONS_HELP);
        verificationsCached = metrics.counter(VERIFICATIONS, "kind=\"cached\"", VERIFICATIONS_HELP);
        verificationsFailed = metrics.counter(VERIFICATIONS, "kind=\"failed\"", VERIFICATIONS_HELP);
        queriesAnswered = metrics.counter(QUERIES, "result=\"answered\"", QUERIES_HELP);
        queriesUnknownDomain = metrics.counter(QUERIES, "result=\"unknown_domain\"", QUERIES_HELP);
        keyFetchesStarted = metrics.counter(KEY_FETCHES, "result=\"started\"", KEY_FETCHES_HELP);
        keyFetchesOk = metrics.counter(KEY_FETCHES, "result=\"ok\"", KEY_FETCHES_HELP);
        keyFetchesFailed = metrics.counter(KEY_FETCHES, "result=\"failed\"", KEY_FETCHES_HELP);
        keyFetchesSkipped = metrics.counter(KEY_FETCHES, "result=\"skipped\"", KEY_FETCHES_HELP);
        keysAccepted = metrics.counter(KEYS, "result=\"accepted\"", KEYS_HELP);
        keysInvalid = metrics.counter(KEYS, "result=\"invalid\"", KEYS_HELP);
        keysRemoved = metrics.counter(KEYS, "result=\"removed\"", KEYS_HELP);
        expired = metrics.counter("switchboard_ice_peers_expired_total", "",
            "Domains forgotten after the peer timeout without a verified heartbeat.");
        activeDomains = metrics.gauge("switchboard_ice_active_domains", "",
            "Domains with a verified heartbeat within the peer timeout.");
    }

    /** Info-style: 1 on the series naming the JCA provider that verifies heartbeat signatures. */
    static void verifyProvider(final Metrics metrics, final String provider)
    {
        metrics.gauge("switchboard_ice_verify_provider", "provider=\"" + provider + "\"",
            "JCA provider of the heartbeats' RSA verification (1 on the one in use).").setRelease(1);
    }
}
