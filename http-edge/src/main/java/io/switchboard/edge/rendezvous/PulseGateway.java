package io.switchboard.edge.rendezvous;

import io.switchboard.edge.registry.Registry;
import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.PulseKeyCommand;
import io.switchboard.engine.command.PulsePeerQueryCommand;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.pulse.PulseAnswer;
import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeoutException;

/**
 * The edge's way into the pulse rendezvous: each HTTP request becomes one command in the engine's ring, and the
 * worker thread waits for the handler's {@link PulseAnswer}. The edge never reads engine state itself. A registration
 * or logout is a durable change: it is committed through the {@link Registry} first, whose {@link PulseMachine}
 * hands it to every node's engine, this one's with the correlation id this thread waits on.
 */
final class PulseGateway
{
    private final CommandPublisher commands;
    private final CommandReplies replies;
    private final Registry registry;
    private final long nonce;
    private final long timeoutMs;

    /** @param nonce this process's, as its {@link PulseMachine} knows it */
    PulseGateway(
        final CommandPublisher commands, final CommandReplies replies, final Registry registry, final long nonce,
        final long timeoutMs)
    {
        this.commands = commands;
        this.replies = replies;
        this.registry = registry;
        this.nonce = nonce;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Commits the registration, then waits for this engine's answer; a registration the registry refuses (a recent
     * duplicate, or full) is answered as the engine would.
     *
     * @throws io.switchboard.cluster.ClusterUnavailableException when it could not be committed in time
     */
    DirectBuffer register(final long clientMsb, final long clientLsb, final PulseKey key)
        throws TimeoutException, InterruptedException
    {
        try (CommandReplies.Pending pending = replies.open())
        {
            final UnsafeBuffer command = new UnsafeBuffer(new byte[PulseCommands.REGISTER_LENGTH]);
            final int length = PulseCommands.putRegister(
                command, clientMsb, clientLsb, key, nonce, pending.correlationId());
            final int result = registry.commit(PulseCommands.REGISTER, command, 0, length);
            if (result != PulseCommands.APPLIED)
            {
                final UnsafeBuffer refused = new UnsafeBuffer(new byte[PulseAnswer.LENGTH]);
                PulseAnswer.put(refused, result == PulseCommands.FULL ? PulseAnswer.FULL : PulseAnswer.DUPLICATE,
                    false, System.currentTimeMillis(), clientMsb, clientLsb);
                return refused;
            }
            return pending.await(timeoutMs);
        }
    }

    DirectBuffer verify(final PulseKey key) throws TimeoutException, InterruptedException
    {
        return ask((buffer, capacity, correlationId) ->
            PulseKeyCommand.put(buffer, 0, CommandType.PULSE_VERIFY, correlationId, key));
    }

    /**
     * Commits the logout, then waits for this engine's answer (every node's engine forgets the key).
     *
     * @throws io.switchboard.cluster.ClusterUnavailableException when it could not be committed in time
     */
    DirectBuffer logout(final PulseKey key) throws TimeoutException, InterruptedException
    {
        try (CommandReplies.Pending pending = replies.open())
        {
            final UnsafeBuffer command = new UnsafeBuffer(new byte[PulseCommands.FORGET_LENGTH]);
            final int length = PulseCommands.putForget(command, key, nonce, pending.correlationId());
            registry.commit(PulseCommands.FORGET, command, 0, length);
            return pending.await(timeoutMs);
        }
    }

    DirectBuffer peer(final PulseKey key, final long peerMsb, final long peerLsb)
        throws TimeoutException, InterruptedException
    {
        return ask((buffer, capacity, correlationId) ->
            PulsePeerQueryCommand.put(buffer, 0, correlationId, key, peerMsb, peerLsb));
    }

    private DirectBuffer ask(final CommandPublisher.Encoder<Long> command) throws TimeoutException, InterruptedException
    {
        try (CommandReplies.Pending pending = replies.open())
        {
            commands.publish(command, pending.correlationId());
            return pending.await(timeoutMs);
        }
    }
}
