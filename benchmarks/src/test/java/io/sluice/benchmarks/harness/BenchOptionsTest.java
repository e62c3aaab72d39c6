package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest
{
    @Test
    void shouldDefaultToTheFullPlanOnEveryTarget()
    {
        final BenchOptions options = BenchOptions.parse();

        assertEquals(BenchPlan.Profile.FULL, options.plan().profile());
        assertEquals(EnumSet.complementOf(EnumSet.of(TargetKind.LOGGED)), options.targets());
        assertTrue(options.pin());
        assertFalse(options.json());
    }

    @Test
    void shouldApplyOverridesAfterTheProfileWhateverTheOrder()
    {
        final BenchOptions options = BenchOptions.parse("--duration", "3", "--quick", "--json");

        assertEquals(BenchPlan.Profile.QUICK, options.plan().profile());
        assertEquals(3, options.plan().seconds(Scenario.HELLO_C64));
        assertTrue(options.json());
    }

    @Test
    void shouldWarmEveryScenarioAsLongAsAsked()
    {
        final BenchOptions options = BenchOptions.parse(
            "--scenarios", "hello-c64,h2-c16m32,hello-c256", "--warmup", "15", "--quick");

        assertEquals(15, options.plan().warmupSeconds(Scenario.HELLO_C64));
        assertEquals(15, options.plan().warmupSeconds(Scenario.H2_C16M32));
        assertEquals(15, options.plan().warmupSeconds(Scenario.named("hello-c256")));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--warmup", "601"));
        assertEquals(4, BenchOptions.parse("--jit-settle", "4").plan().jitSettleSeconds());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--jit-settle", "121"));
    }

    @Test
    void shouldKeepScenariosInTheirOwnOrder()
    {
        final BenchOptions options = BenchOptions.parse("--scenarios", "echo-4k,hello-c64");

        assertEquals(List.of(Scenario.HELLO_C64, Scenario.ECHO_4K), options.plan().scenarios());
    }

    @Test
    void shouldSelectTargets()
    {
        final BenchOptions options = BenchOptions.parse("--targets", "shm,loopback,nginx", "--no-nginx");

        assertEquals(EnumSet.of(TargetKind.SHM, TargetKind.LOOPBACK), options.targets());
    }

    @Test
    void shouldPlaceResultsUnderTheRepository()
    {
        final BenchOptions options = BenchOptions.parse("--home", "/repo");

        assertEquals(Path.of("/repo/benchmarks/results/2026-01-02T03-04-05"), options.outDir("2026-01-02T03-04-05"));
        assertEquals(Path.of("/repo/native-config/sluice.yaml"), options.config());
    }

    @Test
    void shouldRejectAnUnknownArgument()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> BenchOptions.parse("--fast"));

        assertEquals("unknown argument: --fast", ex.getMessage());
    }

    @Test
    void shouldRejectAnUnknownScenario()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> BenchOptions.parse("--scenarios", "hello-c2"));

        assertEquals("unknown scenario: hello-c2 (one of " + Scenario.names() + ")", ex.getMessage());
    }

    @Test
    void shouldRejectAMissingValue()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> BenchOptions.parse("--rounds"));

        assertEquals("--rounds needs a value", ex.getMessage());
    }

    @Test
    void shouldServeOnCpuZeroAndLoadOnCpuOneAndKeepTheConfigurationsEventLoopsByDefault()
    {
        final BenchOptions options = BenchOptions.parse();

        assertEquals(CpuLayout.DEFAULT, options.layout());
        assertNull(options.eventLoops());
        assertTrue(options.measuresScenarios());
    }

    @Test
    void shouldTakeTheCpuLayoutAndEventLoops()
    {
        final BenchOptions options = BenchOptions.parse("--server-cpus", "0-3", "--load-cpus", "4,5", "--event-loops",
            "4");

        assertEquals(new CpuLayout(List.of(0, 1, 2, 3), List.of(4, 5)), options.layout());
        assertEquals(4, options.eventLoops());
        assertEquals(List.of(1, 2, 4), options.scalingPlan().loopCounts());
    }

    @Test
    void shouldRefuseABadCpuListOrEventLoopCount()
    {
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--server-cpus", "x"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--load-cpus"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--event-loops", "0"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--scaling-loops", "1,0"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--scaling", "--smoke"));
    }

    @Test
    void shouldRunTheScalingScenarioAfterTheDefaultProfileOnly()
    {
        final ScalingPlan plan = BenchOptions.parse().scalingPlan();
        assertEquals(List.of(1, 2), plan.loopCounts());
        assertEquals(2, plan.seconds());
        assertEquals(3, plan.rounds());

        assertNull(BenchOptions.parse("--quick").scalingPlan());
        assertNull(BenchOptions.parse("--smoke").scalingPlan());
        assertNull(BenchOptions.parse("--no-scaling").scalingPlan());
        assertNull(BenchOptions.parse("--scenarios", "hello-c64").scalingPlan());
    }

    @Test
    void shouldMeasureOnlyTheScalingScenarioWhenAsked()
    {
        final BenchOptions options = BenchOptions.parse("--scaling", "--scaling-loops", "1,2,4", "--duration", "1",
            "--rounds", "2", "--server-cpus", "0");

        assertFalse(options.measuresScenarios());
        final ScalingPlan plan = options.scalingPlan();
        assertEquals(List.of(1, 2, 4), plan.loopCounts());
        assertEquals(1, plan.seconds());
        assertEquals(2, plan.rounds());
    }
}
