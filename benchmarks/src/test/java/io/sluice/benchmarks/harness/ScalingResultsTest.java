package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScalingResultsTest
{
    private static final Scenario HELLO = Scenario.HELLO_C64;

    @Test
    void shouldCompareEveryLoopCountWithTheFirst()
    {
        final ScalingResults scaling = results();

        // inproc: 100,000 req at 1.0 s CPU (10 µs/req), then 120,000 req at 1.32 s (11 µs/req)
        final ScalingResults.LoopRatio inproc = scaling.ratio(2, "inproc");
        assertEquals(1.1, inproc.cpuPerRequestRatio(), 1e-9);
        assertEquals(1.2, inproc.requestsPerSecondRatio(), 1e-9);
        assertEquals(1, inproc.baseLoops());
        assertNull(scaling.ratio(1, "inproc"));
    }

    @Test
    void shouldGiveNoRatioForATargetNotAvailableAtACount()
    {
        final ScalingResults.LoopRatio shm = results().ratio(2, "shm");

        assertNull(shm.cpuPerRequestRatio());
        assertNull(shm.requestsPerSecondRatio());
    }

    @Test
    void shouldReportEveryRowWithItsRatioAndWhyOneIsMissing()
    {
        final String md = BenchReport.scalingSection(results());

        assertTrue(md.contains("server side on CPU 0, wrk on CPU 1"), md);
        assertTrue(md.contains("| Sluice in-process | 2 | **120,000** | 11.0 |"), md);
        assertTrue(md.contains("| 1.10× | 1.20× |"), md);
        assertTrue(md.contains("| Sluice shared memory | 2 | skipped: not available with 2 event loops |"), md);
    }

    private static ScalingResults results()
    {
        final List<ScalingResults.Row> rows = new ArrayList<>();
        rows.add(row(1, TargetKind.INPROC, 100_000, 1.0));
        rows.add(row(1, TargetKind.SHM, 90_000, 1.0));
        rows.add(row(2, TargetKind.INPROC, 120_000, 1.32));
        rows.add(new ScalingResults.Row(2, TargetSummary.notMeasured(HELLO.name(), "shm", TargetSummary.SKIPPED,
            "not available with 2 event loops")));
        return ScalingResults.of("scaling plan", "0", "1", List.of(1, 2), rows);
    }

    private static ScalingResults.Row row(
        final int loops, final TargetKind kind, final long requests, final double serverCpuSeconds)
    {
        final RunRecord run = Runs.run(HELLO, kind, 1, requests, 1000, serverCpuSeconds, 50, 0);
        return new ScalingResults.Row(loops, TargetSummary.of(HELLO.name(), kind.key(), List.of(run)));
    }
}
