package io.switchboard.edge;

import io.switchboard.cluster.ClusterContext;
import io.switchboard.edge.dop.DopContext;
import io.switchboard.edge.http.HttpEdgeContext;
import io.switchboard.edge.metaverse.MetaverseContext;
import io.switchboard.edge.peerjs.PeerJsContext;
import io.switchboard.edge.rendezvous.RendezvousContext;
import io.switchboard.edge.tls.TlsContext;
import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.config.Flags;
import io.switchboard.engine.ice.IceContext;
import io.switchboard.engine.pulse.PulseContext;
import io.switchboard.engine.table.TableFiles;
import io.switchboard.protocol.proxy.TrustedProxies;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The composition root's half that reads options: each component's context filled from the parsed command line and
 * concluded, once, at start. Option names live here and in {@link Appliance} (the data dir, the admin listener and
 * the appliance-wide WebSocket budget); the components see their own context and nothing of {@link Options}, so no
 * protocol package depends on this one ({@code PackageCycleTest}).
 */
final class Contexts
{
    /** The reference ICE server's (and domain server's) metaverse variable. */
    static final String METAVERSE_URL_VARIABLE = "HIFI_METAVERSE_URL";

    private Contexts()
    {
    }

    static EngineContext engine(final Flags options)
    {
        return new EngineContext()
            .bindAddress(options.string("bind-address"))
            .maxDatagramBytes(options.intValue("max-datagram-bytes"))
            .socketBufferBytes(options.intValue("socket-buffer-bytes"))
            .ringSize(options.intValue("ring-size"))
            .threading(options.choice("engine-threading", EngineContext.Threading.class))
            .waitStrategy(options.choice("engine-wait", EngineContext.HandlerWait.class))
            .tickIntervalMs(options.longValue("engine-tick-ms"))
            .conclude();
    }

    /** The ICE server's context; its buffers follow the engine's datagram size. */
    static IceContext ice(final Flags options, final EngineContext engine)
    {
        return ice(options, engine, System::getenv);
    }

    /**
     * As {@link #ice(Flags, EngineContext)}, reading the environment from {@code environment}: without
     * {@code --metaverse-url}, a non-blank {@code HIFI_METAVERSE_URL} is the metaverse, as for the reference ICE server.
     */
    static IceContext ice(final Flags options, final EngineContext engine, final UnaryOperator<String> environment)
    {
        final String fromEnvironment = environment.apply(METAVERSE_URL_VARIABLE);
        final String metaverseUrl = options.optional("metaverse-url") != null ? options.optional("metaverse-url") :
            fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.strip();
        final IceContext context = new IceContext()
            .icePort(options.intValue("ice-port"))
            .metaverseUrl(metaverseUrl)
            .icePeerTimeoutMs(options.longValue("ice-peer-timeout-ms"))
            .iceMaxDomains(options.intValue("ice-max-domains"))
            .iceQueryRate(options.intValue("ice-query-rate"))
            .iceQueryBurst(options.intValue("ice-query-burst"))
            .iceVerifyRate(options.intValue("ice-verify-rate"))
            .iceVerifyBurst(options.intValue("ice-verify-burst"))
            .keyFetchTimeoutMs(options.longValue("key-fetch-timeout-ms"))
            .keyFetchBackoffMs(options.longValue("key-fetch-backoff-ms"))
            .keyFetchMaxBackoffMs(options.longValue("key-fetch-max-backoff-ms"))
            .keyFetchRate(options.intValue("key-fetch-rate"))
            .rateLimitSlots(options.intValue("rate-limit-slots"))
            .iceVerifyProvider(options.choice("ice-verify-provider", IceContext.VerifyProvider.class))
            .icePeerInfoRate(options.intValue("ice-peer-info-rate"))
            .keyFetchRatePerHost(options.intValue("key-fetch-rate-per-host"))
            .maxDatagramBytes(engine.maxDatagramBytes());
        options.values("domain-key").forEach(context::addDomainKey);
        return context.conclude();
    }

    static PulseContext pulse(final Flags options, final TableFiles tableFiles)
    {
        return new PulseContext()
            .port(options.intValue("pulse-port"))
            .registerGraceMs(options.longValue("pulse-register-grace-ms"))
            .pulseTtlMs(options.longValue("pulse-ttl-ms"))
            .errorTimeMs(options.longValue("pulse-error-time-ms"))
            .maxClients(options.intValue("pulse-max-clients"))
            .tableFiles(tableFiles)
            .conclude();
    }

    static HttpEdgeContext httpEdge(final Flags options)
    {
        return new HttpEdgeContext()
            .requestParseTimeoutMs(options.intValue("http-request-parse-timeout-ms"))
            .idleTimeoutMs(options.intValue("http-idle-timeout-ms"))
            .maxConnectionsPerHost(options.intValue("max-connections-per-host"))
            .fdReserve(options.intValue("fd-reserve"))
            .trustedProxies(TrustedProxies.parse(options.optional("trusted-proxies")))
            .proxyProtocol(options.booleanValue("proxy-protocol"))
            .conclude();
    }

    static TlsContext tls(final Flags options)
    {
        final String cert = options.optional("tls-cert");
        final String key = options.optional("tls-key");
        return new TlsContext()
            .certFile(cert == null ? null : Path.of(cert))
            .keyFile(key == null ? null : Path.of(key))
            .listeners(options.string("tls-listeners"))
            .checkIntervalMs(options.longValue("tls-check-interval-ms"))
            .maxHandshakes(options.intValue("tls-max-handshakes"))
            .maxHandshakesPerHost(options.intValue("tls-max-handshakes-per-host"))
            .handshakeThreads(options.intValue("tls-handshake-threads"))
            .releaseEngine(options.booleanValue("tls-release-engine"))
            .conclude();
    }

    static RendezvousContext rendezvous(final Flags options)
    {
        return new RendezvousContext()
            .bindAddress(options.string("bind-address"))
            .port(options.intValue("rendezvous-port"))
            .engineTimeoutMs(options.longValue("rendezvous-timeout-ms"))
            .registerRatePerMinute(options.intValue("rendezvous-register-rate"))
            .registerBurst(options.intValue("rendezvous-register-burst"))
            .rateLimitSlots(options.intValue("rate-limit-slots"))
            .registerGraceMs(options.longValue("pulse-register-grace-ms"))
            .maxRegistrations(options.intValue("pulse-max-clients"))
            .conclude();
    }

    /** The metaverse API's context; the ICE port is the engine's bound one, advertised by metaverse_info. */
    static MetaverseContext metaverse(final Flags options, final int icePort)
    {
        return new MetaverseContext()
            .bindAddress(options.string("bind-address"))
            .port(options.intValue("metaverse-port"))
            .allowTempDomains(options.booleanValue("allow-temp-domains"))
            .tempDomainRatePerMinute(options.intValue("temp-domain-rate"))
            .tempDomainBurst(options.intValue("temp-domain-burst"))
            .rateLimitSlots(options.intValue("rate-limit-slots"))
            .adminToken(options.optional("admin-token"))
            .domainActiveSeconds(options.longValue("domain-active-seconds"))
            .tempDomainTtlSeconds(options.longValue("temp-domain-ttl"))
            .maxBodyBytes(options.intValue("metaverse-max-body-bytes"))
            .maxDomains(options.intValue("metaverse-max-domains"))
            .name(options.string("metaverse-name"))
            .publicUrl(options.optional("metaverse-public-url"))
            .corsOrigins(options.values("metaverse-cors"))
            .softSyncMs(options.longValue("cluster-soft-sync-ms"))
            .icePort(icePort)
            .conclude();
    }

    /** The cluster this node is a member of, concluded; null when --cluster-members is unset (one box). */
    static ClusterContext cluster(final Flags options, final Path dataDir)
    {
        final String members = options.optional("cluster-members");
        if (members == null)
        {
            return null;
        }
        final String dir = options.optional("cluster-dir");
        return new ClusterContext()
            .members(members)
            .nodeIndex(options.intValue("cluster-node"))
            .clusterDir((dir == null ? dataDir.resolve("cluster") : Path.of(dir)).toFile())
            .clientTimeoutMs(options.longValue("cluster-timeout-ms"))
            .maxParkUs(options.longValue("cluster-max-park-us"))
            .ioParkUs(options.longValue("cluster-io-park-us"))
            .snapshotIntervalMs(ClusterContext.parseInterval(
                "--cluster-snapshot-interval", options.string("cluster-snapshot-interval")))
            .conclude();
    }

    static PeerJsContext peerJs(final Flags options)
    {
        return new PeerJsContext()
            .bindAddress(options.string("bind-address"))
            .port(options.intValue("peerjs-port"))
            .path(options.string("peerjs-path"))
            .key(options.string("peerjs-key"))
            .expireTimeoutMs(options.longValue("peerjs-expire-timeout-ms"))
            .aliveTimeoutMs(options.longValue("peerjs-alive-timeout-ms"))
            .concurrentLimit(options.intValue("peerjs-concurrent-limit"))
            .maxIdsPerHost(options.intValue("peerjs-max-ids-per-host"))
            .allowDiscovery(options.booleanValue("peerjs-allow-discovery"))
            .corsOrigins(options.values("peerjs-cors"))
            .maxFrameBytes(options.intValue("peerjs-max-frame-bytes"))
            .maxConnections(options.intValue("peerjs-max-connections"))
            .ioThreads(options.intValue("peerjs-io-threads"))
            .maxQueuedPerId(options.intValue("peerjs-max-queued-per-id"))
            .maxQueued(options.intValue("peerjs-max-queued"))
            .maxSendBufferBytes(options.longValue("peerjs-max-send-buffer-bytes"))
            .relayInboxBytes(options.intValue("peerjs-relay-inbox-bytes"))
            .conclude();
    }

    static DopContext dop(final Flags options)
    {
        return new DopContext()
            .path(options.string("dop-path"))
            .retentionMs(options.longValue("dop-retention-ms"))
            .handshakeTimeoutMs(options.longValue("dop-handshake-timeout-ms"))
            .maxQueuedMessages(options.intValue("dop-max-queued-messages"))
            .maxQueuedBytes(options.intValue("dop-max-queued-bytes"))
            .halfOpenTakeover(options.booleanValue("dop-half-open-takeover"))
            .maxSessions(options.intValue("dop-max-sessions"))
            .conclude();
    }
}
