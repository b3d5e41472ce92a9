package io.switchboard.edge.rendezvous;

import io.switchboard.engine.command.CommandType;
import io.switchboard.engine.command.PulseKeyCommand;
import io.switchboard.engine.command.PulsePeerQueryCommand;
import io.switchboard.engine.command.PulseRegisterCommand;
import io.switchboard.engine.pipeline.CommandPublisher;
import io.switchboard.engine.pipeline.CommandReplies;
import io.switchboard.engine.pulse.PulseAnswer;
import io.switchboard.engine.table.PulseKey;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeoutException;

/**
 * The edge's way into the pulse rendezvous: each HTTP request becomes one command in the engine's ring, and the
 * worker thread waits for the handler's {@link PulseAnswer}. The edge never reads engine state itself.
 */
final class PulseGateway
{
    private final CommandPublisher commands;
    private final CommandReplies replies;
    private final long timeoutMs;

    PulseGateway(final CommandPublisher commands, final CommandReplies replies, final long timeoutMs)
    {
        this.commands = commands;
        this.replies = replies;
        this.timeoutMs = timeoutMs;
    }

    DirectBuffer register(final long clientMsb, final long clientLsb, final PulseKey key)
        throws TimeoutException, InterruptedException
    {
        return ask((buffer, capacity, correlationId) ->
            PulseRegisterCommand.put(buffer, 0, correlationId, clientMsb, clientLsb, key));
    }

    DirectBuffer verify(final PulseKey key) throws TimeoutException, InterruptedException
    {
        return ask((buffer, capacity, correlationId) ->
            PulseKeyCommand.put(buffer, 0, CommandType.PULSE_VERIFY, correlationId, key));
    }

    DirectBuffer logout(final PulseKey key) throws TimeoutException, InterruptedException
    {
        return ask((buffer, capacity, correlationId) ->
            PulseKeyCommand.put(buffer, 0, CommandType.PULSE_LOGOUT, correlationId, key));
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
