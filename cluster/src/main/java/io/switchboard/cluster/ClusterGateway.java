package io.switchboard.cluster;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The one owner of this node's cluster client. Its duty, each turn: connect (without blocking, and again whenever
 * the session is lost), take callers' commands off the queue and number them (ids increase in sending order, which
 * the de-dup window relies on), offer them to ingress in order, poll egress and complete the futures of the answered
 * ones, re-send every unanswered command after a new leader or a new session (the service answers a retry with the
 * result it remembers), keep the session alive, and fail every command whose deadline passed.
 */
final class ClusterGateway implements Agent, EgressListener
{
    static final long CONNECT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final Logger LOG = LoggerFactory.getLogger(ClusterGateway.class);

    /** One caller's command from submit until it is answered, timed out or failed. */
    static final class Pending
    {
        final CompletableFuture<CommandResult> future = new CompletableFuture<>();
        final UnsafeBuffer envelope;
        final int type;
        final long deadlineNs;
        final int length;
        long commandId;
        long sentNs;
        boolean done;
        CommandResult result;

        Pending(final int type, final DirectBuffer body, final int offset, final int length, final long deadlineNs)
        {
            this.envelope = new UnsafeBuffer(new byte[CommandEnvelope.HEADER_LENGTH + length]);
            this.envelope.putBytes(CommandEnvelope.HEADER_LENGTH, body, offset, length);
            this.type = type;
            this.length = length;
            this.deadlineNs = deadlineNs;
        }
    }

    private final ClusterContext context;
    private final Aeron aeron;
    private final Queue<Pending> queue;
    private final ClusterCounters counters;
    private final NanoClock clock;
    private final long timeoutNs;
    private final long keepAliveNs;
    private final Long2ObjectHashMap<Pending> byId = new Long2ObjectHashMap<>();
    /** Every numbered command in id order, which is deadline order; answered ones are dropped lazily. */
    private final ArrayDeque<Pending> byDeadline = new ArrayDeque<>();
    /** Numbered commands to offer, in id order; answered ones are skipped lazily. */
    private final ArrayDeque<Pending> unsent = new ArrayDeque<>();
    /** Committed commands whose callers wait until this node's replica has applied them, in log order. */
    private final ArrayDeque<Pending> unapplied = new ArrayDeque<>();
    private final CommandReply reply = new CommandReply();
    private final LongSupplier localAppliedPosition;
    private long nextCommandId;
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster client;
    private long nextConnectNs;
    private long lastSendNs;

    ClusterGateway(
        final ClusterContext context,
        final Aeron aeron,
        final Queue<Pending> queue,
        final ClusterCounters counters,
        final NanoClock clock,
        final long firstCommandId,
        final LongSupplier localAppliedPosition)
    {
        this.localAppliedPosition = localAppliedPosition;
        this.context = context;
        this.aeron = aeron;
        this.queue = queue;
        this.counters = counters;
        this.clock = clock;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(context.clientTimeoutMs());
        this.keepAliveNs = TimeUnit.MILLISECONDS.toNanos(context.keepAliveIntervalMs());
        this.nextCommandId = firstCommandId;
    }

    @Override
    public String roleName()
    {
        return "cluster-gateway-" + context.nodeIndex();
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int work = 0;
        if (client == null)
        {
            work += connect(nowNs);
        }
        else if (client.isClosed())
        {
            LOG.warn("cluster gateway {}: session closed; reconnecting", context.nodeIndex());
            CloseHelper.quietClose(client);
            client = null;
            work++;
        }
        else
        {
            work += client.pollEgress();
        }
        work += number();
        if (client != null && !client.isClosed())
        {
            work += send(nowNs);
            work += keepAlive(nowNs);
        }
        work += expire(nowNs);
        work += completeApplied(nowNs);
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(connecting);
        CloseHelper.quietClose(client);
        for (final Pending pending : byDeadline)
        {
            fail(pending, "cluster log closed");
        }
        byDeadline.clear();
        byId.clear();
        unsent.clear();
    }

    @Override
    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (length != CommandReply.LENGTH)
        {
            return;
        }
        reply.wrap(buffer, offset);
        final Pending pending = byId.remove(reply.commandId());
        if (pending == null)
        {
            return;
        }
        pending.done = true;
        counters.acknowledged.increment();
        pending.result = new CommandResult(pending.commandId, reply.result(), reply.logPosition(),
            (reply.flags() & CommandReply.FLAG_DUPLICATE) != 0);
        if (localAppliedPosition == null || localAppliedPosition.getAsLong() >= pending.result.logPosition())
        {
            pending.future.complete(pending.result);
        }
        else
        {
            unapplied.addLast(pending);
        }
    }

    /**
     * Completes the committed commands this node's replica has now applied, so a caller that reads this node after
     * its answer sees its change. The replica applies in log order; a reply arriving out of that order only waits
     * longer. One that is still not applied when its deadline passes completes anyway: it is committed.
     */
    private int completeApplied(final long nowNs)
    {
        if (unapplied.isEmpty())
        {
            return 0;
        }
        final long applied = localAppliedPosition.getAsLong();
        int count = 0;
        Pending pending;
        while ((pending = unapplied.peekFirst()) != null &&
            (applied >= pending.result.logPosition() || nowNs - pending.deadlineNs >= 0))
        {
            unapplied.pollFirst();
            pending.future.complete(pending.result);
            count++;
        }
        return count;
    }

    @Override
    public void onNewLeader(
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final String ingressEndpoints)
    {
        counters.newLeaders.increment();
        LOG.info("cluster gateway {}: new leader {} in term {}; re-sending {} unanswered commands",
            context.nodeIndex(), leaderMemberId, leadershipTermId, byId.size());
        resendAll();
    }

    @Override
    public void onSessionEvent(
        final long correlationId,
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final EventCode code,
        final String detail)
    {
        if (code != EventCode.OK)
        {
            LOG.warn("cluster gateway {}: session event {}: {}", context.nodeIndex(), code, detail);
        }
    }

    private int connect(final long nowNs)
    {
        if (nowNs < nextConnectNs)
        {
            return 0;
        }
        try
        {
            if (connecting == null)
            {
                connecting = AeronCluster.asyncConnect(clientContext());
            }
            client = connecting.poll();
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("cluster gateway {}: connect failed, retrying: {}", context.nodeIndex(), ex.getMessage());
            CloseHelper.quietClose(connecting);
            connecting = null;
            nextConnectNs = nowNs + CONNECT_RETRY_NS;
            return 1;
        }
        if (client == null)
        {
            return 0;
        }
        connecting = null;
        counters.connects.increment();
        LOG.info("cluster gateway {}: connected, leader {}", context.nodeIndex(), client.leaderMemberId());
        lastSendNs = nowNs;
        resendAll();
        return 1;
    }

    private AeronCluster.Context clientContext()
    {
        final boolean ipc = context.singleNode();
        final String term = "term-length=" + context.clientTermLength();
        return new AeronCluster.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .ingressChannel(ipc ? "aeron:ipc?" + term : "aeron:udp?" + term)
            .ingressEndpoints(ipc ? null : context.ingressEndpoints())
            .egressChannel(ipc ? "aeron:ipc?" + term
                : "aeron:udp?endpoint=" + context.self().host() + ":0|" + term)
            .messageTimeoutNs(timeoutNs)
            .egressListener(this);
    }

    /** Numbers the queued commands: ids increase in the order they will be sent. */
    private int number()
    {
        int count = 0;
        Pending pending;
        while (byId.size() < context.maxPendingCommands() && (pending = queue.poll()) != null)
        {
            pending.commandId = nextCommandId++;
            CommandEnvelope.putHeader(
                pending.envelope, 0, pending.commandId, context.nodeIndex(), pending.type, pending.length);
            byId.put(pending.commandId, pending);
            byDeadline.addLast(pending);
            unsent.addLast(pending);
            count++;
        }
        return count;
    }

    private int send(final long nowNs)
    {
        int count = 0;
        Pending pending;
        while ((pending = unsent.peekFirst()) != null)
        {
            if (!pending.done)
            {
                final long result = client.offer(pending.envelope, 0, pending.envelope.capacity());
                if (result < 0)
                {
                    client.trackIngressPublicationResult(result);
                    break;
                }
                pending.sentNs = nowNs;
                lastSendNs = nowNs;
                count++;
            }
            unsent.pollFirst();
        }
        return count;
    }

    /** Keeps the session alive, and re-sends when the oldest command went unanswered for a keep-alive period. */
    private int keepAlive(final long nowNs)
    {
        if (nowNs - lastSendNs < keepAliveNs)
        {
            return 0;
        }
        lastSendNs = nowNs;
        final Pending oldest = oldestUnanswered();
        if (oldest != null && oldest.sentNs != 0 && nowNs - oldest.sentNs >= keepAliveNs && unsent.isEmpty())
        {
            resendAll();
            return 1;
        }
        client.sendKeepAlive();
        return 1;
    }

    private int expire(final long nowNs)
    {
        int count = 0;
        Pending pending;
        while ((pending = oldestUnanswered()) != null && nowNs - pending.deadlineNs >= 0)
        {
            byDeadline.pollFirst();
            byId.remove(pending.commandId);
            counters.timedOut.increment();
            fail(pending, "not committed within " + context.clientTimeoutMs() + " ms: no cluster leader reachable "
                + "from node " + context.nodeIndex() + " (no quorum?)");
            count++;
        }
        return count;
    }

    private Pending oldestUnanswered()
    {
        Pending pending;
        while ((pending = byDeadline.peekFirst()) != null && pending.done)
        {
            byDeadline.pollFirst();
        }
        return pending;
    }

    private void resendAll()
    {
        unsent.clear();
        for (final Pending pending : byDeadline)
        {
            if (!pending.done)
            {
                unsent.addLast(pending);
                if (pending.sentNs != 0)
                {
                    counters.resent.increment();
                }
            }
        }
    }

    private static void fail(final Pending pending, final String reason)
    {
        pending.done = true;
        pending.future.completeExceptionally(new ClusterUnavailableException(reason));
    }
}
