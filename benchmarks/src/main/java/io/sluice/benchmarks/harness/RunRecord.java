package io.sluice.benchmarks.harness;

/**
 * One wrk run against one target, as {@code results.json} keeps it: wrk's figures and the CPU time the server side
 * and the load generator spent during it.
 *
 * @param scenario          scenario name.
 * @param target            target key.
 * @param round             1-based round; 0 for a warm-up (kept, but never summarised).
 * @param requests          responses completed.
 * @param seconds           length of the run as wrk measured it.
 * @param rps               requests per second.
 * @param errors            wrk's error counters.
 * @param latencyUs         wrk's latency statistics, microseconds.
 * @param serverCpuSeconds  user + system CPU time of every server-side process of the target during the run.
 * @param clientCpuSeconds  user + system CPU time of wrk.
 * @param cpuUsPerRequest   server CPU microseconds per request; null when no request completed.
 * @param windowSeconds     wall time between the CPU readings before and after the run (wrk's start and exit).
 * @param serverCorePercent server CPU time over that window, as % of one core.
 * @param clientCorePercent wrk's CPU time over that window, as % of one core.
 * @param otherCorePercent  process time on the servers' CPU not spent by the target's processes, as % of that CPU:
 *                          other work competing with the server; null when not pinned.
 * @param interruptCorePercent interrupt time (irq, softirq) on the servers' CPU, %: mostly loopback TCP work for
 *                          what the server side sends; null when not pinned.
 * @param stealCorePercent  time the hypervisor took from the servers' CPU, %; null when not pinned.
 * @param histogram         wrk's latency distribution as {@code [µs, count]} pairs; empty when wrk did not list it.
 */
record RunRecord(
    String scenario,
    String target,
    int round,
    long requests,
    double seconds,
    double rps,
    WrkResult.Errors errors,
    WrkResult.Latency latencyUs,
    double serverCpuSeconds,
    double clientCpuSeconds,
    Double cpuUsPerRequest,
    double windowSeconds,
    double serverCorePercent,
    double clientCorePercent,
    Double otherCorePercent,
    Double interruptCorePercent,
    Double stealCorePercent,
    long[][] histogram)
{
    /**
     * @param scenario         the scenario.
     * @param target           the target.
     * @param round            1-based round, 0 for a warm-up.
     * @param result           what wrk reported.
     * @param serverCpuSeconds CPU time of the target's server-side processes during the run.
     * @param clientCpuSeconds CPU time of wrk.
     * @param cpuSeconds       where the servers' CPU's time went during the run, in seconds as
     *                         {@code [process, interrupt, steal]}; null when not pinned.
     * @param windowSeconds    wall time between the CPU readings.
     * @return the record, with the derived figures computed.
     */
    static RunRecord of(
        final Scenario scenario,
        final TargetKind target,
        final int round,
        final WrkResult result,
        final double serverCpuSeconds,
        final double clientCpuSeconds,
        final double[] cpuSeconds,
        final double windowSeconds)
    {
        final double seconds = result.durationUs() / 1e6;
        final double window = windowSeconds > 0 ? windowSeconds : seconds;
        return new RunRecord(
            scenario.name(),
            target.key(),
            round,
            result.requests(),
            seconds,
            result.rps(),
            result.errors(),
            result.latency(),
            serverCpuSeconds,
            clientCpuSeconds,
            result.requests() > 0 ? serverCpuSeconds * 1e6 / result.requests() : null,
            window,
            window > 0 ? 100.0 * serverCpuSeconds / window : 0.0,
            window > 0 ? 100.0 * clientCpuSeconds / window : 0.0,
            null != cpuSeconds && window > 0 ?
                Math.max(0.0, 100.0 * (cpuSeconds[0] - serverCpuSeconds) / window) : null,
            null != cpuSeconds && window > 0 ? 100.0 * cpuSeconds[1] / window : null,
            null != cpuSeconds && window > 0 ? 100.0 * cpuSeconds[2] / window : null,
            result.histogram());
    }

    /**
     * @return true for a warm-up run.
     */
    boolean isWarmup()
    {
        return round == 0;
    }
}
