package io.switchboard.cluster;

import io.switchboard.engine.config.Require;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of this node's part in the replicated registry log, one object, Aeron-style: defaults are named
 * constants, setters return this, and {@link #conclude()} validates and fills in before anything is opened.
 * <p>
 * The first three fields map one-to-one onto the appliance flags {@code --cluster-members}, {@code --cluster-node}
 * and {@code --cluster-dir}; {@link #clientTimeoutMs()} onto {@code --cluster-timeout-ms};
 * {@link #snapshotIntervalMs()} onto {@code --cluster-snapshot-interval}, whose value {@link #parseInterval} reads:
 * plain milliseconds, or a number with a unit {@code ms}, {@code s}, {@code m} or {@code h} ({@code 600000},
 * {@code 600s} and {@code 10m} are the same); {@code 0} turns scheduled snapshots off.
 * <p>
 * <b>Disk.</b> After each snapshot every node purges its own archive: the log before the oldest of the
 * {@link #retainedSnapshots()} latest snapshots (segment aligned) and the recordings of older snapshots. A member
 * down for less than {@code retainedSnapshots - 1} intervals can still catch up from the others' logs; one down
 * longer (or with its disk lost) is re-seeded from them by {@link ClusterReseed} before it starts.
 * <p>
 * <b>Ports.</b> A member written {@code HOST:PORT} uses {@link #PORTS_PER_MEMBER} consecutive UDP ports:
 * <pre>
 *   PORT     ingress          (clients' commands in)
 *   PORT + 1 consensus        (Raft votes, appends, commit positions between members)
 *   PORT + 2 log              (the replicated log, leader to followers)
 *   PORT + 3 catchup          (log replay for a member that fell behind)
 *   PORT + 4 archive control  (replication of the archived log and snapshots)
 * </pre>
 * Egress, replication and archive responses use ephemeral ports on HOST.
 */
public final class ClusterContext
{
    public static final int PORTS_PER_MEMBER = 5;
    public static final int INGRESS_PORT_OFFSET = 0;
    public static final int CONSENSUS_PORT_OFFSET = 1;
    public static final int LOG_PORT_OFFSET = 2;
    public static final int CATCHUP_PORT_OFFSET = 3;
    public static final int ARCHIVE_PORT_OFFSET = 4;
    public static final int MAX_MEMBERS = 9;

    public static final long DEFAULT_LEADER_HEARTBEAT_TIMEOUT_MS = 1_000;
    public static final long DEFAULT_LEADER_HEARTBEAT_INTERVAL_MS = 100;
    public static final long DEFAULT_ELECTION_TIMEOUT_MS = 500;
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_CLIENT_TIMEOUT_MS = 3_000;
    public static final long DEFAULT_KEEP_ALIVE_INTERVAL_MS = 1_000;
    public static final long DEFAULT_MAX_PARK_US = 1_000;
    /** How long the I/O thread sleeps when a cycle finds nothing (see {@link #newIoIdleStrategy()}). */
    public static final long DEFAULT_IO_PARK_US = 250;
    /** UDP and IPC publications of the driver; the log and archive segment sizes derive from the log term. */
    public static final int DEFAULT_TERM_LENGTH = 1 << 20;
    /** Ingress and egress: registry commands are small. */
    public static final int DEFAULT_CLIENT_TERM_LENGTH = 512 * 1024;
    public static final int DEFAULT_SEGMENT_FILE_LENGTH = 8 << 20;
    public static final int DEFAULT_COUNTER_VALUES_BUFFER_LENGTH = 1 << 20;
    public static final int DEFAULT_MAX_PENDING_COMMANDS = 4096;
    public static final int DEFAULT_START_RETRY_LIMIT_MS = 15_000;
    public static final long DEFAULT_SNAPSHOT_INTERVAL_MS = TimeUnit.MINUTES.toMillis(10);
    /** The latest snapshot, and the one before it so that a member that missed one can still catch up. */
    public static final int DEFAULT_RETAINED_SNAPSHOTS = 2;
    public static final int MAX_RETAINED_SNAPSHOTS = 100;
    /** -1: fsync the log when this is a single node (no replica holds it), not when there are replicas. */
    public static final int FILE_SYNC_AUTO = -1;
    public static final String AERON_DIR_PARENT = "/dev/shm";
    /** The default aeron dir is this, the node index, '-' and the process id. */
    public static final String DEFAULT_AERON_DIR_PREFIX = "switchboard-cluster-";

    /** One member of {@link #members()}. */
    public record Member(String host, int port)
    {
        public String endpoint(final int portOffset)
        {
            return host + ":" + (port + portOffset);
        }
    }

    private String members;
    private int nodeIndex;
    private File clusterDir;
    private String aeronDir;
    private long leaderHeartbeatTimeoutMs = DEFAULT_LEADER_HEARTBEAT_TIMEOUT_MS;
    private long leaderHeartbeatIntervalMs = DEFAULT_LEADER_HEARTBEAT_INTERVAL_MS;
    private long electionTimeoutMs = DEFAULT_ELECTION_TIMEOUT_MS;
    private long sessionTimeoutMs = DEFAULT_SESSION_TIMEOUT_MS;
    private long clientTimeoutMs = DEFAULT_CLIENT_TIMEOUT_MS;
    private long keepAliveIntervalMs = DEFAULT_KEEP_ALIVE_INTERVAL_MS;
    private long maxParkUs = DEFAULT_MAX_PARK_US;
    private long ioParkUs = DEFAULT_IO_PARK_US;
    private int termLength = DEFAULT_TERM_LENGTH;
    private int clientTermLength = DEFAULT_CLIENT_TERM_LENGTH;
    private int segmentFileLength = DEFAULT_SEGMENT_FILE_LENGTH;
    private int counterValuesBufferLength = DEFAULT_COUNTER_VALUES_BUFFER_LENGTH;
    private int maxPendingCommands = DEFAULT_MAX_PENDING_COMMANDS;
    private int fileSyncLevel = FILE_SYNC_AUTO;
    private long startRetryLimitMs = DEFAULT_START_RETRY_LIMIT_MS;
    private long snapshotIntervalMs = DEFAULT_SNAPSHOT_INTERVAL_MS;
    private int retainedSnapshots = DEFAULT_RETAINED_SNAPSHOTS;

    private List<Member> parsedMembers;

    public ClusterContext conclude()
    {
        if (members == null || members.isBlank())
        {
            throw new IllegalArgumentException("cluster members must be set: HOST:PORT,HOST:PORT,...");
        }
        parsedMembers = parseMembers(members);
        Require.range("cluster node", nodeIndex, 0, parsedMembers.size() - 1);
        if (clusterDir == null)
        {
            throw new IllegalArgumentException("cluster dir must be set");
        }
        if (aeronDir == null)
        {
            aeronDir = AERON_DIR_PARENT + "/" + DEFAULT_AERON_DIR_PREFIX + nodeIndex + "-"
                + ProcessHandle.current().pid();
        }
        Require.range("leader heartbeat interval ms", leaderHeartbeatIntervalMs, 10, 10_000);
        Require.range("leader heartbeat timeout ms", leaderHeartbeatTimeoutMs, 2 * leaderHeartbeatIntervalMs, 60_000);
        Require.range("election timeout ms", electionTimeoutMs, 100, 60_000);
        Require.range("session timeout ms", sessionTimeoutMs, 2 * keepAliveIntervalMs, 600_000);
        Require.range("cluster timeout ms", clientTimeoutMs, 100, 600_000);
        Require.range("keep-alive interval ms", keepAliveIntervalMs, 10, 60_000);
        Require.range("max park us", maxParkUs, 1, 100_000);
        Require.range("I/O park us", ioParkUs, 0, 100_000);
        termLength(termLength, "term length");
        termLength(clientTermLength, "client term length");
        if (segmentFileLength < termLength || segmentFileLength % termLength != 0)
        {
            throw new IllegalArgumentException(
                "archive segment file length must be a multiple of the term length: " + segmentFileLength);
        }
        Require.powerOfTwo("counter values buffer length", counterValuesBufferLength);
        Require.range("max pending commands", maxPendingCommands, 1, 1 << 20);
        Require.range("file sync level", fileSyncLevel, FILE_SYNC_AUTO, 2);
        Require.range("start retry limit ms", startRetryLimitMs, 0, 120_000);
        Require.range("cluster snapshot interval ms", snapshotIntervalMs, 0, TimeUnit.DAYS.toMillis(7));
        Require.range("retained snapshots", retainedSnapshots, 1, MAX_RETAINED_SNAPSHOTS);
        return this;
    }

    /** The members in order, parsed by {@link #conclude()}. */
    public List<Member> memberList()
    {
        return parsedMembers;
    }

    public Member self()
    {
        return parsedMembers.get(nodeIndex);
    }

    /** Aeron's members string: {@code id,ingress,consensus,log,catchup,archive|...}. */
    public String aeronClusterMembers()
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < parsedMembers.size(); i++)
        {
            final Member member = parsedMembers.get(i);
            out.append(i)
                .append(',').append(member.endpoint(INGRESS_PORT_OFFSET))
                .append(',').append(member.endpoint(CONSENSUS_PORT_OFFSET))
                .append(',').append(member.endpoint(LOG_PORT_OFFSET))
                .append(',').append(member.endpoint(CATCHUP_PORT_OFFSET))
                .append(',').append(member.endpoint(ARCHIVE_PORT_OFFSET))
                .append('|');
        }
        return out.substring(0, out.length() - 1);
    }

    /** The client's ingress endpoints: {@code 0=HOST:PORT,1=HOST:PORT,...}. */
    public String ingressEndpoints()
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < parsedMembers.size(); i++)
        {
            out.append(i == 0 ? "" : ",").append(i).append('=')
                .append(parsedMembers.get(i).endpoint(INGRESS_PORT_OFFSET));
        }
        return out.toString();
    }

    public boolean singleNode()
    {
        return parsedMembers.size() == 1;
    }

    /** The fsync level for the log and the archive catalog, {@link #FILE_SYNC_AUTO} resolved. */
    public int effectiveFileSyncLevel()
    {
        return fileSyncLevel != FILE_SYNC_AUTO ? fileSyncLevel : singleNode() ? 1 : 0;
    }

    /** A fresh idle strategy for one agent: back off, then park at most {@link #maxParkUs()}. */
    public IdleStrategy newIdleStrategy()
    {
        return new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MICROSECONDS.toNanos(maxParkUs));
    }

    /**
     * The I/O thread's (media driver and links): each time a cycle finds nothing it sleeps {@link #ioParkUs()}, so what
     * the links and the driver have for each other meanwhile goes in fewer datagrams and wake-ups (a thread that backs
     * off by spinning and yielding after each message never sleeps once messages come more often than it backs off,
     * and spends a core on it); 0 backs off as {@link #newIdleStrategy()}.
     */
    public IdleStrategy newIoIdleStrategy()
    {
        return ioParkUs == 0 ? newIdleStrategy() : new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(ioParkUs));
    }

    public File archiveDir()
    {
        return new File(clusterDir, "archive");
    }

    public File consensusDir()
    {
        return new File(clusterDir, "consensus");
    }

    /** HOST:PORT,... in order; PORT and the next {@link #PORTS_PER_MEMBER} - 1 ports are this member's. */
    public String members() { return members; }
    public ClusterContext members(final String value) { members = value; return this; }
    /** This node's index in {@link #members()}, 0-based. */
    public int nodeIndex() { return nodeIndex; }
    public ClusterContext nodeIndex(final int value) { nodeIndex = value; return this; }
    /** On real disk: the archive (log segments, snapshots) and the consensus state. */
    public File clusterDir() { return clusterDir; }
    public ClusterContext clusterDir(final File value) { clusterDir = value; return this; }
    /** The embedded media driver's directory, on tmpfs, unique per node and process; deleted on start and stop. */
    public String aeronDir() { return aeronDir; }
    public ClusterContext aeronDir(final String value) { aeronDir = value; return this; }
    /** No heartbeat from the leader for this long starts an election. */
    public long leaderHeartbeatTimeoutMs() { return leaderHeartbeatTimeoutMs; }
    public ClusterContext leaderHeartbeatTimeoutMs(final long value) { leaderHeartbeatTimeoutMs = value; return this; }
    public long leaderHeartbeatIntervalMs() { return leaderHeartbeatIntervalMs; }
    public ClusterContext leaderHeartbeatIntervalMs(final long value)
    {
        leaderHeartbeatIntervalMs = value;
        return this;
    }
    public long electionTimeoutMs() { return electionTimeoutMs; }
    public ClusterContext electionTimeoutMs(final long value) { electionTimeoutMs = value; return this; }
    /** A client session without traffic (or keep-alive) for this long is closed by the leader. */
    public long sessionTimeoutMs() { return sessionTimeoutMs; }
    public ClusterContext sessionTimeoutMs(final long value) { sessionTimeoutMs = value; return this; }
    /** A submitted command not acknowledged within this long fails ({@code --cluster-timeout-ms}). */
    public long clientTimeoutMs() { return clientTimeoutMs; }
    public ClusterContext clientTimeoutMs(final long value) { clientTimeoutMs = value; return this; }
    /** The gateway's keep-alive period when it sends nothing else. */
    public long keepAliveIntervalMs() { return keepAliveIntervalMs; }
    public ClusterContext keepAliveIntervalMs(final long value) { keepAliveIntervalMs = value; return this; }
    /** Longest park of every idle agent but the I/O thread ({@link #ioParkUs()}): a latency/idle-CPU knob. */
    public long maxParkUs() { return maxParkUs; }
    public ClusterContext maxParkUs(final long value) { maxParkUs = value; return this; }
    /** The I/O thread's sleep whenever a cycle finds nothing; 0: it backs off as the others. */
    public long ioParkUs() { return ioParkUs; }
    public ClusterContext ioParkUs(final long value) { ioParkUs = value; return this; }
    /** Term length of the log, and of the driver's UDP and IPC publications. */
    public int termLength() { return termLength; }
    public ClusterContext termLength(final int value) { termLength = value; return this; }
    /** Term length of ingress, egress and archive control channels. */
    public int clientTermLength() { return clientTermLength; }
    public ClusterContext clientTermLength(final int value) { clientTermLength = value; return this; }
    public int segmentFileLength() { return segmentFileLength; }
    public ClusterContext segmentFileLength(final int value) { segmentFileLength = value; return this; }
    /** The driver's counters (Aeron defaults to 8 MB, most of a node's /dev/shm). */
    public int counterValuesBufferLength() { return counterValuesBufferLength; }
    public ClusterContext counterValuesBufferLength(final int value) { counterValuesBufferLength = value; return this; }
    /** Commands submitted and not yet acknowledged, beyond which a submit fails at once. */
    public int maxPendingCommands() { return maxPendingCommands; }
    public ClusterContext maxPendingCommands(final int value) { maxPendingCommands = value; return this; }
    /** 0: no fsync, 1: fsync data, 2: data and metadata; {@link #FILE_SYNC_AUTO} by member count. */
    public int fileSyncLevel() { return fileSyncLevel; }
    public ClusterContext fileSyncLevel(final int value) { fileSyncLevel = value; return this; }
    /** How long a start keeps retrying while a killed process's mark file still looks active. */
    public long startRetryLimitMs() { return startRetryLimitMs; }
    public ClusterContext startRetryLimitMs(final long value) { startRetryLimitMs = value; return this; }
    /** The leader asks for a snapshot this long after the last one (every node takes it); 0: never. */
    public long snapshotIntervalMs() { return snapshotIntervalMs; }
    public ClusterContext snapshotIntervalMs(final long value) { snapshotIntervalMs = value; return this; }
    /** Snapshots kept on disk, with the log after the oldest of them; everything before is purged. */
    public int retainedSnapshots() { return retainedSnapshots; }
    public ClusterContext retainedSnapshots(final int value) { retainedSnapshots = value; return this; }

    /**
     * An interval in milliseconds from {@code 600000}, {@code 600000ms}, {@code 600s}, {@code 10m} or {@code 1h}
     * (a whole number, then an optional unit).
     */
    public static long parseInterval(final String name, final String value)
    {
        final String text = value.trim();
        int digits = 0;
        while (digits < text.length() && Character.isDigit(text.charAt(digits)))
        {
            digits++;
        }
        if (digits == 0 || digits > 12)
        {
            throw new IllegalArgumentException(name + " must be a whole number with an optional unit "
                + "(ms, s, m, h): '" + value + "'");
        }
        final long number = Long.parseLong(text.substring(0, digits));
        final TimeUnit unit = switch (text.substring(digits))
        {
            case "", "ms" -> TimeUnit.MILLISECONDS;
            case "s" -> TimeUnit.SECONDS;
            case "m" -> TimeUnit.MINUTES;
            case "h" -> TimeUnit.HOURS;
            default -> throw new IllegalArgumentException(
                name + " has an unknown unit (ms, s, m, h): '" + value + "'");
        };
        return unit.toMillis(number);
    }

    static List<Member> parseMembers(final String value)
    {
        final List<Member> out = new ArrayList<>();
        for (final String part : value.split(",", -1))
        {
            final String item = part.trim();
            final int colon = item.lastIndexOf(':');
            if (colon <= 0 || colon == item.length() - 1)
            {
                throw new IllegalArgumentException("cluster member must be HOST:PORT: '" + item + "'");
            }
            final int port;
            try
            {
                port = Integer.parseInt(item.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("cluster member port is not a number: '" + item + "'");
            }
            Require.range("cluster member port", port, 1, 65_535 - (PORTS_PER_MEMBER - 1));
            out.add(new Member(item.substring(0, colon), port));
        }
        Require.range("cluster member count", out.size(), 1, MAX_MEMBERS);
        for (int i = 0; i < out.size(); i++)
        {
            for (int j = i + 1; j < out.size(); j++)
            {
                if (out.get(i).host().equals(out.get(j).host())
                    && Math.abs(out.get(i).port() - out.get(j).port()) < PORTS_PER_MEMBER)
                {
                    throw new IllegalArgumentException("cluster members " + out.get(i) + " and " + out.get(j)
                        + " overlap: each member uses " + PORTS_PER_MEMBER + " consecutive ports");
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static void termLength(final int value, final String name)
    {
        Require.powerOfTwo(name, value);
        Require.range(name, value, 64 * 1024, 1 << 30);
    }
}
