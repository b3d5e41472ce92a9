package io.switchboard.protocol.dop;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dop tokens on the spec's worked examples (rendezvous-and-dop.md, part 2). */
class DopTokenTest
{
    @Test
    void finalTokenMatchesTheSpecsWorkedExamples()
    {
        assertEquals("Bf8TqW1eR5uIo0Lpk3Q9zL0aP7xYb2Mn", DopToken.unique("k3Q9zL0aP7xYb2Mn", "Bf8TqW1eR5uIo0Lp"));
        assertEquals("Bf8TqW1eR5uIo0Lpk3Q9zL0aP7xYb2Mn", DopToken.unique("Bf8TqW1eR5uIo0Lp", "k3Q9zL0aP7xYb2Mn"));
        // A reconnect that became a new connection: the longer token is cut to the shorter's length.
        assertEquals("Bf8TqW1eR5uIo0LpZx7Rt2Yp9Wq4Lm6N",
            DopToken.unique("Bf8TqW1eR5uIo0Lpk3Q9zL0aP7xYb2Mn", "Zx7Rt2Yp9Wq4Lm6N"));
    }

    @Test
    void aLocalTokenIsSixteenAlphanumerics()
    {
        for (int i = 0; i < 100; i++)
        {
            final String token = DopToken.local();
            assertEquals(DopToken.LOCAL_LENGTH, token.length());
            assertTrue(token.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c)), token);
        }
    }

    @Test
    void aRemoteTokenIsOneToSixtyFourCharactersAndNotAJsonArray()
    {
        assertTrue(DopToken.isAcceptable("a"));
        assertTrue(DopToken.isAcceptable("x".repeat(DopToken.MAX_REMOTE_LENGTH)));
        assertFalse(DopToken.isAcceptable(""));
        assertFalse(DopToken.isAcceptable("x".repeat(DopToken.MAX_REMOTE_LENGTH + 1)));
        assertFalse(DopToken.isAcceptable("[\"peer\"]"));
    }
}
