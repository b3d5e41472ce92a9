package io.switchboard.cluster;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandApplierTest
{
    private final ClusterCounters counters = new ClusterCounters(new Metrics());
    private final ToyMapMachine machine = new ToyMapMachine();
    private final CommandApplier applier = new CommandApplier(machine, new DedupWindow(4), counters);
    private final MutableDirectBuffer envelope = new UnsafeBuffer(new byte[256]);

    @Test
    void envelopeFieldsReadBackAtTheirNamedOffsetsLittleEndian()
    {
        final DirectBuffer body = ToyMapMachine.putBody("k", "v");
        final int length = CommandEnvelope.put(envelope, 0, 0x0102030405060708L, 3, ToyMapMachine.PUT,
            body, 0, body.capacity());
        final CommandEnvelope decoded = new CommandEnvelope().wrap(envelope, 0, length);
        assertTrue(decoded.isWellFormed());
        assertEquals(0x08, envelope.getByte(CommandEnvelope.COMMAND_ID_OFFSET));
        assertEquals(0x0102030405060708L, decoded.commandId());
        assertEquals(3, decoded.originNode());
        assertEquals(ToyMapMachine.PUT, decoded.type());
        assertEquals(body.capacity(), decoded.bodyLength());
        assertEquals(CommandEnvelope.HEADER_LENGTH + body.capacity(), length);
        assertFalse(new CommandEnvelope().wrap(envelope, 0, length - 1).isWellFormed());
    }

    @Test
    void aRetriedCommandIdIsAnsweredWithItsFirstResultAndNotAppliedAgain()
    {
        assertEquals(ToyMapMachine.ABSENT, apply(10, 0, ToyMapMachine.DELETE, ToyMapMachine.deleteBody("absent")));
        assertEquals(ToyMapMachine.STORED, apply(11, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("a", "1")));
        final long applies = machine.applies();

        assertEquals(ToyMapMachine.ABSENT, apply(10, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("absent", "x")));
        assertTrue(applier.lastDuplicate());
        assertEquals(applies, machine.applies());
        assertEquals(1, machine.size());
        assertEquals(1, counters.duplicates.get());
    }

    @Test
    void originsAreDeduplicatedSeparately()
    {
        assertEquals(ToyMapMachine.STORED, apply(5, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("a", "1")));
        assertEquals(ToyMapMachine.STORED, apply(5, 1, ToyMapMachine.PUT, ToyMapMachine.putBody("b", "1")));
        assertFalse(applier.lastDuplicate());
        assertEquals(2, machine.size());
    }

    @Test
    void aRetryOlderThanTheWindowIsRefusedNotApplied()
    {
        for (long id = 1; id <= 5; id++)
        {
            apply(id, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("k" + id, "v"));
        }
        assertEquals(CommandResult.REFUSED_TOO_OLD, apply(1, 0, ToyMapMachine.DELETE, ToyMapMachine.deleteBody("k1")));
        assertEquals(5, machine.size());
        assertEquals(ToyMapMachine.STORED, apply(2, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("x", "y")));
        assertTrue(applier.lastDuplicate());
        assertEquals(5, machine.size());
    }

    @Test
    void malformedEnvelopesAndOriginsOutOfRangeAreRefusedAndCounted()
    {
        final DirectBuffer body = ToyMapMachine.putBody("k", "v");
        final int length = CommandEnvelope.put(envelope, 0, 1, 0, ToyMapMachine.PUT, body, 0, body.capacity());
        assertEquals(CommandResult.REFUSED_MALFORMED, applier.apply(envelope, 0, length + 1, 0));
        assertEquals(CommandResult.REFUSED_MALFORMED, applier.apply(envelope, 0, 4, 0));
        assertEquals(CommandResult.REFUSED_ORIGIN, apply(2, DedupWindow.MAX_ORIGINS, ToyMapMachine.PUT,
            ToyMapMachine.putBody("k", "v")));
        assertEquals(3, counters.refused.get());
        assertEquals(0, machine.size());
    }

    @Test
    void aStateMachineThatThrowsFailsTheCommandAndTheLogGoesOn()
    {
        assertEquals(CommandResult.REFUSED_FAILED, apply(1, 0, 99, ToyMapMachine.deleteBody("k")));
        assertEquals(CommandResult.REFUSED_FAILED, apply(1, 0, 99, ToyMapMachine.deleteBody("k")));
        assertTrue(applier.lastDuplicate());
        assertEquals(ToyMapMachine.STORED, apply(2, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("k", "v")));
    }

    @Test
    void aSnapshotRestoresTheStateAndTheDedupWindow()
    {
        apply(7, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("a", "1"));
        apply(8, 0, ToyMapMachine.DELETE, ToyMapMachine.deleteBody("nothing"));
        apply(3, 2, ToyMapMachine.PUT, ToyMapMachine.putBody("b", "2"));
        final MemorySnapshot snapshot = new MemorySnapshot();
        applier.takeSnapshot(snapshot);

        final ToyMapMachine restoredMachine = new ToyMapMachine();
        final CommandApplier restored = new CommandApplier(restoredMachine, new DedupWindow(4), counters);
        restored.loadSnapshot(snapshot.reader());

        assertEquals(machine.checksum(), restoredMachine.checksum());
        assertEquals(2, restoredMachine.size());
        final int length = CommandEnvelope.put(envelope, 0, 8, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("z", "z"),
            0, ToyMapMachine.putBody("z", "z").capacity());
        assertEquals(ToyMapMachine.ABSENT, restored.apply(envelope, 0, length, 0));
        assertTrue(restored.lastDuplicate());
        assertEquals(2, restoredMachine.size());
    }

    @Test
    void aWindowLongerThanOneSnapshotRecordIsRestoredWhole()
    {
        final int ids = DedupWindow.ENTRIES_PER_RECORD * 2 + 10;
        final CommandApplier wide = new CommandApplier(machine, new DedupWindow(ids), counters);
        for (int id = 1; id <= ids; id++)
        {
            final DirectBuffer body = ToyMapMachine.deleteBody("k" + id);
            wide.apply(envelope, 0, CommandEnvelope.put(envelope, 0, id, 0, ToyMapMachine.DELETE, body, 0,
                body.capacity()), 0);
        }
        final MemorySnapshot snapshot = new MemorySnapshot();
        wide.takeSnapshot(snapshot);
        final CommandApplier restored = new CommandApplier(new ToyMapMachine(), new DedupWindow(ids), counters);
        restored.loadSnapshot(snapshot.reader());
        final DirectBuffer body = ToyMapMachine.putBody("k", "v");
        for (final int id : new int[] {1, ids})
        {
            assertEquals(ToyMapMachine.ABSENT, restored.apply(envelope, 0,
                CommandEnvelope.put(envelope, 0, id, 0, ToyMapMachine.PUT, body, 0, body.capacity()), 0));
            assertTrue(restored.lastDuplicate());
        }
    }

    @Test
    void aTruncatedSnapshotIsDetectedNotLoaded()
    {
        apply(1, 0, ToyMapMachine.PUT, ToyMapMachine.putBody("a", "1"));
        final MemorySnapshot whole = new MemorySnapshot();
        applier.takeSnapshot(whole);
        final MemorySnapshot truncated = new MemorySnapshot();
        final SnapshotReader reader = whole.reader();
        for (int i = 0; i < whole.recordCount() - 1 && reader.next(); i++)
        {
            truncated.write(reader.buffer(), reader.offset(), reader.length());
        }
        final CommandApplier restored = new CommandApplier(new ToyMapMachine(), new DedupWindow(4), counters);
        assertThrows(IllegalStateException.class, () -> restored.loadSnapshot(truncated.reader()));
    }

    private int apply(final long commandId, final int origin, final int type, final DirectBuffer body)
    {
        final int length = CommandEnvelope.put(envelope, 0, commandId, origin, type, body, 0, body.capacity());
        return applier.apply(envelope, 0, length, 1_000);
    }
}
