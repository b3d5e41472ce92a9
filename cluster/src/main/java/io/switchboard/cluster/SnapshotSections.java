package io.switchboard.cluster;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A snapshot made of sections written one after the other, each record prefixed by its section's tag (int32,
 * little-endian), and closed by an end record; so that the de-dup window and the state machine each read back their
 * own records and nothing else, and a truncated snapshot is detected instead of loaded.
 */
final class SnapshotSections
{
    static final int TAG_LENGTH = 4;
    static final int TAG_DEDUP = 1;
    static final int TAG_STATE = 2;
    static final int TAG_END = 0x454E_4421;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private SnapshotSections()
    {
    }

    /** Writes one section's records through {@code raw}. */
    static final class Writer implements SnapshotWriter
    {
        private final SnapshotWriter raw;
        private final MutableDirectBuffer scratch = new ExpandableArrayBuffer(1024);
        private int tag;

        Writer(final SnapshotWriter raw)
        {
            this.raw = raw;
        }

        Writer section(final int tag)
        {
            this.tag = tag;
            return this;
        }

        @Override
        public void write(final DirectBuffer buffer, final int offset, final int length)
        {
            scratch.putInt(0, tag, ORDER);
            scratch.putBytes(TAG_LENGTH, buffer, offset, length);
            raw.write(scratch, 0, TAG_LENGTH + length);
        }

        void end()
        {
            scratch.putInt(0, TAG_END, ORDER);
            raw.write(scratch, 0, TAG_LENGTH);
        }
    }

    /** Reads one section at a time: {@link #next()} is false at the first record of another section. */
    static final class Reader implements SnapshotReader
    {
        private final SnapshotReader raw;
        private boolean peeked;
        private int tag;

        Reader(final SnapshotReader raw)
        {
            this.raw = raw;
        }

        Reader section(final int tag)
        {
            this.tag = tag;
            return this;
        }

        @Override
        public boolean next()
        {
            if (!peeked)
            {
                if (!raw.next())
                {
                    throw new IllegalStateException("snapshot ended without its end record");
                }
                if (raw.length() < TAG_LENGTH)
                {
                    throw new IllegalStateException("snapshot record shorter than its tag");
                }
                peeked = true;
            }
            if (raw.buffer().getInt(raw.offset(), ORDER) != tag)
            {
                return false;
            }
            peeked = false;
            return true;
        }

        /** Skips what the current section's reader left and checks that the end record comes next. */
        void expectEnd()
        {
            section(TAG_END);
            if (!next())
            {
                throw new IllegalStateException(
                    "snapshot section tag " + raw.buffer().getInt(raw.offset(), ORDER) + " where its end was expected");
            }
        }

        @Override
        public DirectBuffer buffer()
        {
            return raw.buffer();
        }

        @Override
        public int offset()
        {
            return raw.offset() + TAG_LENGTH;
        }

        @Override
        public int length()
        {
            return raw.length() - TAG_LENGTH;
        }
    }
}
