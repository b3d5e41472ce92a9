package io.switchboard.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.edge.admin.AdminServer;
import io.switchboard.edge.admin.Console;
import io.switchboard.edge.admin.BackupHandler;
import io.switchboard.edge.admin.KernelUdpStats;
import io.switchboard.edge.dop.DopServer;
import io.switchboard.edge.http.HttpEdge;
import io.switchboard.edge.links.LinksAgent;
import io.switchboard.cluster.links.LinksCounters;
import io.switchboard.engine.links.LinkEndpoint;
import io.switchboard.engine.links.LinkOutbox;
import io.switchboard.engine.links.LinkTypes;
import io.switchboard.edge.ice.MetaverseKeyFetcher;
import io.switchboard.edge.metaverse.MetaverseServer;
import io.switchboard.edge.peerjs.PeerJsLinkEndpoint;
import io.switchboard.edge.peerjs.PeerJsServer;
import io.switchboard.edge.registry.Registry;
import io.switchboard.cluster.ClusterContext;
import io.switchboard.edge.rendezvous.RendezvousContext;
import io.switchboard.edge.rendezvous.RendezvousServer;
import io.switchboard.edge.tls.ServerTls;
import io.switchboard.edge.tls.TlsContext;
import io.switchboard.edge.websocket.PartialBudget;
import io.switchboard.engine.config.EngineContext;
import io.switchboard.engine.config.Flags;
import io.switchboard.engine.health.Liveness;
import io.switchboard.engine.ice.IceContext;
import io.switchboard.engine.ice.IceServer;
import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.pipeline.Engine;
import io.switchboard.engine.pipeline.UdpListenerSpec;
import io.switchboard.engine.pulse.PulseContext;
import io.switchboard.engine.pulse.PulseServer;
import io.switchboard.engine.table.TableFiles;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole appliance, assembled from options (read into each component's context by {@link Contexts}): the data
 * dir, the engine with its UDP protocols, and the HTTP listeners. Every thread they start reports to one
 * {@link Liveness}. Closing it sends WebSocket clients a 1001 close, stops the listeners, drains the engine and
 * closes every table.
 */
public final class Appliance implements AutoCloseable
{
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, String> listeners = new LinkedHashMap<>();
    private final Metrics metrics = new Metrics();
    private final Liveness liveness = new Liveness(metrics);
    private final ObjectMapper json = new ObjectMapper();
    private volatile boolean running;
    private Registry registry;

    private Appliance()
    {
    }

    public static Appliance start(final Flags options)
    {
        final Appliance appliance = new Appliance();
        try
        {
            appliance.open(options);
        }
        catch (final RuntimeException ex)
        {
            appliance.close();
            throw ex;
        }
        return appliance;
    }

    private void open(final Flags options)
    {
        final DataDirectory dataDir = new DataDirectory(Path.of(options.string("data-dir")));
        closeables.add(dataDir);
        final TableFiles tableFiles = dataDir.tableFiles(
            options.booleanValue("recover-data"), options.longValue("data-open-timeout-ms"), metrics);

        final ClusterContext clusterContext = Contexts.cluster(options, dataDir.path());
        final LinksCounters linksCounters = clusterContext == null ? null : LinksAgent.counters(clusterContext, metrics);
        final LinkOutbox outbox = clusterContext == null ? null : new LinkOutbox(clusterContext.nodeIndex(),
            clusterContext.memberList().size(), options.intValue("cluster-links-queue-bytes"), linksCounters.outboxFull);
        final EngineContext engineContext = Contexts.engine(options);
        final IceContext iceContext = Contexts.ice(options, engineContext).linkOutbox(outbox);
        final MetaverseKeyFetcher fetcher = iceContext.metaverseUrl() == null ? null :
            new MetaverseKeyFetcher(iceContext.metaverseUrl(), iceContext.keyFetchTimeoutMs(), json,
                liveness.register("switchboard-key-fetch"));
        if (fetcher != null)
        {
            closeables.add(fetcher);
        }

        final PulseContext pulseContext = Contexts.pulse(options, tableFiles).linkOutbox(outbox);
        final RendezvousContext rendezvousContext = Contexts.rendezvous(options);
        final CommandReplies replies = new CommandReplies();
        final HttpEdge edge = new HttpEdge(Contexts.httpEdge(options), metrics, tls(options));
        final List<UdpListenerSpec> udp = List.of(
            new UdpListenerSpec(IceServer.LISTENER, iceContext.icePort(),
                (sender, clock, timers, commands) ->
                    new IceServer(iceContext, metrics, sender, clock, timers, commands, fetcher)),
            new UdpListenerSpec(PulseServer.LISTENER, pulseContext.port(),
                (sender, clock, timers, commands) -> new PulseServer(pulseContext, metrics, sender, clock, timers,
                    replies, liveness.register("switchboard-pulse-persister"))));
        final Engine engine = Engine.launch(engineContext, metrics, liveness, udp);
        closeables.add(engine);
        engine.boundPorts().forEach((name, port) -> listeners.put(name, "udp:" + port));

        final Registry registry = clusterContext == null ?
            Registry.local(metrics) :
            Registry.clustered(clusterContext, metrics, liveness.register("switchboard-cluster"),
                options.booleanValue("cluster-reseed"));
        final RendezvousServer rendezvous = RendezvousServer.open(
            rendezvousContext, engine.commands(), replies, registry, edge, metrics, json);
        closeables.add(rendezvous);
        final MetaverseServer metaverse = MetaverseServer.open(
            Contexts.metaverse(options, engine.boundPort(IceServer.LISTENER)), tableFiles, engine.commands(),
            registry, edge, metrics, json, liveness.register("switchboard-metaverse-sweeper"));
        closeables.add(metaverse);
        // Closed before the tables its replica writes.
        closeables.add(registry);
        registry.start();
        this.registry = registry;
        rendezvous.listen();
        listeners.put(RendezvousServer.LISTENER, scheme(edge, RendezvousServer.LISTENER) + rendezvous.port());
        metaverse.listen();
        listeners.put(MetaverseServer.LISTENER, scheme(edge, MetaverseServer.LISTENER) + metaverse.port());

        final PartialBudget partials = new PartialBudget(
            options.longValue("ws-max-partial-bytes-per-socket"), options.longValue("ws-partial-budget-bytes"),
            metrics);
        final PeerJsServer peerjs = PeerJsServer.start(
            Contexts.peerJs(options).linkOutbox(outbox), edge, metrics, json, partials, liveness);
        closeables.add(peerjs);
        listeners.put(PeerJsServer.LISTENER, scheme(edge, PeerJsServer.LISTENER) + peerjs.port());
        DopServer.mount(Contexts.dop(options), peerjs, metrics, partials); // its sockets close with peerjs's agents
        if (registry.node() != null)
        {
            final Map<Integer, LinkEndpoint> endpoints = new LinkedHashMap<>();
            final LinkEndpoint engineEndpoint = engine.linkEndpoint(metrics);
            endpoints.put(LinkTypes.ICE_FIRST, engineEndpoint);
            endpoints.put(LinkTypes.PULSE_FIRST, engineEndpoint);
            endpoints.put(LinkTypes.PEERJS_FIRST, new PeerJsLinkEndpoint(peerjs.realm()));
            // Closed first: before the owners it hands messages to and the registry's node, whose driver it runs on.
            closeables.add(LinksAgent.start(clusterContext,
                registry.node(), options.longValue("peerjs-alive-timeout-ms"), linksCounters,
                outbox, endpoints, liveness.register(LinksAgent.THREAD)));
        }

        final Map<String, BackupHandler.TableBackup> backups = new LinkedHashMap<>();
        backups.put("pulse_clients", BackupHandler.engineTables(engine.commands(), replies));
        backups.put("domains", metaverse::backupTo);
        final String backupDir = options.optional("backup-dir");
        final Console console = new Console(
            metrics, liveness, () -> running, json, options.intValue("console-max-viewers"));
        closeables.add(console);
        final AdminServer admin = new AdminServer(
            edge, options.string("admin-bind-address"), options.intValue("admin-port"), metrics, liveness, () -> running, json,
            refreshBeforeScrape(new KernelUdpStats(metrics, engine.boundPorts()), registry),
            new BackupHandler(backupDir == null ? null : Path.of(backupDir), backups, metrics, json), console,
            registry::status);
        closeables.add(admin);
        listeners.put("admin", scheme(edge, "admin") + admin.port());
        console.listeners(listeners);
        console.cluster(registry::status);
        registry.awaitJoined();
        running = true;
    }

    /** Before each scrape: the kernel's UDP counters and the cluster's working gauge are read afresh. */
    private static Runnable refreshBeforeScrape(final Runnable kernel, final Registry registry)
    {
        return () ->
        {
            kernel.run();
            registry.status();
        };
    }

    /** The server certificate, watched for renewals, when --tls-cert is given; a bad file fails the start. */
    private ServerTls tls(final Flags options)
    {
        final TlsContext context = Contexts.tls(options);
        if (!context.enabled())
        {
            return null;
        }
        final ServerTls tls = ServerTls.open(context, metrics, liveness.register("switchboard-tls-reload"));
        closeables.add(tls);
        return tls;
    }

    private static String scheme(final HttpEdge edge, final String listener)
    {
        return edge.isTls(listener) ? "https:" : "http:";
    }

    /** Listener name to {@code udp:PORT}, {@code http:PORT} or {@code https:PORT}, in start order. */
    public Map<String, String> listeners()
    {
        return listeners;
    }

    public int port(final String listener)
    {
        final String value = listeners.get(listener);
        if (value == null)
        {
            throw new IllegalArgumentException("no listener " + listener);
        }
        return Integer.parseInt(value.substring(value.indexOf(':') + 1));
    }

    public String readyLine()
    {
        final String cluster = registry == null ? "" : registry.readyField();
        return "switchboard ready " + listenersLine() + (cluster.isEmpty() ? "" : " " + cluster);
    }

    /** {@code cluster=node:N/M role=R leader=L} for the start log line, or empty on one box. */
    public String clusterLine()
    {
        final Registry.Status status = registry == null ? null : registry.status();
        return status == null ? "" : "cluster=node:" + status.node() + "/" + status.members() + " role=" +
            status.role() + " leader=" + (status.leader() == null ? "none" : status.leader());
    }

    /** Every listener as {@code name=proto:port}, in start order, space-separated. */
    public String listenersLine()
    {
        final StringBuilder line = new StringBuilder();
        listeners.forEach((name, address) -> line.append(line.length() == 0 ? "" : " ").append(name).append('=')
            .append(address));
        return line.toString();
    }

    public Metrics metrics()
    {
        return metrics;
    }

    /** Every thread's liveness; the first failure should stop the process (see {@link Main}). */
    public Liveness liveness()
    {
        return liveness;
    }

    /** Closes in reverse start order: HTTP first, then the engine (which flushes tables), the data dir lock last. */
    @Override
    public synchronized void close()
    {
        running = false;
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        closeables.clear();
    }
}
