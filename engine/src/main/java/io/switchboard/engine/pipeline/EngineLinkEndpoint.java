package io.switchboard.engine.pipeline;

import io.switchboard.engine.command.LinkCommand;
import io.switchboard.engine.links.LinkEndpoint;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The engine's door for what other cluster nodes send its protocols (ICE and pulse link types): each message is
 * copied into a ring slot as a {@link io.switchboard.engine.command.CommandType#LINK_MESSAGE} command, for the
 * handler thread to hand to the protocol that owns its type. Called on the links thread only (one caller, so the
 * message being encoded is held in fields, not in an object per message).
 */
final class EngineLinkEndpoint implements LinkEndpoint
{
    private final CommandPublisher commands;
    private final int slotCapacity;
    private final AtomicCounter tooLong;
    private final CommandPublisher.Encoder<EngineLinkEndpoint> messageEncoder = EngineLinkEndpoint::encodeMessage;
    private int originNode;
    private int messageType;
    private DirectBuffer message;
    private int messageOffset;
    private int messageLength;

    EngineLinkEndpoint(final CommandPublisher commands, final int slotCapacity, final AtomicCounter tooLong)
    {
        this.commands = commands;
        this.slotCapacity = slotCapacity;
        this.tooLong = tooLong;
    }

    @Override
    public boolean onLinkMessage(
        final int originNode, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        if (LinkCommand.messageCommandLength(length) > slotCapacity)
        {
            // Never fits a slot, now or later: taking it (counted) keeps the link flowing.
            tooLong.increment();
            return true;
        }
        this.originNode = originNode;
        this.messageType = messageType;
        this.message = buffer;
        this.messageOffset = offset;
        this.messageLength = length;
        try
        {
            return commands.tryPublish(messageEncoder, this);
        }
        finally
        {
            this.message = null;
        }
    }

    @Override
    public void onPeerNode(final int node, final boolean up, final long incarnation)
    {
        commands.publish((buffer, capacity, unused) -> LinkCommand.putPeer(buffer, 0, node, up, incarnation), null);
    }

    private static int encodeMessage(
        final MutableDirectBuffer buffer, final int capacity, final EngineLinkEndpoint endpoint)
    {
        return LinkCommand.putMessage(buffer, 0, endpoint.originNode, endpoint.messageType, endpoint.message,
            endpoint.messageOffset, endpoint.messageLength);
    }
}
