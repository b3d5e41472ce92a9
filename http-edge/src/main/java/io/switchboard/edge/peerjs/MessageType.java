package io.switchboard.edge.peerjs;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The {@code type} of a client frame the server acts on (spec 3.3); any other type is ignored. */
enum MessageType
{
    HEARTBEAT(false, false),
    OFFER(true, true),
    ANSWER(true, true),
    CANDIDATE(true, true),
    LEAVE(true, false),
    EXPIRE(true, false);

    /** Relayed to {@code dst}. */
    final boolean relayed;
    /** Kept for an offline {@code dst} until it connects or the queue expires. */
    final boolean queued;
    /** The name as a frame's {@code type} spells it, ASCII. */
    final byte[] nameBytes;
    /** {@code {"type":"NAME"} } up to the closing quote of the name: the start of every frame of this type. */
    final byte[] frameStart;

    MessageType(final boolean relayed, final boolean queued)
    {
        this.relayed = relayed;
        this.queued = queued;
        this.nameBytes = name().getBytes(StandardCharsets.US_ASCII);
        this.frameStart = ("{\"type\":\"" + name() + "\"").getBytes(StandardCharsets.US_ASCII);
    }

    /** The type named by a frame's {@code type} string, or null when the server ignores that type. */
    static MessageType of(final String type)
    {
        return switch (type)
        {
            case "HEARTBEAT" -> HEARTBEAT;
            case "OFFER" -> OFFER;
            case "ANSWER" -> ANSWER;
            case "CANDIDATE" -> CANDIDATE;
            case "LEAVE" -> LEAVE;
            case "EXPIRE" -> EXPIRE;
            default -> null;
        };
    }

    String counterLabel()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
