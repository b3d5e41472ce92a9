package io.switchboard.edge.peerjs;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.EnumMap;
import java.util.Map;

/** The PeerJS listener's operator-visible events, allocated at start-up. Thread-safe. */
final class PeerJsCounters
{
    private static final String HTTP = "switchboard_peerjs_http_requests_total";
    private static final String ADMISSIONS = "switchboard_peerjs_admissions_total";
    private static final String FRAMES = "switchboard_peerjs_frames_in_total";
    private static final String RELAYS = "switchboard_peerjs_relays_total";
    private static final String CLOSES = "switchboard_peerjs_server_closes_total";
    private static final String CLAIMS = "switchboard_peerjs_cluster_claims_total";
    private static final String CLUSTER_LOST = "switchboard_peerjs_cluster_unsent_total";

    final AtomicCounter httpInfo;
    final AtomicCounter httpId;
    final AtomicCounter httpPeers;
    final AtomicCounter httpPreflight;
    final AtomicCounter httpNotFound;
    final AtomicCounter httpTooManyConnections;

    final AtomicCounter admittedOpen;
    final AtomicCounter admittedTakeover;
    final AtomicCounter refusedNoParameters;
    final AtomicCounter refusedInvalidKey;
    final AtomicCounter refusedIdTaken;
    final AtomicCounter refusedConcurrentLimit;
    final AtomicCounter refusedHostLimit;
    final AtomicCounter refusedClusterBusy;
    final AtomicCounter refusedClusterTooLong;

    private final Map<MessageType, AtomicCounter> framesByType = new EnumMap<>(MessageType.class);
    final AtomicCounter framesIgnored;
    final AtomicCounter framesInvalid;
    final AtomicCounter framesUnregistered;

    final AtomicCounter relayDelivered;
    final AtomicCounter relayQueued;
    final AtomicCounter relayDroppedOffline;
    final AtomicCounter relayDroppedNoDst;
    final AtomicCounter relayDroppedQueueFull;
    final AtomicCounter relayDeliveryFailed;
    final AtomicCounter relayDroppedInboxFull;
    final AtomicCounter relaySentToNode;
    final AtomicCounter relayDroppedOutboxFull;
    final AtomicCounter relayDroppedTooLong;
    final AtomicCounter claimsConfirmed;
    final AtomicCounter claimsTaken;
    final AtomicCounter claimsTimedOut;
    final AtomicCounter claimsAbandoned;
    final AtomicCounter claimsUnsent;
    final AtomicCounter clusterOutboxFull;
    final AtomicCounter clusterDirectoryFull;
    final AtomicCounter clusterRemoteIds;
    final AtomicCounter queuesExpired;
    final AtomicCounter expireSent;
    final AtomicCounter leaveDeregistered;

    final AtomicCounter connectionsOpened;
    final AtomicCounter connectionsClosed;
    final AtomicCounter closedAliveTimeout;
    final AtomicCounter closedTakenOver;
    final AtomicCounter closedFrameTooLarge;
    final AtomicCounter closedSlowConsumer;
    final AtomicCounter closedProtocolError;
    final AtomicCounter closedClusterConflict;

    final AtomicCounter openConnections;
    final AtomicCounter registeredClients;
    final AtomicCounter queuedMessages;

    PeerJsCounters(final Metrics metrics)
    {
        final String httpHelp = "PeerJS HTTP requests, by route.";
        httpInfo = metrics.counter(HTTP, "route=\"info\"", httpHelp);
        httpId = metrics.counter(HTTP, "route=\"id\"", httpHelp);
        httpPeers = metrics.counter(HTTP, "route=\"peers\"", httpHelp);
        httpPreflight = metrics.counter(HTTP, "route=\"preflight\"", httpHelp);
        httpNotFound = metrics.counter(HTTP, "route=\"not_found\"", httpHelp);
        httpTooManyConnections = metrics.counter(HTTP, "route=\"too_many_connections\"", httpHelp);

        final String admissionHelp = "PeerJS WebSocket admissions, by outcome (spec 3.2).";
        admittedOpen = metrics.counter(ADMISSIONS, "result=\"open\"", admissionHelp);
        admittedTakeover = metrics.counter(ADMISSIONS, "result=\"takeover\"", admissionHelp);
        refusedNoParameters = metrics.counter(ADMISSIONS, "result=\"no_parameters\"", admissionHelp);
        refusedInvalidKey = metrics.counter(ADMISSIONS, "result=\"invalid_key\"", admissionHelp);
        refusedIdTaken = metrics.counter(ADMISSIONS, "result=\"id_taken\"", admissionHelp);
        refusedConcurrentLimit = metrics.counter(ADMISSIONS, "result=\"concurrent_limit\"", admissionHelp);
        refusedHostLimit = metrics.counter(ADMISSIONS, "result=\"host_limit\"", admissionHelp);
        refusedClusterBusy = metrics.counter(ADMISSIONS, "result=\"cluster_busy\"", admissionHelp);
        refusedClusterTooLong = metrics.counter(ADMISSIONS, "result=\"cluster_too_long\"", admissionHelp);

        final String framesHelp = "PeerJS client frames, by type; ignored, invalid (not a JSON object) and " +
            "unregistered (from a socket that holds no id) are dropped.";
        for (final MessageType type : MessageType.values())
        {
            framesByType.put(type, metrics.counter(FRAMES, "type=\"" + type.counterLabel() + "\"", framesHelp));
        }
        framesIgnored = metrics.counter(FRAMES, "type=\"ignored\"", framesHelp);
        framesInvalid = metrics.counter(FRAMES, "type=\"invalid\"", framesHelp);
        framesUnregistered = metrics.counter(FRAMES, "type=\"unregistered\"", framesHelp);

        final String relayHelp = "PeerJS relayed messages, by result.";
        relayDelivered = metrics.counter(RELAYS, "result=\"delivered\"", relayHelp);
        relayQueued = metrics.counter(RELAYS, "result=\"queued\"", relayHelp);
        relayDroppedOffline = metrics.counter(RELAYS, "result=\"dropped_offline\"", relayHelp);
        relayDroppedNoDst = metrics.counter(RELAYS, "result=\"dropped_no_dst\"", relayHelp);
        relayDroppedQueueFull = metrics.counter(RELAYS, "result=\"dropped_queue_full\"", relayHelp);
        relayDeliveryFailed = metrics.counter(RELAYS, "result=\"delivery_failed\"", relayHelp);
        relayDroppedInboxFull = metrics.counter(RELAYS, "result=\"dropped_inbox_full\"", relayHelp);
        relaySentToNode = metrics.counter(RELAYS, "result=\"sent_to_node\"", relayHelp);
        relayDroppedOutboxFull = metrics.counter(RELAYS, "result=\"dropped_outbox_full\"", relayHelp);
        relayDroppedTooLong = metrics.counter(RELAYS, "result=\"dropped_too_long_for_links\"", relayHelp);
        final String claimsHelp = "Cluster claims of PeerJS ids (every live peer node asked before OPEN), by result.";
        claimsConfirmed = metrics.counter(CLAIMS, "result=\"confirmed\"", claimsHelp);
        claimsTaken = metrics.counter(CLAIMS, "result=\"taken\"", claimsHelp);
        claimsTimedOut = metrics.counter(CLAIMS, "result=\"timed_out\"", claimsHelp);
        claimsAbandoned = metrics.counter(CLAIMS, "result=\"abandoned\"", claimsHelp);
        claimsUnsent = metrics.counter(CLAIMS, "result=\"unsent\"", claimsHelp);
        final String clusterHelp = "PeerJS messages to other cluster nodes that were not sent, by reason.";
        clusterOutboxFull = metrics.counter(CLUSTER_LOST, "reason=\"outbox_full\"", clusterHelp);
        clusterDirectoryFull = metrics.counter(CLUSTER_LOST, "reason=\"directory_full\"", clusterHelp);
        clusterRemoteIds = metrics.gauge("switchboard_peerjs_cluster_remote_ids", "",
            "PeerJS ids held by other cluster nodes, as this node's directory knows them.");
        queuesExpired = metrics.counter("switchboard_peerjs_queues_expired_total", "",
            "Offline queues dropped after the expire timeout.");
        expireSent = metrics.counter("switchboard_peerjs_expire_sent_total", "",
            "EXPIRE notices routed to senders of expired messages, one per (src, dst).");
        leaveDeregistered = metrics.counter("switchboard_peerjs_leave_deregistered_total", "",
            "Ids given up by a LEAVE without dst.");

        connectionsOpened = metrics.counter("switchboard_peerjs_connections_opened_total", "",
            "PeerJS WebSocket connections accepted.");
        connectionsClosed = metrics.counter("switchboard_peerjs_connections_closed_total", "",
            "PeerJS WebSocket connections closed, by either side.");
        final String closesHelp = "PeerJS WebSocket connections the server closed, by cause (admission refusals " +
            "are counted as admissions).";
        closedAliveTimeout = metrics.counter(CLOSES, "cause=\"alive_timeout\"", closesHelp);
        closedTakenOver = metrics.counter(CLOSES, "cause=\"taken_over\"", closesHelp);
        closedFrameTooLarge = metrics.counter(CLOSES, "cause=\"frame_too_large\"", closesHelp);
        closedSlowConsumer = metrics.counter(CLOSES, "cause=\"slow_consumer\"", closesHelp);
        closedProtocolError = metrics.counter(CLOSES, "cause=\"protocol_error\"", closesHelp);
        closedClusterConflict = metrics.counter(CLOSES, "cause=\"cluster_conflict\"", closesHelp);

        openConnections = metrics.gauge("switchboard_peerjs_open_connections", "",
            "Open PeerJS WebSocket connections, registered or not.");
        registeredClients = metrics.gauge("switchboard_peerjs_clients", "", "Registered PeerJS ids.");
        queuedMessages = metrics.gauge("switchboard_peerjs_queued_messages", "",
            "Messages waiting for offline ids.");
    }

    AtomicCounter frames(final MessageType type)
    {
        return framesByType.get(type);
    }
}
