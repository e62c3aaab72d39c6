package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TargetSummaryTest
{
    private static final Scenario HELLO = Scenario.HELLO_C64;

    @Test
    void shouldTakeTheMedianAndSpreadOfTheRounds()
    {
        final TargetSummary summary = TargetSummary.of("hello-c64", "shm", List.of(
            Runs.run(HELLO, TargetKind.SHM, 1, 100_000, 900),
            Runs.run(HELLO, TargetKind.SHM, 2, 120_000, 700),
            Runs.run(HELLO, TargetKind.SHM, 3, 110_000, 800)));

        assertEquals(TargetSummary.MEASURED, summary.status());
        assertEquals(3, summary.rounds());
        assertEquals(110_000.0, summary.rpsMedian(), 1e-9);
        assertEquals(100_000.0, summary.rpsMin(), 1e-9);
        assertEquals(120_000.0, summary.rpsMax(), 1e-9);
        assertEquals(330_000, summary.requests());
    }

    @Test
    void shouldIgnoreWarmups()
    {
        final TargetSummary summary = TargetSummary.of("hello-c64", "shm", List.of(
            Runs.run(HELLO, TargetKind.SHM, 0, 1_000, 90_000),
            Runs.run(HELLO, TargetKind.SHM, 1, 100_000, 900)));

        assertEquals(1, summary.rounds());
        assertEquals(100_000.0, summary.rpsMedian(), 1e-9);
    }

    @Test
    void shouldFailWhenOnlyWarmupsRan()
    {
        final TargetSummary summary = TargetSummary.of("hello-c64", "shm",
            List.of(Runs.run(HELLO, TargetKind.SHM, 0, 1_000, 90_000)));

        assertEquals(TargetSummary.FAILED, summary.status());
        assertNull(summary.rpsMedian());
    }

    @Test
    void shouldAverageTheMiddleTwoOfAnEvenCount()
    {
        assertEquals(2.5, TargetSummary.median(new double[] { 1, 2, 3, 10 }), 1e-12);
        assertEquals(3.0, TargetSummary.median(new double[] { 3 }), 1e-12);
    }

    @Test
    void shouldDivideAllRoundsCpuTimeByAllRoundsRequests()
    {
        final TargetSummary summary = TargetSummary.of("hello-c64", "inproc", List.of(
            Runs.run(HELLO, TargetKind.INPROC, 1, 100_000, 900, 0.5, 50, 0),
            Runs.run(HELLO, TargetKind.INPROC, 2, 300_000, 900, 0.5, 50, 0)));

        assertEquals(1.0 * 1e6 / 400_000, summary.cpuUsPerRequest(), 1e-9);
    }

    @Test
    void shouldMergeTheRoundsHistogramsForPercentiles()
    {
        final long[][] fast = { { 100, 98 }, { 200, 2 } };
        final long[][] slow = { { 100, 90 }, { 1000, 10 } };
        final TargetSummary summary = TargetSummary.of("hello-c64", "bare", List.of(
            RunRecord.of(HELLO, TargetKind.BARE, 1, Runs.result(1000, 200, fast), 0.01, 0.01, null, 1.0),
            RunRecord.of(HELLO, TargetKind.BARE, 2, Runs.result(1000, 1000, slow), 0.01, 0.01, null, 1.0)));

        assertEquals(TargetSummary.MERGED_HISTOGRAM, summary.latencySource());
        assertEquals(100.0, summary.p50Us(), 1.0);
        assertEquals(1000.0, summary.p99Us(), 1.0);
        assertEquals(100.0, summary.p90Us(), 1.0);
    }

    @Test
    void shouldTakeTheMedianOfRoundPercentilesWhenAHistogramIsMissing()
    {
        final TargetSummary summary = TargetSummary.of("hello-c64", "shm", List.of(
            Runs.run(HELLO, TargetKind.SHM, 1, 100_000, 900),
            Runs.run(HELLO, TargetKind.SHM, 2, 100_000, 500),
            Runs.run(HELLO, TargetKind.SHM, 3, 100_000, 700)));

        assertEquals(TargetSummary.MEDIAN_OF_ROUNDS, summary.latencySource());
        assertEquals(700.0, summary.p99Us(), 1e-9);
        assertEquals(1400.0, summary.p999Us(), 1e-9);
    }

    @Test
    void shouldReportNoLatencyForAPipelinedScenario()
    {
        final Scenario pipelined = Scenario.named("pipeline-16");
        final TargetSummary summary = TargetSummary.of(pipelined.name(), "inproc",
            List.of(Runs.run(pipelined, TargetKind.INPROC, 1, 700_000, 900)), pipelined.hasLatency());

        assertEquals(TargetSummary.NO_LATENCY, summary.latencySource());
        assertNull(summary.p50Us());
        assertNull(summary.p99Us());
        assertEquals(700_000.0, summary.rpsMedian(), 1e-9);
    }

    @Test
    void shouldLeaveOutARoundWhosePercentileWrkCouldNotFind()
    {
        final WrkResult lost = new WrkResult(1000, 1_000_000, 1, new WrkResult.Errors(0, 0, 0, 0, 0),
            new WrkResult.Latency(10, 5000, 200, 50, 100, 0, 0, 0), new long[0][]);
        final TargetSummary summary = TargetSummary.of("hello-c64", "shm", List.of(
            RunRecord.of(HELLO, TargetKind.SHM, 1, lost, 0.01, 0.01, null, 1.0),
            Runs.run(HELLO, TargetKind.SHM, 2, 100_000, 900)));

        assertEquals(TargetSummary.MEDIAN_OF_ROUNDS, summary.latencySource());
        assertEquals(162.5, summary.p50Us(), 1e-9);
        assertEquals(900.0, summary.p99Us(), 1e-9);
    }

    @Test
    void shouldFlagErrors()
    {
        final WrkResult broken = new WrkResult(1000, 1_000_000, 1, new WrkResult.Errors(1, 2, 0, 4, 0),
            new WrkResult.Latency(1, 2, 1, 1, 1, 1, 1, 1), new long[0][]);
        final TargetSummary summary = TargetSummary.of("hello-c64", "loopback",
            List.of(RunRecord.of(HELLO, TargetKind.LOOPBACK, 1, broken, 0.01, 0.01, null, 1.0)));

        assertEquals(7, summary.errors());
        assertEquals(List.of(new TargetSummary.Flag(TargetSummary.Flag.ERRORS, 7,
            "7 errors: connect 1, read 2, write 0, timeout 0, status ≥ 400 4")), summary.flags());
    }

    @Test
    void shouldFlagABusyLoadGeneratorANoisySpreadAndAContendedCpu()
    {
        final TargetSummary summary = TargetSummary.of("hello-c64", "bare", List.of(
            Runs.run(HELLO, TargetKind.BARE, 1, 100_000, 900, 0.5, 95, 0.2),
            Runs.run(HELLO, TargetKind.BARE, 2, 140_000, 900, 0.5, 99, 0.2)));

        assertEquals(List.of(TargetSummary.Flag.CLIENT_BOUND, TargetSummary.Flag.CONTENDED, TargetSummary.Flag.NOISY),
            summary.flags().stream().map(TargetSummary.Flag::kind).toList());
        assertEquals("wrk's core 97 % busy: the load generator may be the limit", summary.flags().get(0).text());
        assertEquals("contended: other processes took 20 % of the servers' CPU during the runs",
            summary.flags().get(1).text());
        assertEquals("noisy: rounds spread 33 % of the median", summary.flags().get(2).text());
    }
}
