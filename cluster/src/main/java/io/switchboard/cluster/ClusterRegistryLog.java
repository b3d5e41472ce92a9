package io.switchboard.cluster;

import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The registry log through Aeron Cluster: callers' commands go on a many-to-one queue to this node's
 * {@link ClusterGateway}, which alone owns the cluster client on its own thread, and come back as the future's
 * completion once the leader committed and applied them. The gateway connects through this node's media driver
 * (over IPC when the cluster is this node alone).
 */
public final class ClusterRegistryLog implements RegistryLog
{
    private final ClusterContext context;
    private final ClusterCounters counters;
    private final NanoClock clock;
    private final ManyToOneConcurrentArrayQueue<ClusterGateway.Pending> queue;
    private final Aeron aeron;
    private final ClusterGateway gateway;
    private final AgentRunner runner;

    /** Starts the gateway thread; {@code context} concluded, {@code aeronDir} this node's driver. */
    public ClusterRegistryLog(
        final ClusterContext context,
        final String aeronDir,
        final ClusterCounters counters,
        final ErrorHandler errorHandler)
    {
        this(context, aeronDir, counters, errorHandler, null);
    }

    /**
     * As above, and each command's future completes only once {@code localAppliedPosition} (this node's replica's
     * applied log position) has reached the command's: a caller reading this node's replica after its answer sees
     * its change. Null completes at the leader's acknowledgement.
     */
    public ClusterRegistryLog(
        final ClusterContext context,
        final String aeronDir,
        final ClusterCounters counters,
        final ErrorHandler errorHandler,
        final LongSupplier localAppliedPosition)
    {
        this.context = context;
        this.counters = counters;
        this.clock = SystemNanoClock.INSTANCE;
        this.queue = new ManyToOneConcurrentArrayQueue<>(context.maxPendingCommands());
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir).errorHandler(errorHandler));
        this.gateway = new ClusterGateway(context, aeron, queue, counters, clock,
            CommandIds.firstOfThisProcess(SystemEpochClock.INSTANCE.time()), localAppliedPosition);
        this.runner = new AgentRunner(context.newIdleStrategy(), errorHandler, null, gateway);
        AgentRunner.startOnThread(runner);
    }

    @Override
    public CompletableFuture<CommandResult> submit(
        final int type, final DirectBuffer body, final int offset, final int length)
    {
        if (length < 0 || length > CommandEnvelope.MAX_BODY_LENGTH)
        {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                "command body of " + length + " bytes; at most " + CommandEnvelope.MAX_BODY_LENGTH));
        }
        final long deadlineNs = clock.nanoTime() + context.clientTimeoutMs() * 1_000_000L;
        final ClusterGateway.Pending pending = new ClusterGateway.Pending(type, body, offset, length, deadlineNs);
        if (runner.isClosed() || !queue.offer(pending))
        {
            counters.rejected.increment();
            return CompletableFuture.failedFuture(new ClusterUnavailableException(runner.isClosed()
                ? "cluster log closed"
                : "cluster log busy: " + context.maxPendingCommands() + " commands already pending"));
        }
        counters.submitted.increment();
        return pending.future;
    }

    /** Stops the gateway thread; commands not yet acknowledged fail. */
    @Override
    public void close()
    {
        CloseHelper.close(runner);
        ClusterGateway.Pending pending;
        while ((pending = queue.poll()) != null)
        {
            pending.future.completeExceptionally(new ClusterUnavailableException("cluster log closed"));
        }
        CloseHelper.close(aeron);
    }
}
