package io.sluice.dispatch.shm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adaptive look budget, driven by a clock passed by hand: it starts at the maximum, halves on a miss down to 0,
 * doubles on a find up to the maximum, and at 0 probes one idle period in {@link SpinBudget#PROBE_INTERVAL}, backing off
 * to one in {@link SpinBudget#MAX_PROBE_INTERVAL} while probes find nothing.
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

        assertEquals(List.of(SpinBudget.PROBE_INTERVAL), probesOver(SpinBudget.PROBE_INTERVAL, true));
        assertEquals(0, budget.budgetNs());
    }

    @Test
    void shouldDoubleTheIntervalBetweenProbesThatFindNothingUpToTheMaximum()
    {
        missUntilZero();

        final List<Integer> expected = new ArrayList<>();
        int period = 0;
        for (int interval = SpinBudget.PROBE_INTERVAL; interval <= SpinBudget.MAX_PROBE_INTERVAL; interval <<= 1)
        {
            period += interval;
            expected.add(period);
        }
        period += SpinBudget.MAX_PROBE_INTERVAL;
        expected.add(period);
        period += SpinBudget.MAX_PROBE_INTERVAL;
        expected.add(period);

        assertEquals(expected, probesOver(period, false));
        assertEquals(SpinBudget.MAX_PROBE_INTERVAL, budget.probeInterval());
        assertEquals(0, budget.budgetNs());
    }

    @Test
    void shouldProbeOftenAgainOnceLookingPays()
    {
        missUntilZero();
        probesOver(4 * SpinBudget.MAX_PROBE_INTERVAL, false);

        // a probe finds work: the budget grows, and once it has dropped to 0 again probes come at the first interval
        int periods = 1;
        budget.begin(0);
        while (!budget.isWithin(0))
        {
            budget.missed();
            budget.begin(0);
            periods++;
        }
        assertTrue(periods <= SpinBudget.MAX_PROBE_INTERVAL, "the next probe within the longest interval");
        budget.found();
        assertEquals(MIN_NS, budget.budgetNs());
        assertEquals(SpinBudget.PROBE_INTERVAL, budget.probeInterval());
        budget.missed();

        assertEquals(List.of(SpinBudget.PROBE_INTERVAL), probesOver(SpinBudget.PROBE_INTERVAL, true));
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

    /**
     * Idle periods that find nothing, as a consumer at budget 0 has them: a probe looks for the minimum and misses.
     *
     * @return the 1-based numbers of the periods that probed.
     */
    private List<Integer> probesOver(final int periods, final boolean stopAtFirst)
    {
        final List<Integer> probes = new ArrayList<>();
        long nowNs = 1_000_000;
        for (int period = 1; period <= periods; period++)
        {
            budget.begin(nowNs);
            if (budget.isWithin(nowNs))
            {
                probes.add(period);
                assertTrue(budget.isWithin(nowNs + MIN_NS - 1), "a probe looks for the minimum");
                assertFalse(budget.isWithin(nowNs + MIN_NS));
                nowNs += MIN_NS;
                if (stopAtFirst)
                {
                    budget.missed();
                    return probes;
                }
            }
            budget.missed();
            nowNs += 1_000;
        }
        return probes;
    }

    private void missUntilZero()
    {
        while (0 != budget.budgetNs())
        {
            budget.missed();
        }
    }
}
