package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest
{
    @Test
    void shouldDefaultToTheFullPlanOnEveryTarget()
    {
        final BenchOptions options = BenchOptions.parse();

        assertEquals(BenchPlan.Profile.FULL, options.plan().profile());
        assertEquals(EnumSet.allOf(TargetKind.class), options.targets());
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
}
