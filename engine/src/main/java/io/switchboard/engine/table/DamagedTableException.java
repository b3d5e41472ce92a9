package io.switchboard.engine.table;

/** A table file that must not be opened as it is: the message is the one line the operator reads. */
public final class DamagedTableException extends RuntimeException
{
    public DamagedTableException(final String message)
    {
        super(message);
    }
}
