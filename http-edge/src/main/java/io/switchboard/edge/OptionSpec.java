package io.switchboard.edge;

import io.switchboard.cluster.ClusterContext;
import io.switchboard.edge.admin.Console;
import io.switchboard.edge.dop.DopContext;
import io.switchboard.edge.http.HttpEdgeContext;
import io.switchboard.edge.metaverse.MetaverseContext;
import io.switchboard.edge.peerjs.PeerJsContext;
import io.switchboard.edge.rendezvous.RendezvousContext;
import io.switchboard.edge.tls.TlsContext;
import io.switchboard.edge.websocket.PartialBudget;
import io.switchboard.engine.config.Choices;
import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.config.Flag;
import io.switchboard.engine.config.FlagSet;
import io.switchboard.engine.ice.IceContext;
import io.switchboard.engine.pulse.PulseContext;
import io.switchboard.engine.table.TableFiles;

import java.util.List;

/**
 * The appliance's options, declared once each with its default (taken from the component context that owns it) and
 * its help: the single list that parsing ({@link Options}), {@code --help} and docs/options.md follow. {@code --help} itself
 * is the parser's.
 */
public final class OptionSpec
{
    public static final String DEFAULT_DATA_DIR = "./data";
    public static final int DEFAULT_ADMIN_PORT = 9090;
    public static final String DEFAULT_ADMIN_BIND_ADDRESS = "127.0.0.1";

    public static final List<Flag> ALL = List.of(
        new Flag(FlagSet.CONFIG, "FILE", null, false, "Read options from FILE (name=value lines); flags win."),
        new Flag("data-dir", "DIR", DEFAULT_DATA_DIR, false,
            "Where persisted tables live; one appliance per directory (locked)."),
        new Flag("log-level", Choices.hint(Logging.Verbosity.class), Logging.DEFAULT_LEVEL, false,
            "switchboard's own log level (libraries log at warn)."),
        new Flag("log-format", Choices.hint(Logging.Format.class), Logging.DEFAULT_FORMAT, false,
            "Log lines as plain text or JSON (one object per line: time, level, logger, thread, message, error)."),
        new Flag("log-file", "FILE", null, false,
            "Log to FILE, rolled at 100 MB into FILE.1 .. FILE.5; unset = stderr."),
        new Flag("access-log", "FILE", null, false,
            "One Common Log Format line per HTTP request (metaverse, rendezvous, PeerJS) to FILE, rolled as the log."),
        new Flag("bind-address", "ADDR[,ADDR]", EngineContext.DEFAULT_BIND_ADDRESS, false,
            "Addresses every listener binds to, at most one IPv4 and one IPv6; :: (default) is dual-stack, " +
            "0.0.0.0 where the machine has no IPv6."),
        new Flag("ice-port", "PORT", Integer.toString(IceContext.DEFAULT_ICE_PORT), false,
            "UDP port of the ICE server (0 = any free port)."),
        new Flag("pulse-port", "PORT", Integer.toString(PulseContext.DEFAULT_PORT), false,
            "UDP port of the rendezvous pulses (0 = any free port; the original's code used 5027)."),
        new Flag("rendezvous-port", "PORT", Integer.toString(RendezvousContext.DEFAULT_PORT), false,
            "HTTP port of the rendezvous API: /register, /verify, /logout, /peer/ID/udp (0 = any free port)."),
        new Flag("pulse-register-grace-ms", "MS", Long.toString(PulseContext.DEFAULT_REGISTER_GRACE_MS), false,
            "A new client stays Online this long before its first pulse is due."),
        new Flag("pulse-ttl-ms", "MS", Long.toString(PulseContext.DEFAULT_PULSE_TTL_MS), false,
            "Each on-time pulse (or verify) keeps a client Online this long; clients should pulse every 20-25 s."),
        new Flag("pulse-error-time-ms", "MS", Long.toString(PulseContext.DEFAULT_ERROR_TIME_MS), false,
            "A client that missed its deadline stays Pending this long, then it and its key are forgotten."),
        new Flag("pulse-max-clients", "N", Integer.toString(PulseContext.DEFAULT_MAX_CLIENTS), false,
            "Most registered clients (persisted table data-dir/pulse-clients-N.dat; a new N copies it over)."),
        new Flag("rendezvous-register-rate", "PER_MIN",
            Integer.toString(RendezvousContext.DEFAULT_REGISTER_RATE_PER_MINUTE), false,
            "Registrations per minute per source host (token bucket refill); more get 429."),
        new Flag("rendezvous-register-burst", "N", Integer.toString(RendezvousContext.DEFAULT_REGISTER_BURST),
            false, "Token bucket size for registrations per source host."),
        new Flag("rendezvous-timeout-ms", "MS", Long.toString(RendezvousContext.DEFAULT_ENGINE_TIMEOUT_MS),
            false, "How long a rendezvous request waits for the engine before answering 503."),
        new Flag("admin-port", "PORT", Integer.toString(DEFAULT_ADMIN_PORT), false,
            "HTTP port of /healthz and /metrics (0 = any free port)."),
        new Flag("admin-bind-address", "ADDR", DEFAULT_ADMIN_BIND_ADDRESS, false,
            "Address the admin listener (/healthz, /metrics, POST /backup) binds to; loopback only by default."),
        new Flag("console-max-viewers", "N", Integer.toString(Console.DEFAULT_MAX_VIEWERS), false,
            "Live console streams (admin listener, GET /) open at once; more get 503."),
        new Flag("peerjs-port", "PORT", Integer.toString(PeerJsContext.DEFAULT_PORT), false,
            "HTTP and WebSocket port of the PeerJS signaling server (0 = any free port)."),
        new Flag("peerjs-path", "PATH", PeerJsContext.DEFAULT_PATH, false,
            "PeerJS mount path: HTTP API under PATH, WebSocket at PATH/peerjs."),
        new Flag("peerjs-key", "KEY", PeerJsContext.DEFAULT_KEY, false,
            "PeerJS key a WebSocket must present (the HTTP API does not check it, as the reference)."),
        new Flag("peerjs-expire-timeout-ms", "MS", Long.toString(PeerJsContext.DEFAULT_EXPIRE_TIMEOUT_MS), false,
            "Messages for an offline id are dropped this long after the first, and each sender gets EXPIRE."),
        new Flag("peerjs-alive-timeout-ms", "MS", Long.toString(PeerJsContext.DEFAULT_ALIVE_TIMEOUT_MS), false,
            "Close a PeerJS socket that sent no HEARTBEAT for this long (the reference CLI's 60 s)."),
        new Flag("peerjs-concurrent-limit", "N", Integer.toString(PeerJsContext.DEFAULT_CONCURRENT_LIMIT),
            false, "Most registered PeerJS ids; more get ERROR \"Server has reached its concurrent user limit\"."),
        new Flag("peerjs-max-ids-per-host", "N", Integer.toString(PeerJsContext.DEFAULT_MAX_IDS_PER_HOST), false,
            "Most PeerJS and dop ids registered from one client address; more get an ERROR message and are closed."),
        new Flag("peerjs-allow-discovery", "BOOL", "false", false,
            "Serve GET PATH/KEY/peers (the list of registered ids); otherwise 401."),
        new Flag("peerjs-cors", "ORIGIN", null, true,
            "Allow only this Origin in CORS responses; repeatable; unset = reflect any Origin."),
        new Flag("peerjs-max-frame-bytes", "N", Integer.toString(PeerJsContext.DEFAULT_MAX_FRAME_BYTES), false,
            "Longer PeerJS WebSocket messages get close 1009 (the reference's 100 MiB)."),
        new Flag("peerjs-io-threads", "N", Integer.toString(PeerJsContext.DEFAULT_IO_THREADS), false,
            "Signaling agents of the PeerJS and dop port: N threads that accept, answer HTTP and handshakes and own " +
            "the PeerJS and dop sockets; with one, a relay never hops threads."),
        new Flag("peerjs-max-connections", "N", Integer.toString(PeerJsContext.DEFAULT_MAX_CONNECTIONS), false,
            "Most open PeerJS WebSockets, registered or not; more upgrades get 503."),
        new Flag("peerjs-max-queued-per-id", "N", Integer.toString(PeerJsContext.DEFAULT_MAX_QUEUED_PER_ID),
            false, "Most messages waiting for one offline id; more are counted and dropped."),
        new Flag("peerjs-max-queued", "N", Integer.toString(PeerJsContext.DEFAULT_MAX_QUEUED), false,
            "Most messages waiting for offline ids, all together; more are counted and dropped."),
        new Flag("peerjs-max-send-buffer-bytes", "N", Long.toString(PeerJsContext.DEFAULT_MAX_SEND_BUFFER_BYTES),
            false, "A PeerJS socket with more unsent bytes than this is closed as a slow consumer."),
        new Flag("peerjs-relay-inbox-bytes", "N", Integer.toString(PeerJsContext.DEFAULT_RELAY_INBOX_BYTES), false,
            "Each PeerJS IO thread's inbox (power of two) for frames relayed to its ids from another; over it, " +
            "counted and dropped."),
        new Flag("dop-path", "PATH", DopContext.DEFAULT_PATH, false,
            "WebSocket path of the dop protocol (resumable sessions carrying PeerJS signaling) on the PeerJS port."),
        new Flag("dop-retention-ms", "MS", Long.toString(DopContext.DEFAULT_RETENTION_MS), false,
            "A dop session whose socket closed waits this long for its client to resume it, then it is forgotten."),
        new Flag("dop-handshake-timeout-ms", "MS", Long.toString(DopContext.DEFAULT_HANDSHAKE_TIMEOUT_MS), false,
            "Close a dop socket whose token handshake has not completed within this time."),
        new Flag("dop-max-queued-messages", "N", Integer.toString(DopContext.DEFAULT_MAX_QUEUED_MESSAGES), false,
            "Most frames waiting for one dop session; over it the oldest are dropped and counted."),
        new Flag("dop-max-queued-bytes", "N", Integer.toString(DopContext.DEFAULT_MAX_QUEUED_BYTES), false,
            "Most bytes waiting for one dop session; over it the oldest frames are dropped and counted."),
        new Flag("dop-max-sessions", "N", Integer.toString(DopContext.DEFAULT_MAX_SESSIONS), false,
            "Most open dop sockets (beyond: 503) and most sessions kept, connected or retained (beyond: close 1008)."),
        new Flag("dop-half-open-takeover", "BOOL", Boolean.toString(DopContext.DEFAULT_HALF_OPEN_TAKEOVER),
            false, "A final token presented while its session's socket looks open takes the session over; false: " +
            "refuse it (the reference)."),
        new Flag("metaverse-url", "URL", null, false,
            "Fetch unknown domains' keys from GET {URL}/api/v1/domains/{id}/public_key; unset = the environment's " +
            "HIFI_METAVERSE_URL, as the reference ICE server, else local keys only."),
        new Flag("domain-key", "UUID:BASE64_SPKI", null, true,
            "Register a domain's RSA public key (SPKI DER, base64); repeatable."),
        new Flag("metaverse-port", "PORT", Integer.toString(MetaverseContext.DEFAULT_PORT), false,
            "HTTP port of the metaverse domain API (0 = any free port)."),
        new Flag("allow-temp-domains", "BOOL", Boolean.toString(MetaverseContext.DEFAULT_ALLOW_TEMP_DOMAINS),
            false, "Let domain-servers create temporary domains (POST /api/v1/domains/temporary)."),
        new Flag("temp-domain-rate", "PER_MIN",
            Integer.toString(MetaverseContext.DEFAULT_TEMP_DOMAIN_RATE_PER_MINUTE), false,
            "Temporary domains created per minute per source host (token bucket refill); more get 429."),
        new Flag("temp-domain-burst", "N", Integer.toString(MetaverseContext.DEFAULT_TEMP_DOMAIN_BURST), false,
            "Token bucket size for temporary domains per source host."),
        new Flag("temp-domain-ttl", "SECONDS", Long.toString(MetaverseContext.DEFAULT_TEMP_DOMAIN_TTL_SECONDS),
            false, "Remove a temporary domain after this many seconds without a heartbeat PUT (604800 = 7 days)."),
        new Flag("domain-active-seconds", "SECONDS",
            Long.toString(MetaverseContext.DEFAULT_DOMAIN_ACTIVE_SECONDS), false,
            "A domain is active (and shows its users) this long after its last heartbeat PUT."),
        new Flag("admin-token", "TOKEN", null, false,
            "Bearer token (16+ chars) for POST and DELETE /api/v1/domains; unset = operator endpoints refused."),
        new Flag("metaverse-max-body-bytes", "N", Integer.toString(MetaverseContext.DEFAULT_MAX_BODY_BYTES),
            false, "Larger metaverse request bodies are refused with 413."),
        new Flag("metaverse-max-domains", "N", Integer.toString(MetaverseContext.DEFAULT_MAX_DOMAINS), false,
            "Capacity of the persisted domain registry (data-dir/domains.cm3); fixed when the file is created."),
        new Flag("metaverse-name", "NAME", MetaverseContext.DEFAULT_NAME, false,
            "metaverse_name in GET /api/metaverse_info."),
        new Flag("metaverse-public-url", "URL", null, false,
            "metaverse_url in GET /api/metaverse_info; unset = taken from the request's Host header."),
        new Flag("metaverse-cors", "ORIGIN", null, true,
            "Allow only this Origin on the metaverse API (CORS, preflight answered as Iamus); repeatable; unset = *."),
        new Flag("ice-peer-timeout-ms", "MS", Long.toString(IceContext.DEFAULT_ICE_PEER_TIMEOUT_MS), false,
            "Forget a domain after this long without a verified heartbeat."),
        new Flag("ice-max-domains", "N", Integer.toString(IceContext.DEFAULT_ICE_MAX_DOMAINS), false,
            "Most domains heartbeating at once (off-heap table size)."),
        new Flag("ice-query-rate", "PER_S", Integer.toString(IceContext.DEFAULT_ICE_QUERY_RATE), false,
            "Queries answered per second per source host (token bucket refill)."),
        new Flag("ice-query-burst", "N", Integer.toString(IceContext.DEFAULT_ICE_QUERY_BURST), false,
            "Token bucket size for queries per source host."),
        new Flag("ice-verify-rate", "PER_S", Integer.toString(IceContext.DEFAULT_ICE_VERIFY_RATE), false,
            "Full RSA verifications per second per source host; heartbeats over it are dropped (counted)."),
        new Flag("ice-verify-burst", "N", Integer.toString(IceContext.DEFAULT_ICE_VERIFY_BURST), false,
            "Token bucket size for full verifications per source host."),
        new Flag("key-fetch-timeout-ms", "MS", Long.toString(IceContext.DEFAULT_KEY_FETCH_TIMEOUT_MS), false,
            "Timeout of one metaverse key fetch."),
        new Flag("key-fetch-backoff-ms", "MS", Long.toString(IceContext.DEFAULT_KEY_FETCH_BACKOFF_MS), false,
            "First retry delay after a failed key fetch; doubles per failure."),
        new Flag("key-fetch-max-backoff-ms", "MS",
            Long.toString(IceContext.DEFAULT_KEY_FETCH_MAX_BACKOFF_MS), false, "Longest retry delay."),
        new Flag("key-fetch-rate", "PER_S", Integer.toString(IceContext.DEFAULT_KEY_FETCH_RATE), false,
            "Most key fetches started per second, all domains together."),
        new Flag("max-datagram-bytes", "N", Integer.toString(EngineContext.DEFAULT_MAX_DATAGRAM_BYTES), false,
            "Longer datagrams are counted and dropped."),
        new Flag("socket-buffer-bytes", "N", Integer.toString(EngineContext.DEFAULT_SOCKET_BUFFER_BYTES), false,
            "SO_RCVBUF and SO_SNDBUF of the UDP listeners."),
        new Flag("ring-size", "N", Integer.toString(EngineContext.DEFAULT_RING_SIZE), false,
            "Slots in the engine's ring (power of two); datagrams arriving when it is full are counted and dropped."),
        new Flag("engine-threading", Choices.hint(EngineContext.Threading.class),
            Choices.flagValue(EngineContext.DEFAULT_THREADING), false,
            "shared: the UDP receiver and the handler run on one thread; dedicated: one thread each."),
        new Flag("engine-wait", Choices.hint(EngineContext.HandlerWait.class),
            Choices.flagValue(EngineContext.DEFAULT_WAIT_STRATEGY), false, "How the dedicated handler thread waits."),
        new Flag("engine-tick-ms", "MS", Long.toString(EngineContext.DEFAULT_TICK_INTERVAL_MS), false,
            "Interval of the engine's timer signal: ICE and pulse deadlines fire at most one tick late."),
        new Flag("rate-limit-slots", "N", Integer.toString(IceContext.DEFAULT_RATE_LIMIT_SLOTS), false,
            "Per-host token buckets (power of two); hosts whose hashes collide share one."),
        new Flag("recover-data", "BOOL", "false", false,
            "Move a damaged table file aside (kept, timestamped) and recover what can be read into a fresh table; " +
            "false: refuse to start."),
        new Flag("data-open-timeout-ms", "MS", Long.toString(TableFiles.DEFAULT_OPEN_TIMEOUT_MS), false,
            "Longest one table file's checks and open may take; beyond it the appliance refuses to start."),
        new Flag("backup-dir", "DIR", null, false,
            "Where POST /backup?name=NAME on the admin port writes a copy of every table; unset = backups refused."),
        new Flag("ice-verify-provider", Choices.hint(IceContext.VerifyProvider.class),
            Choices.flagValue(IceContext.DEFAULT_ICE_VERIFY_PROVIDER), false,
            "RSA verification of heartbeats: auto = native (Amazon Corretto Crypto Provider) where it loads, else JDK."),
        new Flag("ice-peer-info-rate", "PER_S", Integer.toString(IceContext.DEFAULT_ICE_PEER_INFO_RATE),
            false, "PeerInformation packets sent to one domain per second (token bucket); more are dropped (counted)."),
        new Flag("key-fetch-rate-per-host", "PER_S",
            Integer.toString(IceContext.DEFAULT_KEY_FETCH_RATE_PER_HOST), false,
            "Key fetches one source host's heartbeats may start per second (within --key-fetch-rate)."),
        new Flag("ws-max-partial-bytes-per-socket", "N", Long.toString(PartialBudget.DEFAULT_PER_SOCKET_BYTES),
            false, "Longest message (or frame) one WebSocket, PeerJS or dop, may send unfinished; longer ones get 1009."),
        new Flag("ws-partial-budget-bytes", "N", Long.toString(PartialBudget.DEFAULT_TOTAL_BYTES), false,
            "Heap all WebSockets together may hold for unfinished frames and messages; a socket that would pass it "
                + "gets 1009."),
        new Flag("http-request-parse-timeout-ms", "MS",
            Integer.toString(HttpEdgeContext.DEFAULT_REQUEST_PARSE_TIMEOUT_MS), false,
            "Every HTTP listener cuts a connection whose request head (or body) is not complete this long after it " +
            "began."),
        new Flag("http-idle-timeout-ms", "MS", Integer.toString(HttpEdgeContext.DEFAULT_IDLE_TIMEOUT_MS), false,
            "Every HTTP listener cuts a connection with no request for this long (upgraded WebSockets are exempt)."),
        new Flag("max-connections-per-host", "N",
            Integer.toString(HttpEdgeContext.DEFAULT_MAX_CONNECTIONS_PER_HOST), false,
            "Open TCP connections one source host may hold on each HTTP listener, WebSockets included; more are " +
            "closed on accept."),
        new Flag("trusted-proxies", "CIDR[,CIDR...]", null, false,
            "Proxies (IPv4/IPv6 blocks or addresses) whose Forwarded, X-Forwarded-For and PROXY header name the " +
            "client that per-host limits and logs use; unset = none, those headers are ignored."),
        new Flag("proxy-protocol", "BOOL", "false", false,
            "Every HTTP listener's connections start with a PROXY protocol v1/v2 header naming the client; a " +
            "connection from a peer outside --trusted-proxies is refused."),
        new Flag("fd-reserve", "N", Integer.toString(HttpEdgeContext.DEFAULT_FD_RESERVE), false,
            "Descriptors kept from the HTTP listeners' connections (the budget is the open file limit less this): " +
            "admin, files, UDP; new connections beyond the budget are closed on accept."),
        new Flag("tls-cert", "FILE", null, false,
            "PEM certificate chain, leaf first; with --tls-key, the --tls-listeners speak only TLS (1.3 and 1.2)."),
        new Flag("tls-key", "FILE", null, false,
            "PEM private key of the certificate, RSA or EC, unencrypted: PKCS#8, PKCS#1 or SEC1."),
        new Flag("tls-listeners", "LIST", TlsContext.DEFAULT_LISTENERS, false,
            "Listeners that speak TLS when --tls-cert is given, of peerjs,metaverse,rendezvous,admin (peerjs: https " +
            "and wss on the PeerJS/dop port)."),
        new Flag("tls-check-interval-ms", "MS", Long.toString(TlsContext.DEFAULT_CHECK_INTERVAL_MS), false,
            "How often the certificate and key files are read for a renewal; a changed valid pair is served to new " +
            "connections."),
        new Flag("tls-max-handshakes", "N", Integer.toString(TlsContext.DEFAULT_MAX_HANDSHAKES), false,
            "TLS handshakes in progress at once over every TLS listener; a connection past it is closed before any " +
            "crypto (counted)."),
        new Flag("tls-max-handshakes-per-host", "N", Integer.toString(TlsContext.DEFAULT_MAX_HANDSHAKES_PER_HOST),
            false, "TLS handshakes in progress at once from one client host (after PROXY); more are closed before " +
            "any crypto (counted)."),
        new Flag("tls-handshake-threads", "N", Integer.toString(TlsContext.DEFAULT_HANDSHAKE_THREADS), false,
            "Threads the PeerJS/dop port's TLS handshakes do their crypto on, off the signaling agents; 0 = on the " +
            "agent that owns the socket."),
        new Flag("tls-release-engine", "BOOL", Boolean.toString(TlsContext.DEFAULT_RELEASE_ENGINE), false,
            "A TLS 1.3 AES-GCM connection of the PeerJS/dop port lets the JDK's TLS engine go after its handshake " +
            "and its records are carried on by the appliance (an idle wss socket then holds a few hundred bytes " +
            "of TLS state instead of ~6 KB); TLS 1.2, ChaCha20 and a JDK laid out otherwise keep the engine."),
        new Flag("cluster-members", "HOST:PORT,...", null, false,
            "The cluster's members in order, the same list on every node; each uses PORT to PORT+4 for Aeron " +
            "Cluster. Unset = one box, the registry applied locally."),
        new Flag("cluster-node", "N", "0", false,
            "This node's index in --cluster-members (0-based)."),
        new Flag("cluster-dir", "DIR", null, false,
            "The cluster's archive and Raft state; unset = DATA_DIR/cluster."),
        new Flag("cluster-timeout-ms", "MS", Long.toString(ClusterContext.DEFAULT_CLIENT_TIMEOUT_MS), false,
            "A durable change not committed within this long is answered 503 (no quorum reachable)."),
        new Flag("cluster-snapshot-interval", "DURATION", "10m", false,
            "How often the leader has every member snapshot the registry, after which each purges its log before " +
            "the retained snapshots (disk stays bounded): ms, or a number with ms, s, m or h; 0 = never."),
        new Flag("cluster-reseed", "BOOL", "false", false,
            "At start, replace this node's cluster state by a copy of the latest snapshot and log from the live " +
            "members, then join: for a member down longer than the others keep their log (/healthz 503)."),
        new Flag("cluster-soft-sync-ms", "MS", Long.toString(MetaverseContext.DEFAULT_SOFT_SYNC_MS), false,
            "Most often a domain's heartbeat time and user counts go through the cluster's log (never per " +
            "heartbeat)."),
        new Flag("cluster-max-park-us", "US", Long.toString(ClusterContext.DEFAULT_MAX_PARK_US), false,
            "Longest sleep of an idle cluster thread (consensus, archive, service, gateway; not the I/O " +
            "thread, see --cluster-io-park-us): lower answers sooner at more idle CPU."),
        new Flag("cluster-io-park-us", "US", Long.toString(ClusterContext.DEFAULT_IO_PARK_US), false,
            "How long the cluster I/O thread (media driver and links) sleeps whenever it finds nothing to do, so " +
            "cross-node traffic goes in fewer datagrams and wake-ups; 0 = back off as the other cluster threads."),
        new Flag("cluster-links-queue-bytes", "BYTES", "1048576", false,
            "Per peer node, the queue of soft traffic (locations, relays) waiting for the links to that node: a " +
            "power of two; a full queue refuses at once, counted in switchboard_links_refused_total{reason=" +
            "\"outbox_full\"}."));


    private OptionSpec()
    {
    }
}
