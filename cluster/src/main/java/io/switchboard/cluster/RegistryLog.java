package io.switchboard.cluster;

import org.agrona.DirectBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * Where every change to the durable registry goes: a command (the state machine's type and body) is framed in a
 * {@link CommandEnvelope}, ordered, applied once by the {@link StateMachine} and answered. {@link LocalRegistryLog}
 * applies it on this box at once; {@link ClusterRegistryLog} commits it through Aeron Cluster first.
 * Thread-safe: any thread may submit.
 */
public interface RegistryLog extends AutoCloseable
{
    /**
     * Submits one command; the body is copied before this returns. The future completes with the command's
     * {@link CommandResult} once it is applied (committed, for the cluster), or exceptionally with a
     * {@link ClusterUnavailableException} when it could not be within the configured timeout (its outcome is then
     * unknown: it may still be applied). Completion runs on the log's own thread: do little there.
     */
    CompletableFuture<CommandResult> submit(int type, DirectBuffer body, int offset, int length);

    @Override
    void close();
}
