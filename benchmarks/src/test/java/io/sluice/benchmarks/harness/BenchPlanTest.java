package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchPlanTest
{
    // the default targets: the access log's is measured only when named
    private static final Set<TargetKind> ALL_TARGETS = EnumSet.complementOf(EnumSet.of(TargetKind.LOGGED));

    @Test
    void shouldPlanTheDefaultRunWithinEightMinutesAndLeaveRoomForLongerWarmups()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL);

        assertEquals(660, plan.timeLimitSeconds());
        assertTrue(plan.estimateSeconds(ALL_TARGETS) <= 480, "estimate " + plan.estimateSeconds(ALL_TARGETS));
        assertEquals(12, plan.jitSettleSeconds());
        assertEquals(13, plan.scenarios().size());
        assertTrue(plan.scenarios().containsAll(List.of(Scenario.HTTPS_C64, Scenario.TLS_HANDSHAKE,
            Scenario.H2_C16M32, Scenario.H2C_C16M32, Scenario.WS_ECHO)));
    }

    @Test
    void shouldPlanTheQuickRunWithinNinetySeconds()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.QUICK);

        assertEquals(90, plan.timeLimitSeconds());
        assertTrue(plan.estimateSeconds(ALL_TARGETS) <= 90, "estimate " + plan.estimateSeconds(ALL_TARGETS));
        assertFalse(plan.scenarios().contains(Scenario.WS_ECHO));
        assertFalse(new BenchPlan(BenchPlan.Profile.SMOKE).scenarios().contains(Scenario.WS_ECHO));
    }

    @Test
    void shouldServeTheWebSocketEchoOnTheSluiceTargetsOnly()
    {
        for (final TargetKind kind : TargetKind.values())
        {
            assertEquals(kind.isSluice(), Scenario.WS_ECHO.servedBy(kind), kind.key());
        }
        assertEquals(Scenario.WS_ECHO, Scenario.named("ws-echo"));
        assertFalse(Scenario.WS_ECHO.hasLatency());
    }

    @Test
    void shouldPlanTheSmokeRunWithinAMinuteOnTheHeadlineAndOneEcho()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.SMOKE);

        assertEquals(Scenario.SMOKE, plan.scenarios());
        assertTrue(plan.estimateSeconds(ALL_TARGETS) < 60, "estimate " + plan.estimateSeconds(ALL_TARGETS));
        assertEquals(0, plan.warmupSeconds(Scenario.HELLO_C64));
    }

    @Test
    void shouldGiveTheHeadlineItsOwnLengthAndRounds()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL);

        assertEquals(5, plan.seconds(Scenario.HELLO_C64));
        assertEquals(3, plan.rounds(Scenario.HELLO_C64));
        assertEquals(1, plan.seconds(Scenario.ECHO_4K));
        assertEquals(3, plan.warmupSeconds(Scenario.HELLO_C64));
        assertEquals(1, plan.warmupSeconds(Scenario.ECHO_4K));
    }

    @Test
    void shouldWarmUpTheFirstScenarioOfEachProtocolAsLongAsTheFirstScenario()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL).scenarios(List.of(Scenario.HELLO_C64,
            Scenario.HTTPS_C64, Scenario.ECHO_4K, Scenario.TLS_HANDSHAKE, Scenario.H2_C16M32, Scenario.H2C_C16M32));

        assertEquals(List.of(3, 3, 1, 3, 3, 3), plan.scenarios().stream().map(plan::warmupSeconds).toList());
        assertEquals(0, new BenchPlan(BenchPlan.Profile.SMOKE).warmupSeconds(Scenario.HTTPS_C64));
    }

    @Test
    void shouldOverrideLengthAndRoundsEverywhere()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL).durationSeconds(2).rounds(5);

        assertEquals(2, plan.seconds(Scenario.HELLO_C64));
        assertEquals(2, plan.seconds(Scenario.ECHO_4K));
        assertEquals(5, plan.rounds(Scenario.ECHO_4K));
    }

    @Test
    void shouldRejectADurationOutOfRange()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new BenchPlan(BenchPlan.Profile.FULL).durationSeconds(0));

        assertEquals("duration out of range: duration=0, limit=1..600", ex.getMessage());
    }

    @Test
    void shouldExtendAWarmupOnlyWhileTheJitCompilesAndTimeIsLeft()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL);
        final double enough = 100;

        assertTrue(plan.extendsWarmup(0.45, 0, enough));
        assertTrue(plan.extendsWarmup(BenchPlan.JIT_SETTLED_SHARE, 10, enough));
        assertFalse(plan.extendsWarmup(0.09, 0, enough), "settled");
        assertFalse(plan.extendsWarmup(0.45, 12, enough), "at most 12 s added");
        assertFalse(plan.extendsWarmup(0.45, 0, BenchPlan.JIT_SETTLE_STEP_SECONDS), "no time left for the step");
        assertFalse(new BenchPlan(BenchPlan.Profile.QUICK).extendsWarmup(0.45, 0, enough), "quick: planned only");
        assertFalse(new BenchPlan(BenchPlan.Profile.SMOKE).extendsWarmup(0.45, 0, enough), "smoke: planned only");
        assertFalse(plan.jitSettleSeconds(0).extendsWarmup(0.45, 0, enough), "--jit-settle 0");
        assertTrue(plan.jitSettleSeconds(120).describe().contains("up to 120 s"), plan.describe());
    }

    @Test
    void shouldRunAScenarioAsPlannedWhenItFits()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL);

        assertEquals(new BenchPlan.Allotment(3, 3), plan.allot(Scenario.HELLO_C64, ALL_TARGETS, 1000));
    }

    @Test
    void shouldCutRoundsThenWarmupThenTheScenarioWhenTimeIsShort()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL);
        final double warmup = 5 * (3 + BenchPlan.RUN_OVERHEAD_SECONDS);
        final double round = 5 * (5 + BenchPlan.RUN_OVERHEAD_SECONDS);

        assertEquals(new BenchPlan.Allotment(3, 2), plan.allot(Scenario.HELLO_C64, ALL_TARGETS, warmup + 2.5 * round));
        assertEquals(new BenchPlan.Allotment(0, 1), plan.allot(Scenario.HELLO_C64, ALL_TARGETS, round + 1));
        assertNull(plan.allot(Scenario.HELLO_C64, ALL_TARGETS, round - 1));
    }

    @Test
    void shouldCountOnlyTheTargetsThatServeAScenario()
    {
        final BenchPlan plan = new BenchPlan(BenchPlan.Profile.QUICK);

        assertEquals(4 * (1 + BenchPlan.RUN_OVERHEAD_SECONDS), plan.minimumSeconds(Scenario.ECHO_4K, ALL_TARGETS),
            1e-9);
    }
}
