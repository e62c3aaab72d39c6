package io.sluice.dispatch.shm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adaptive look budget, driven by a clock passed by hand: it starts at the maximum, halves on a miss down to 0,
 * doubles on a find up to the maximum, and at 0 probes one idle period in {@link SpinBudget#PROBE_INTERVAL}.
 */
class SpinBudgetTest
{
    private static final long MIN_NS = 1_000;
    private static final long MAX_NS = 16_000;

    private final SpinBudget budget = new SpinBudget(MIN_NS, MAX_NS);

    @Test
    void shouldLookForTheWholeBudgetAndNoLonger()
    {
        budget.begin(100);

        assertTrue(budget.isWithin(100));
        assertTrue(budget.isWithin(100 + MAX_NS - 1));
        assertFalse(budget.isWithin(100 + MAX_NS));
    }

    @Test
    void shouldHalveOnAMissDownToZero()
    {
        final long[] expected = { 8_000, 4_000, 2_000, 1_000, 0, 0 };
        for (final long budgetNs : expected)
        {
            budget.missed();
            assertEquals(budgetNs, budget.budgetNs());
        }
    }

    @Test
    void shouldSleepAtOnceAtZeroButProbeOnePeriodInEight()
    {
        missUntilZero();

        int probes = 0;
        for (int period = 0; period < 3 * SpinBudget.PROBE_INTERVAL; period++)
        {
            budget.begin(1_000_000);
            if (budget.isWithin(1_000_000))
            {
                probes++;
                assertTrue(budget.isWithin(1_000_000 + MIN_NS - 1), "a probe looks for the minimum");
                assertFalse(budget.isWithin(1_000_000 + MIN_NS));
            }
            budget.missed();
        }

        assertEquals(3, probes);
        assertEquals(0, budget.budgetNs());
    }

    @Test
    void shouldGrowFromZeroByDoublingUpToTheMaximum()
    {
        missUntilZero();

        final long[] expected = { 1_000, 2_000, 4_000, 8_000, 16_000, 16_000 };
        for (final long budgetNs : expected)
        {
            budget.found();
            assertEquals(budgetNs, budget.budgetNs());
        }
    }

    @Test
    void shouldRefuseABudgetThatCannotGrow()
    {
        assertThrows(IllegalArgumentException.class, () -> new SpinBudget(0, MAX_NS));
        assertThrows(IllegalArgumentException.class, () -> new SpinBudget(MIN_NS, MIN_NS - 1));
    }

    private void missUntilZero()
    {
        while (0 != budget.budgetNs())
        {
            budget.missed();
        }
    }
}
