package io.switchboard.engine.links;

import io.switchboard.engine.metrics.Metrics;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkOutboxTest
{
    private static final int CAPACITY = 1024;

    private final Metrics metrics = new Metrics();
    private final AtomicCounter[] full = {
        metrics.counter("full", "peer=\"0\"", "h"), null, metrics.counter("full", "peer=\"2\"", "h") };
    private final LinkOutbox outbox = new LinkOutbox(1, 3, CAPACITY, full);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);

    @Test
    void drainsEachPeerInOrderOfOffer()
    {
        for (int i = 0; i < 5; i++)
        {
            message.putInt(0, i, ByteOrder.LITTLE_ENDIAN);
            assertTrue(outbox.offer(2, LinkTypes.ICE_FIRST + i, message, 0, 4));
        }
        message.putInt(0, 99, ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, outbox.broadcast(LinkTypes.PULSE_FIRST, message, 0, 4));

        final List<String> sent = new ArrayList<>();
        final LinkOutbox.Sink sink = (node, type, buffer, offset, length) ->
            sent.add(node + ":" + type + ":" + buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) + "/" + length);
        assertEquals(6, outbox.drain(2, sink, 100));
        assertEquals(List.of("2:100:0/4", "2:101:1/4", "2:102:2/4", "2:103:3/4", "2:104:4/4", "2:200:99/4"), sent);
        sent.clear();
        assertEquals(1, outbox.drain(0, sink, 100));
        assertEquals(List.of("0:200:99/4"), sent);
        assertEquals(0, outbox.queuedBytes(0));
    }

    @Test
    void aMessageTheLinksCannotTakeStaysFirst()
    {
        for (int i = 0; i < 3; i++)
        {
            message.putInt(0, i, ByteOrder.LITTLE_ENDIAN);
            outbox.offer(0, LinkTypes.ICE_FIRST, message, 0, 4);
        }
        final List<Integer> sent = new ArrayList<>();
        final int[] room = {1};
        final LinkOutbox.Sink sink = (node, type, buffer, offset, length) ->
        {
            if (room[0] == 0)
            {
                return false;
            }
            room[0]--;
            sent.add(buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN));
            return true;
        };
        assertEquals(1, outbox.drain(0, sink, 100));
        assertTrue(outbox.blocked());
        assertEquals(0, outbox.drain(0, sink, 100));
        room[0] = 10;
        assertEquals(2, outbox.drain(0, sink, 100));
        assertFalse(outbox.blocked());
        assertEquals(List.of(0, 1, 2), sent);
    }

    @Test
    void aFullQueueRefusesAtOnceAndCountsPerPeer()
    {
        int taken = 0;
        while (outbox.offer(0, LinkTypes.ICE_FIRST, message, 0, 56))
        {
            taken++;
        }
        assertEquals(CAPACITY / 64, taken);
        assertEquals(1, full[0].get());
        assertEquals(0, full[2].get());
        assertEquals(1, outbox.broadcast(LinkTypes.ICE_FIRST, message, 0, 56));
        assertEquals(2, full[0].get());
        assertThrows(IllegalArgumentException.class, () -> outbox.offer(1, LinkTypes.ICE_FIRST, message, 0, 4));
    }
}
