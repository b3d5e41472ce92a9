package io.switchboard.edge.websocket;

import io.switchboard.engine.metrics.Metrics;
import io.switchboard.engine.metrics.PrometheusText;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The budget's arithmetic: it refuses at exactly its limits, counts each refusal by reason, and takes back. */
class PartialBudgetTest
{
    private final Metrics metrics = new Metrics();
    private final PartialBudget budget = new PartialBudget(1_000, 2_500, metrics);

    @Test
    void theBudgetFillsToItsLastByteAndRefusesTheNext()
    {
        assertTrue(budget.take(1_000));
        assertTrue(budget.take(1_500));
        assertEquals(2_500, budget.held());
        assertFalse(budget.take(1));
        assertEquals(2_500, budget.held(), "a refusal takes nothing");
        budget.give(1_000);
        assertTrue(budget.take(1_000));
        assertTrue(series().contains("switchboard_ws_partial_bytes 2500\n"), series());
        assertTrue(series().contains("switchboard_ws_partial_refused_total{reason=\"budget\"} 1\n"), series());
    }

    @Test
    void oneSocketsMessageMayReachItsLimitButNotPassIt()
    {
        assertTrue(budget.fitsOneSocket(1_000));
        assertFalse(budget.fitsOneSocket(1_001));
        assertTrue(series().contains("switchboard_ws_partial_refused_total{reason=\"socket_limit\"} 1\n"), series());
    }

    @Test
    void limitsMustBePositive()
    {
        assertThrows(IllegalArgumentException.class, () -> new PartialBudget(0, 1, new Metrics()));
        assertThrows(IllegalArgumentException.class, () -> new PartialBudget(1, 0, new Metrics()));
    }

    private String series()
    {
        return PrometheusText.render(metrics);
    }
}
