package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhReportTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveEachClassASectionWithItsTableAndCharts() throws IOException
    {
        final String md = report("").render();

        assertTrue(md.contains("## MessageCodecBenchmark\n"), md);
        assertTrue(md.contains("## RingRoundTripBenchmark\n"), md);
        assertTrue(md.contains(
            "![jmh-MessageCodecBenchmark-avgt-ns_op](charts/jmh-MessageCodecBenchmark-avgt-ns_op.svg)"), md);
        assertTrue(md.contains("| [RingRoundTripBenchmark](#ringroundtripbenchmark) | 3 |"), md);
    }

    @Test
    void shouldShowScoreErrorUnitAndCostOverTheBaseline() throws IOException
    {
        final String md = report("").render();

        assertTrue(md.contains("| *baselineCopy* |  | avgt | 10.0 | 0.50 | ns/op | 1.00× (baseline) | 10 |"), md);
        assertTrue(md.contains("| **encode** |  | avgt | 25.0 | — | ns/op | 2.50× | 1 |"), md);
        assertTrue(md.contains(
            "| **twoThreads** | payloadLength=64, burstLength=1 | thrpt | 2.00 | 0.10 | ops/us | 4.00× |"), md);
    }

    @Test
    void shouldShowPercentilesForSampleTimeOnly() throws IOException
    {
        final String md = report("").render();

        assertTrue(md.contains("| p50 | p99 | p99.9 | samples |"), md);
        assertTrue(md.contains("| sample | 0.62 | 0.01 | us/op | — | 0.50 | 4.10 | 31.0 | 2,000 |"), md);
    }

    @Test
    void shouldWarnThatAShortRunIsNotForQuoting() throws IOException
    {
        final String md = report("smoke").render();

        assertTrue(md.contains("> **smoke run**: few, short iterations"), md);
    }

    @Test
    void shouldWriteTheReportAndAChartPerClassAndMode() throws IOException
    {
        final Path report = report("").write(dir);

        assertTrue(Files.isRegularFile(report));
        for (final String chart : List.of("jmh-MessageCodecBenchmark-avgt-ns_op",
            "jmh-RingRoundTripBenchmark-thrpt-ops_us", "jmh-RingRoundTripBenchmark-sample-us_op"))
        {
            assertTrue(Files.size(dir.resolve("charts").resolve(chart + ".svg")) > 0, chart);
            assertTrue(Files.size(dir.resolve("charts").resolve(chart + ".png")) > 0, chart);
        }
    }

    private static JmhReport report(final String profile) throws IOException
    {
        return new JmhReport(JmhResultTest.results(), null, "2026-01-01 00:00:00", profile);
    }
}
