package io.switchboard.cluster;

/**
 * What became of one submitted command: the state machine's result code (>= 0, its own meaning) or one of the log's
 * refusals (< 0), and the log position after it (for read-your-writes on a replica).
 *
 * @param duplicate true when the command id had been applied before and this is the remembered result of that
 *                  application (a retry after a lost acknowledgement)
 */
public record CommandResult(long commandId, int code, long logPosition, boolean duplicate)
{
    /** The envelope is malformed (wrong length or body too long): nothing applied. */
    public static final int REFUSED_MALFORMED = -1;
    /** The command id is at or below the origin's highest applied id but too old to be remembered: not applied. */
    public static final int REFUSED_TOO_OLD = -2;
    /** The origin node is outside the de-duplication table's bounds: not applied. */
    public static final int REFUSED_ORIGIN = -3;
    /** The state machine threw while applying it (it must check before it changes anything): logged, not applied. */
    public static final int REFUSED_FAILED = -4;

    public boolean refused()
    {
        return code < 0;
    }
}
