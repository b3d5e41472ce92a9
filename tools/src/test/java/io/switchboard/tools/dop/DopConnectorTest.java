package io.switchboard.tools.dop;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The connector's pure rules: the final token (spec 2.3) and the capped exponential back-off (§2.12.5). */
class DopConnectorTest
{
    @Test
    void backOffDoublesFromItsStartUpToItsCap()
    {
        assertEquals(1_000, DopConnector.backoffMs(1_000, 30_000, 0));
        assertEquals(2_000, DopConnector.backoffMs(1_000, 30_000, 1));
        assertEquals(16_000, DopConnector.backoffMs(1_000, 30_000, 4));
        assertEquals(30_000, DopConnector.backoffMs(1_000, 30_000, 5));
        assertEquals(30_000, DopConnector.backoffMs(1_000, 30_000, 1_000));
        assertEquals(0, DopConnector.backoffMs(0, 30_000, 7));
    }
}
