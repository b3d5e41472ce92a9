package io.switchboard.cluster.links;

/** What {@link NodeLinks#offer} did with one message; it never blocks and never holds the message. */
public enum LinkOffer
{
    /** In the peer's publication: it arrives, in order after this sender's earlier messages, while the peer lives. */
    SENT,
    /** The peer has not consumed enough of what was sent (flow control) or the term is rotating: retry or drop. */
    BACK_PRESSURED,
    /** No subscriber at the peer's endpoint right now (not started, gone, or the publication closed). */
    NOT_CONNECTED
}
