package io.switchboard.edge.websocket;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.protocol.websocket.Masking;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The assembler on bytes: fragments unmasked in order, its array grown within the budget and given back. */
class MessageAssemblerTest
{
    private final Metrics metrics = new Metrics();
    private final PartialBudget budget = new PartialBudget(4_096, 10_000, metrics);

    @Test
    void joinsUnmaskedFragmentsInOrderAndGivesItsBytesBack()
    {
        final MessageAssembler assembler = MessageAssembler.start(true, 3, 4_096, budget);
        assertTrue(assembler.isText());
        assertEquals(256, budget.held(), "a first array of at least 256 bytes");
        assertTrue(assembler.append(masked("Hel", 0x37fa213d), 0, 3, 0x37fa213d));
        assertTrue(assembler.append(masked("lo", 0x01020304), 0, 2, 0x01020304));
        assertEquals("Hello", new String(assembler.bytes(), 0, assembler.length(), StandardCharsets.UTF_8));
        assembler.release();
        assertEquals(0, budget.held());
    }

    @Test
    void growsByDoublingButNeverPastTheLongestMessage()
    {
        final MessageAssembler assembler = MessageAssembler.start(false, 200, 600, budget);
        assertTrue(assembler.append(masked("x".repeat(200), 7), 0, 200, 7));
        assertTrue(assembler.append(masked("y".repeat(100), 7), 0, 100, 7));
        assertEquals(512, budget.held(), "256 doubled");
        assertTrue(assembler.append(masked("z".repeat(250), 7), 0, 250, 7));
        assertEquals(600, budget.held(), "doubling stops at the longest message");
        assertEquals(550, assembler.length());
        assembler.release();
        assertEquals(0, budget.held());
    }

    @Test
    void aRefusedGrowthAppendsNothingAndKeepsWhatWasHeld()
    {
        final PartialBudget small = new PartialBudget(4_096, 300, metrics);
        final MessageAssembler assembler = MessageAssembler.start(true, 10, 4_096, small);
        assertTrue(assembler.append(masked("a".repeat(10), 0), 0, 10, 0));
        assertFalse(assembler.append(masked("b".repeat(250), 0), 0, 250, 0));
        assertEquals(10, assembler.length());
        assertEquals(256, small.held());
        assembler.release();
        assertEquals(0, small.held());
        assertNull(MessageAssembler.start(true, 400, 4_096, small), "no first array the budget cannot hold");
    }

    private static ByteBuffer masked(final String text, final int mask)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Masking.unmask(bytes, 0, bytes.length, mask);
        return ByteBuffer.wrap(bytes);
    }
}
