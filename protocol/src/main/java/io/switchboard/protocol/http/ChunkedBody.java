package io.switchboard.protocol.http;

import java.nio.ByteBuffer;

/**
 * Walks a chunked request body (RFC 9112 §7.1) to its end without keeping it: {@code size [; ext] CRLF data CRLF}
 * until a zero size, then trailer lines and an empty line. Fed bytes as they arrive, in any split; one instance per
 * connection, {@link #reset} before each body.
 * <p>
 * Refused: a size that is not hex or is past 2 GiB ({@link State#BAD_SIZE}); data not followed by CRLF, a bare CR, or
 * a size line or trailer section past {@link #MAX_LINE_BYTES} ({@link State#MALFORMED}); chunk sizes adding up to
 * more than the body limit ({@link State#TOO_LARGE}, as soon as the size line that passes it is read).
 */
public final class ChunkedBody
{
    /** Longest size line (extensions included) and longest trailer section. */
    public static final int MAX_LINE_BYTES = 4 * 1024;
    /** The largest chunk size read as a number: past it no body could be meant. */
    public static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE;

    /** Where the walk is. */
    public enum State
    {
        /** More bytes are needed. */
        MORE,
        /** The body has ended: the bytes after it are the next request's. */
        DONE,
        BAD_SIZE,
        MALFORMED,
        TOO_LARGE
    }

    private enum Step
    {
        SIZE,
        EXTENSION,
        SIZE_LF,
        DATA,
        DATA_CR,
        DATA_LF,
        TRAILER_START,
        TRAILER_LINE,
        TRAILER_LF,
        END_LF
    }

    private static final int RADIX = 16;

    private final long maxBodyBytes;
    private Step step;
    private State state;
    private long size;
    private int sizeDigits;
    private long left;
    private long total;
    private int lineBytes;

    /** @param maxBodyBytes chunk sizes may add up to this many bytes */
    public ChunkedBody(final long maxBodyBytes)
    {
        this.maxBodyBytes = maxBodyBytes;
        reset();
    }

    /** Before a new body. */
    public void reset()
    {
        step = Step.SIZE;
        state = State.MORE;
        size = 0;
        sizeDigits = 0;
        left = 0;
        total = 0;
        lineBytes = 0;
    }

    /**
     * Walks {@code buffer[offset, offset + length)}.
     *
     * @return how many of those bytes belong to the body; when {@link #state()} is {@link State#DONE} the rest
     * follows it; when it is an error, the rest is unread
     */
    public int consume(final ByteBuffer buffer, final int offset, final int length)
    {
        int at = offset;
        final int end = offset + length;
        while (at < end && state == State.MORE)
        {
            if (step == Step.DATA)
            {
                final int take = (int)Math.min(left, end - at);
                left -= take;
                at += take;
                if (left == 0)
                {
                    step = Step.DATA_CR;
                }
                continue;
            }
            step(buffer.get(at++));
        }
        return at - offset;
    }

    public State state()
    {
        return state;
    }

    /** Data bytes the chunk sizes read so far announce. */
    public long total()
    {
        return total;
    }

    private void step(final byte c)
    {
        switch (step)
        {
            case SIZE -> size(c);
            case EXTENSION, TRAILER_LINE -> skipLine(c);
            case SIZE_LF, TRAILER_LF, END_LF ->
            {
                if (c == '\n')
                {
                    lineEnded();
                }
                else
                {
                    fail(State.MALFORMED);
                }
            }
            case DATA_CR -> step = c == '\r' ? Step.DATA_LF : c == '\n' ? Step.SIZE : fail(State.MALFORMED);
            case DATA_LF -> step = c == '\n' ? Step.SIZE : fail(State.MALFORMED);
            case TRAILER_START -> trailerStart(c);
            default -> fail(State.MALFORMED);
        }
    }

    private void size(final byte c)
    {
        final int digit = Character.digit((char)(c & 0xFF), RADIX);
        if (digit >= 0)
        {
            size = size * RADIX + digit;
            sizeDigits++;
            if (size > MAX_CHUNK_BYTES || sizeDigits > MAX_LINE_BYTES)
            {
                fail(State.BAD_SIZE);
            }
            return;
        }
        if (sizeDigits == 0)
        {
            fail(State.BAD_SIZE);
            return;
        }
        if (c == '\r')
        {
            step = Step.SIZE_LF;
        }
        else if (c == '\n')
        {
            sizeDone();
        }
        else if (c == ';' || c == ' ' || c == '\t')
        {
            step = Step.EXTENSION;
            lineBytes = sizeDigits + 1;
        }
        else
        {
            fail(State.BAD_SIZE);
        }
    }

    /** A size line is read: its data follows, or the trailer when it is zero. */
    private void sizeDone()
    {
        total += size;
        if (total > maxBodyBytes)
        {
            fail(State.TOO_LARGE);
            return;
        }
        left = size;
        step = size == 0 ? Step.TRAILER_START : Step.DATA;
        size = 0;
        sizeDigits = 0;
        lineBytes = 0;
    }

    private void trailerStart(final byte c)
    {
        if (c == '\r')
        {
            step = Step.END_LF;
        }
        else if (c == '\n')
        {
            state = State.DONE;
        }
        else
        {
            step = Step.TRAILER_LINE;
            skipLine(c);
        }
    }

    /** A byte of a size line's extension or of a trailer line, whose content is skipped. */
    private void skipLine(final byte c)
    {
        if (++lineBytes > MAX_LINE_BYTES)
        {
            fail(State.MALFORMED);
        }
        else if (c == '\r')
        {
            step = step == Step.EXTENSION ? Step.SIZE_LF : Step.TRAILER_LF;
        }
        else if (c == '\n')
        {
            lineEnded();
        }
    }

    /** The LF of a size line, a trailer line or the final empty line. */
    private void lineEnded()
    {
        switch (step)
        {
            case EXTENSION, SIZE_LF -> sizeDone();
            case TRAILER_LINE, TRAILER_LF -> step = Step.TRAILER_START;
            default -> state = State.DONE;
        }
    }

    private Step fail(final State error)
    {
        state = error;
        return step;
    }
}
