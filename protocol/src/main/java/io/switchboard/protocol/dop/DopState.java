package io.switchboard.protocol.dop;

/**
 * A dop node's state (spec 2.5), the same names on both sides of a socket: a new node is {@code OPEN} and sends its
 * local token; {@code PRECONNECTED} once it holds the other side's token; {@code CONNECTED} under a final token;
 * {@code RECONNECTING} while its socket is gone and a resume may come; {@code DISCONNECTED} for good.
 */
public enum DopState
{
    OPEN,
    PRECONNECTED,
    CONNECTED,
    RECONNECTING,
    DISCONNECTED
}
