package io.switchboard.engine.table;

import net.openhft.chronicle.hash.ChronicleHashCorruption;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Which of Chronicle's recovery reports a kill -9 explains, and which only damage does (messages as 2026.1 words them). */
class RecoveryReportTest
{
    private static final String LOCKED = "lock of segment 9 is not clear: [read locks = 0, update locked = false, " +
        "write locked = true, waits = 0]";
    private static final String CHECKSUM = "Checksum doesn't match, stored: 605592782, should be from the entry " +
        "bytes: -1744356960, key: 00000000-0000-a112-0000-00000000a112, value: PulseClientRecord@62da83ed";
    private static final String COUNTER = "Wrong number of entries counter for tier with index 2345, stored: 2344, " +
        "should be: 10";
    private static final String HINT = "wrong lowest free chunk for tier with index 3, stored: 396, should be: 700";

    private static ChronicleHashCorruption at(final int segment, final String message)
    {
        return new ChronicleHashCorruption()
        {
            @Override
            public String message()
            {
                return message;
            }

            @Override
            public Throwable exception()
            {
                return null;
            }

            @Override
            public int segmentIndex()
            {
                return segment;
            }
        };
    }

    @Test
    void aKilledWritersLockCounterAndOneTornEntryInItsSegmentAreNotDamage()
    {
        final RecoveryReport report = new RecoveryReport(true);
        report.onCorruption(at(9, LOCKED));
        report.onCorruption(at(9, CHECKSUM));
        report.onCorruption(at(2, HINT));
        report.onCorruption(at(9, COUNTER));
        assertNull(report.damage());
        assertEquals(1, report.torn());
    }

    @Test
    void aSecondBadEntryInALockedSegmentIsDamage()
    {
        final RecoveryReport report = new RecoveryReport(true);
        report.onCorruption(at(9, LOCKED));
        report.onCorruption(at(9, CHECKSUM));
        report.onCorruption(at(9, CHECKSUM));
        assertEquals("fails Chronicle Map's entry checks (1 problems; the first, in segment 9: Checksum doesn't " +
            "match, stored: 605592782, should be from the entry bytes: -1744356960)", report.damage());
    }

    @Test
    void aBadEntryInASegmentNobodyWasWritingIsDamage()
    {
        final RecoveryReport report = new RecoveryReport(true);
        report.onCorruption(at(9, LOCKED));
        report.onCorruption(at(4, CHECKSUM));
        assertNotNull(report.damage());
        assertEquals(0, report.torn());
    }

    @Test
    void afterACleanStopEveryReportButTheSearchHintIsDamage()
    {
        final RecoveryReport hintOnly = new RecoveryReport(false);
        hintOnly.onCorruption(at(2, HINT));
        assertNull(hintOnly.damage());

        final RecoveryReport report = new RecoveryReport(false);
        report.onCorruption(at(9, LOCKED));
        report.onCorruption(at(9, CHECKSUM));
        assertEquals("fails Chronicle Map's entry checks (2 problems; the first, in segment 9: " + LOCKED + ")",
            report.damage());
    }
}
