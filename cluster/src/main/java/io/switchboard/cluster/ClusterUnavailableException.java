package io.switchboard.cluster;

/** A command was not acknowledged in time, or could not be submitted at all: the edge answers 503 with the message. */
public final class ClusterUnavailableException extends RuntimeException
{
    public ClusterUnavailableException(final String message)
    {
        super(message, null, false, false);
    }
}
