package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScalingPlanTest
{
    @Test
    void shouldDoubleTheLoopsUpToTheServingCpusEndingWithTheirNumber()
    {
        assertEquals(List.of(1, 2, 4, 8, 16), ScalingPlan.defaultLoopCounts(16));
        assertEquals(List.of(1, 2, 4, 6), ScalingPlan.defaultLoopCounts(6));
        assertEquals(List.of(1, 2, 4), ScalingPlan.defaultLoopCounts(4));
    }

    @Test
    void shouldMeasureOneAndTwoLoopsOnOneOrTwoServingCpus()
    {
        assertEquals(List.of(1, 2), ScalingPlan.defaultLoopCounts(1));
        assertEquals(List.of(1, 2), ScalingPlan.defaultLoopCounts(2));
    }

    @Test
    void shouldSortCountsAndRefuseOnesTheListenerRefuses()
    {
        assertEquals(List.of(1, 2, 4), new ScalingPlan(List.of(4, 1, 2, 4), 2, 3).loopCounts());
        assertThrows(IllegalArgumentException.class, () -> new ScalingPlan(List.of(0, 1), 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new ScalingPlan(List.of(257), 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new ScalingPlan(List.of(), 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ScalingPlan.parseLoopCounts("1,,2"));
        assertEquals(List.of(1, 3), ScalingPlan.parseLoopCounts("1, 3"));
    }

    @Test
    void shouldEstimateEveryStartAndRound()
    {
        final ScalingPlan plan = new ScalingPlan(List.of(1, 2), 2, 3);

        // per count: a start, then per target the warm-up, a round not recorded and 3 rounds of 2 s, each run with its
        // overhead; once: the settling pause
        final double perTarget = ScalingPlan.WARMUP_SECONDS + 4 * 2 + 5 * BenchPlan.RUN_OVERHEAD_SECONDS;
        assertEquals(ScalingPlan.SETTLE_MS / 1000.0 + 2 * (BenchPlan.STARTUP_SECONDS + 2 * perTarget),
            plan.estimateSeconds(2), 1e-9);
        assertTrue(plan.describe().startsWith("scaling: hello-c64 at 1, 2 event loop(s), one listener each, 2 s × 3 " +
            "rounds alternating the counts"),
            plan.describe());
    }
}
