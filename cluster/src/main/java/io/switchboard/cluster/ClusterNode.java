package io.switchboard.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.status.SystemCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.nio.TransportPoller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * This node's member of the cluster, embedded in its process: a media driver, an archive and a consensus module (each
 * on one thread, sized by the {@link ClusterContext}) and one {@link ClusteredServiceContainer} running the
 * {@link ClusteredService}. The media driver's duty runs on this node's I/O thread ({@value #IO_THREAD}), to which the
 * process adds the node links' agent ({@link #addIoAgent}): what the links drain into their publications is sent in
 * the same duty cycle, and what the driver received is polled in it, with no hand-off between two spinning threads. It owns them and closes them; the process
 * that launched it owns the shutdown signal and passes its termination hook (a cluster shut down by its operator
 * tool runs it).
 * <p>
 * It also owns this node's {@link ClusterHealth} (read by any thread) and its {@link ClusterMaintenance} agent
 * (scheduled snapshots while leading, purges after each snapshot) on a thread of its own.
 * <p>
 * <b>Restart after {@code kill -9}.</b> A killed process leaves its archive and cluster mark files looking active
 * for Aeron's liveness timeout (10 s), and Aeron refuses to start over them. Each start writes its process id to
 * {@value #PID_FILE} in the cluster dir; the next start, finding that process gone, removes the mark files it left
 * (their error logs go with them) so the node starts at once. When the owner cannot be told (no pid file, or its
 * process id is alive), {@link #launch} retries every second up to {@link ClusterContext#startRetryLimitMs()},
 * saying so at each retry. It also removes the default aeron dirs (on tmpfs) that this node's killed processes left
 * behind.
 */
public final class ClusterNode implements AutoCloseable
{
    public static final long START_RETRY_INTERVAL_MS = 1_000;
    public static final String PID_FILE = "node.pid";
    /** Aeron error logs of unclean stops kept in the cluster's dirs (newest first). */
    public static final int KEPT_ERROR_LOGS = 10;
    /** The maintenance agent's tick: a scheduled snapshot is asked for at most this late. */
    public static final long MAINTENANCE_TICK_MS = 10;

    static
    {
        // Before any media driver loads its pollers: with a few transports Agrona's pollers make one receive system
        // call per transport per duty cycle, and the I/O thread's cycles between messages are mostly such empty
        // polls; at 0 each poller makes one selectNow per cycle instead. Cross-node relays cost 12.4-14.5 us of
        // server CPU against 14.8-15.9 without (alternating runs, performance.md). An operator's -D value wins.
        System.getProperties().putIfAbsent(TransportPoller.ITERATION_THRESHOLD_PROP_NAME, "0");
    }

    /** The thread that runs the media driver's duty and the agents added to it. */
    public static final String IO_THREAD = "switchboard-cluster-io";
    /** How long {@link #addIoAgent} and {@link #removeIoAgent} wait for the I/O thread to take or let go an agent. */
    public static final long IO_AGENT_TIMEOUT_MS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterContext context;
    private final MediaDriver mediaDriver;
    private final Archive archive;
    private final ConsensusModule consensusModule;
    private final DynamicCompositeAgent ioAgents;
    /** The agents added to the I/O thread, each in the {@link IoDuty} that tells when its onClose has run. */
    private final Map<Agent, IoDuty> ioDuties = new IdentityHashMap<>();
    private final AgentRunner io;
    private final ClusteredServiceContainer container;
    private final ClusterHealth health;
    private final AgentRunner maintenance;

    private ClusterNode(
        final ClusterContext context,
        final MediaDriver mediaDriver,
        final DynamicCompositeAgent ioAgents,
        final AgentRunner io,
        final Archive archive,
        final ConsensusModule consensusModule,
        final ClusteredServiceContainer container,
        final ClusterHealth health,
        final ErrorHandler errorHandler)
    {
        this.context = context;
        this.mediaDriver = mediaDriver;
        this.ioAgents = ioAgents;
        this.io = io;
        this.archive = archive;
        this.consensusModule = consensusModule;
        this.container = container;
        this.health = health;
        this.maintenance = new AgentRunner(new SleepingMillisIdleStrategy(MAINTENANCE_TICK_MS), errorHandler, null,
            new ClusterMaintenance(context, health, this::requestSnapshot,
                () -> AeronArchive.connect(localArchiveClient(context)), SystemEpochClock.INSTANCE));
        AgentRunner.startOnThread(maintenance);
    }

    /**
     * Starts this node's member with {@code service}; {@code context} must be concluded. {@code errorHandler} gets
     * what the driver, archive, consensus module and service container survive; {@code terminationHook} runs when
     * the cluster is shut down or the driver terminated.
     */
    public static ClusterNode launch(
        final ClusterContext context,
        final ClusteredService service,
        final ErrorHandler errorHandler,
        final Runnable terminationHook)
    {
        removeStaleAeronDirs(context.nodeIndex());
        removeMarkFilesOfAGoneProcess(context);
        pruneErrorLogs(context);
        final ClusterHealth health = new ClusterHealth(
            context.nodeIndex(), context.memberList().size(), context.leaderHeartbeatTimeoutMs());
        health.snapshotFound(latestSnapshotTimeMs(context));
        final ClusteredService observed = new ObservedService(service, health);
        final long startNs = System.nanoTime();
        final long deadlineMs = System.currentTimeMillis() + context.startRetryLimitMs();
        while (true)
        {
            MediaDriver mediaDriver = null;
            AgentRunner io = null;
            Archive archive = null;
            ConsensusModule consensusModule = null;
            try
            {
                final MediaDriver.Context driverContext = driverContext(context, errorHandler, terminationHook)
                    .threadingMode(ThreadingMode.INVOKER); // invoked by this node's I/O thread
                mediaDriver = MediaDriver.launch(driverContext);
                final DynamicCompositeAgent ioAgents =
                    new DynamicCompositeAgent(IO_THREAD, new DriverDuty(mediaDriver.sharedAgentInvoker()));
                io = new AgentRunner(context.newIoIdleStrategy(), errorHandler, null, ioAgents);
                AgentRunner.startOnThread(io); // before the archive and the consensus module, which connect to it
                archive = Archive.launch(archiveContext(context, errorHandler)
                    .aeronDirectoryName(mediaDriver.aeronDirectoryName())
                    .errorCounter(new AtomicCounter(driverContext.countersValuesBuffer(), SystemCounterDescriptor.ERRORS.id())));
                consensusModule = ConsensusModule.launch(consensusContext(context, errorHandler, terminationHook)
                    .aeronDirectoryName(mediaDriver.aeronDirectoryName()));
                final ClusteredServiceContainer container = ClusteredServiceContainer.launch(
                    serviceContext(context, observed, errorHandler, terminationHook));
                health.attach(consensusModule.context());
                LOG.info("cluster node {}/{} started in {} ms: members {}, dir {}, aeron dir {}", context.nodeIndex(),
                    context.memberList().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs),
                    context.members(), context.clusterDir(), context.aeronDir());
                return new ClusterNode(
                    context, mediaDriver, ioAgents, io, archive, consensusModule, container, health, errorHandler);
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietCloseAll(consensusModule, archive, io, mediaDriver);
                if (!isActiveMarkFile(ex) || System.currentTimeMillis() >= deadlineMs)
                {
                    throw ex;
                }
                LOG.warn("cluster node {}: a mark file in {} is still active (a killed process's, until it ages "
                    + "out); retrying in {} ms: {}", context.nodeIndex(), context.clusterDir(),
                    START_RETRY_INTERVAL_MS, ex.getMessage());
                sleep(START_RETRY_INTERVAL_MS);
            }
        }
    }

    public ClusterContext context()
    {
        return context;
    }

    /** The embedded driver's directory: a client on this box (the gateway) connects through it. */
    public String aeronDirectoryName()
    {
        return mediaDriver.aeronDirectoryName();
    }

    /**
     * Runs {@code agent} on this node's I/O thread, after the media driver's duty in each cycle, until
     * {@link #removeIoAgent}; its {@code onStart} and {@code onClose} run on that thread. An exception it throws goes to
     * the node's error handler: an agent that answers to its own health watch catches its own.
     */
    public synchronized void addIoAgent(final Agent agent)
    {
        if (ioDuties.containsKey(agent))
        {
            throw new IllegalStateException(agent.roleName() + " already runs on the cluster I/O thread");
        }
        final IoDuty duty = new IoDuty(agent);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IO_AGENT_TIMEOUT_MS);
        if (!awaitIo(() -> ioAgents.tryAdd(duty), deadlineNs) || !awaitIo(ioAgents::hasAddAgentCompleted, deadlineNs))
        {
            throw new IllegalStateException("the cluster I/O thread did not take " + agent.roleName() + " within " +
                IO_AGENT_TIMEOUT_MS + " ms");
        }
        ioDuties.put(agent, duty);
    }

    /**
     * Stops running {@code agent}: returns once its {@code onClose} has run on the I/O thread (the composite marks a
     * removal done before it closes the agent, so this waits for the close itself); false if that did not happen in
     * time or the agent was not added.
     */
    public synchronized boolean removeIoAgent(final Agent agent)
    {
        final IoDuty duty = ioDuties.remove(agent);
        if (null == duty)
        {
            return false;
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IO_AGENT_TIMEOUT_MS);
        return awaitIo(() -> ioAgents.tryRemove(duty), deadlineNs) && awaitIo(duty::closed, deadlineNs);
    }

    /** Retries {@code step} (one add or remove at a time on the I/O thread) until it holds; false past the deadline. */
    private boolean awaitIo(final BooleanSupplier step, final long deadlineNs)
    {
        while (!step.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs || io.isClosed())
            {
                return false;
            }
            sleep(1);
        }
        return true;
    }

    /** Role, leader, term, commit position, whether the cluster works, snapshot age: for any thread. */
    public ClusterHealth health()
    {
        return health;
    }

    /**
     * Waits until this node is in a working cluster (a leader known and heard from), for the appliance to call
     * before it prints its ready line; false if it was not within {@code timeoutMs}.
     */
    public boolean awaitJoined(final long timeoutMs)
    {
        return health.awaitJoined(timeoutMs);
    }

    /**
     * Asks the consensus module for a snapshot (acted on when this node leads): the same control toggle Aeron's
     * ClusterTool flips. False when the toggle is busy with another action.
     */
    public boolean requestSnapshot()
    {
        final AtomicCounter toggle = ClusterControl.findControlToggle(
            mediaDriver.context().countersManager(), consensusModule.context().clusterId());
        return toggle != null && ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
    }

    @Override
    public void close()
    {
        health.close();
        CloseHelper.closeAll(maintenance, container, consensusModule, archive, io, mediaDriver);
    }

    /** The driver of this member (its own thread; {@link #launch} makes it invoked by the node's I/O thread). */
    static MediaDriver.Context driverContext(
        final ClusterContext context, final ErrorHandler errorHandler, final Runnable terminationHook)
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(context.aeronDir())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(context.newIdleStrategy())
            .asyncExecutorEnabled(false)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(context.termLength())
            .ipcTermBufferLength(context.termLength())
            .counterValuesBufferLength(context.counterValuesBufferLength())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errorHandler)
            .terminationHook(terminationHook);
    }

    static Archive.Context archiveContext(final ClusterContext context, final ErrorHandler errorHandler)
    {
        final String host = context.self().host();
        return new Archive.Context()
            .aeronDirectoryName(context.aeronDir())
            .archiveDir(context.archiveDir())
            .controlChannel(udp(context.self().endpoint(ClusterContext.ARCHIVE_PORT_OFFSET),
                context.clientTermLength()))
            .localControlChannel(localArchiveChannel(context))
            .replicationChannel(udp(host + ":0", context.clientTermLength()))
            .archiveClientContext(new AeronArchive.Context()
                .controlResponseChannel(udp(host + ":0", context.clientTermLength())))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(context::newIdleStrategy)
            .segmentFileLength(context.segmentFileLength())
            .fileSyncLevel(context.effectiveFileSyncLevel())
            .catalogFileSyncLevel(context.effectiveFileSyncLevel())
            .errorHandler(errorHandler);
    }

    private static ConsensusModule.Context consensusContext(
        final ClusterContext context, final ErrorHandler errorHandler, final Runnable terminationHook)
    {
        return new ConsensusModule.Context()
            .clusterMemberId(context.nodeIndex())
            .clusterMembers(context.aeronClusterMembers())
            .clusterDir(context.consensusDir())
            .aeronDirectoryName(context.aeronDir())
            .archiveContext(localArchiveClient(context))
            .ingressChannel("aeron:udp?term-length=" + context.clientTermLength())
            .logChannel("aeron:udp?term-length=" + context.termLength())
            .replicationChannel(udp(context.self().host() + ":0", context.clientTermLength()))
            .isIpcIngressAllowed(true)
            .idleStrategySupplier(context::newIdleStrategy)
            .fileSyncLevel(context.effectiveFileSyncLevel())
            .leaderHeartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(context.leaderHeartbeatTimeoutMs()))
            .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(context.leaderHeartbeatIntervalMs()))
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(context.electionTimeoutMs()))
            .sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(context.sessionTimeoutMs()))
            .errorHandler(errorHandler)
            .terminationHook(terminationHook);
    }

    private static ClusteredServiceContainer.Context serviceContext(
        final ClusterContext context,
        final ClusteredService service,
        final ErrorHandler errorHandler,
        final Runnable terminationHook)
    {
        return new ClusteredServiceContainer.Context()
            .aeronDirectoryName(context.aeronDir())
            .archiveContext(localArchiveClient(context))
            .clusterDir(context.consensusDir())
            .clusteredService(service)
            .idleStrategySupplier(context::newIdleStrategy)
            .errorHandler(errorHandler)
            .terminationHook(terminationHook);
    }

    static AeronArchive.Context localArchiveClient(final ClusterContext context)
    {
        return new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .aeronDirectoryName(context.aeronDir())
            .controlRequestChannel(localArchiveChannel(context))
            .controlResponseChannel(localArchiveChannel(context));
    }

    private static String localArchiveChannel(final ClusterContext context)
    {
        return "aeron:ipc?term-length=" + context.clientTermLength();
    }

    static String udp(final String endpoint, final int termLength)
    {
        return "aeron:udp?endpoint=" + endpoint + "|term-length=" + termLength;
    }

    /** Cluster time (ms) of the latest snapshot in the recording log, 0 when there is none; read before start. */
    private static long latestSnapshotTimeMs(final ClusterContext context)
    {
        if (!new File(context.consensusDir(), RecordingLog.RECORDING_LOG_FILE_NAME).exists())
        {
            return 0;
        }
        try (RecordingLog recordingLog = new RecordingLog(context.consensusDir(), false))
        {
            final RecordingLog.Entry latest = recordingLog.getLatestSnapshot(ConsensusModule.Configuration.SERVICE_ID);
            return latest == null ? 0 : latest.timestamp;
        }
    }

    /**
     * The mark files of the process that last ran this node, when that process is gone (see the class comment);
     * then this process's id goes in the pid file.
     */
    static void removeMarkFilesOfAGoneProcess(final ClusterContext context)
    {
        final Path pidFile = context.clusterDir().toPath().resolve(PID_FILE);
        final long self = ProcessHandle.current().pid();
        try
        {
            if (Files.exists(pidFile))
            {
                final long previous = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
                if (previous != self && ProcessHandle.of(previous).isEmpty())
                {
                    final File[] markFiles = {
                        new File(context.archiveDir(), ArchiveMarkFile.FILENAME),
                        new File(context.consensusDir(), ClusterMarkFile.FILENAME),
                        new File(context.consensusDir(), ClusterMarkFile.markFilenameForService(0))};
                    for (final File markFile : markFiles)
                    {
                        if (markFile.exists())
                        {
                            LOG.info("cluster node {}: process {} that last ran this node is gone; removing its mark "
                                + "file {}", context.nodeIndex(), previous, markFile);
                            Files.delete(markFile.toPath());
                        }
                    }
                }
            }
            Files.createDirectories(context.clusterDir().toPath());
            Files.writeString(pidFile, Long.toString(self), StandardCharsets.US_ASCII);
        }
        catch (final IOException | NumberFormatException ex)
        {
            LOG.warn("cluster node {}: pid file {} not usable ({}); a restart soon after a kill waits for the mark "
                + "files to age out", context.nodeIndex(), pidFile, ex.toString());
        }
    }

    /**
     * Aeron leaves a {@code *-error.log} in the cluster, consensus or archive dir after each unclean stop; only the
     * newest {@value #KEPT_ERROR_LOGS} are kept, so restarts do not fill the disk.
     */
    static void pruneErrorLogs(final ClusterContext context)
    {
        final List<Path> logs = new ArrayList<>();
        for (final File dir : new File[] {context.clusterDir(), context.consensusDir(), context.archiveDir()})
        {
            final File[] found = dir.listFiles((parent, name) -> name.endsWith("-error.log"));
            for (int i = 0; found != null && i < found.length; i++)
            {
                if (!logs.contains(found[i].toPath()))
                {
                    logs.add(found[i].toPath());
                }
            }
        }
        logs.sort(Comparator.comparingLong((Path log) -> log.toFile().lastModified()).reversed());
        for (int i = KEPT_ERROR_LOGS; i < logs.size(); i++)
        {
            try
            {
                Files.deleteIfExists(logs.get(i));
            }
            catch (final IOException ex)
            {
                LOG.warn("cluster node {}: old error log {} not removed: {}", context.nodeIndex(), logs.get(i),
                    ex.toString());
            }
        }
    }

    /** Default aeron dirs of this node's earlier processes that were killed, so never deleted their own. */
    private static void removeStaleAeronDirs(final int nodeIndex)
    {
        final String prefix = ClusterContext.DEFAULT_AERON_DIR_PREFIX + nodeIndex + "-";
        final File[] dirs = new File(ClusterContext.AERON_DIR_PARENT).listFiles(
            (parent, name) -> name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9]{1,18}"));
        if (dirs == null)
        {
            return;
        }
        for (final File dir : dirs)
        {
            final long pid = Long.parseLong(dir.getName().substring(prefix.length()));
            if (ProcessHandle.of(pid).isEmpty())
            {
                LOG.info("cluster node {}: removing {} left by a process that is gone", nodeIndex, dir);
                IoUtil.delete(dir, true);
            }
        }
    }

    private static boolean isActiveMarkFile(final Throwable ex)
    {
        for (Throwable cause = ex; cause != null; cause = cause.getCause())
        {
            if (cause.getMessage() != null && cause.getMessage().contains("active mark file"))
            {
                return true;
            }
        }
        return false;
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting on the cluster node", ex);
        }
    }

    /** An agent added to the I/O thread, which tells when its {@code onClose} has finished (thrown or not). */
    private static final class IoDuty implements Agent
    {
        private final Agent agent;
        private volatile boolean closed;

        IoDuty(final Agent agent)
        {
            this.agent = agent;
        }

        @Override
        public void onStart()
        {
            agent.onStart();
        }

        @Override
        public int doWork() throws Exception
        {
            return agent.doWork();
        }

        @Override
        public void onClose()
        {
            try
            {
                agent.onClose();
            }
            finally
            {
                closed = true;
            }
        }

        boolean closed()
        {
            return closed;
        }

        @Override
        public String roleName()
        {
            return agent.roleName();
        }
    }

    /** The media driver's conductor, sender and receiver duty ({@link ThreadingMode#INVOKER}) as one agent. */
    private static final class DriverDuty implements Agent
    {
        private final AgentInvoker invoker;

        DriverDuty(final AgentInvoker invoker)
        {
            this.invoker = invoker;
        }

        @Override
        public int doWork()
        {
            return invoker.invoke();
        }

        @Override
        public String roleName()
        {
            return "media-driver";
        }
    }
}
