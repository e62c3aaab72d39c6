package io.sluice.benchmarks.harness;

/**
 * Test data: wrk results and run records with chosen figures.
 */
final class Runs
{
    private Runs()
    {
    }

    static WrkResult result(final long requests, final long p99, final long[][] histogram)
    {
        return new WrkResult(requests, 1_000_000, requests * 100, new WrkResult.Errors(0, 0, 0, 0, 0),
            new WrkResult.Latency(10, 5000, 200.0, 50.0, p99 / 4, p99 / 2, p99, p99 * 2), histogram);
    }

    static RunRecord run(
        final Scenario scenario, final TargetKind target, final int round, final long requests, final long p99)
    {
        return run(scenario, target, round, requests, p99, requests / 100_000.0, 50.0, 0.0);
    }

    static RunRecord run(
        final Scenario scenario,
        final TargetKind target,
        final int round,
        final long requests,
        final long p99,
        final double serverCpuSeconds,
        final double clientCpuSeconds,
        final double otherCpuSeconds)
    {
        return RunRecord.of(scenario, target, round, result(requests, p99, new long[0][]), serverCpuSeconds,
            clientCpuSeconds / 100.0, new double[] { serverCpuSeconds + otherCpuSeconds, 0.0, 0.0 }, 1.0);
    }
}
