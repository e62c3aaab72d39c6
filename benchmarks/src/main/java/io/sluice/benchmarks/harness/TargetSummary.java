package io.sluice.benchmarks.harness;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One target in one scenario, over its measured rounds: what the report's tables show.
 *
 * @param scenario          scenario name.
 * @param target            target key.
 * @param status            {@value #MEASURED}, {@value #SKIPPED} or {@value #FAILED}.
 * @param note              why a target was skipped or failed; null when measured.
 * @param rounds            measured rounds.
 * @param requests          responses completed over all rounds.
 * @param rpsMedian         median of the rounds' requests/s.
 * @param rpsMin            slowest round.
 * @param rpsMax            fastest round.
 * @param p50Us             latency percentiles, microseconds, see {@code latencySource}.
 * @param p90Us             90th percentile.
 * @param p99Us             99th percentile.
 * @param p999Us            99.9th percentile.
 * @param latencySource     {@value #MERGED_HISTOGRAM} (every round's wrk histogram merged in an HdrHistogram),
 *                          {@value #MEDIAN_OF_ROUNDS} (when a round's histogram was not listed) or
 *                          {@value #NO_LATENCY} (pipelined, or a load generator without percentiles).
 * @param cpuUsPerRequest   server CPU microseconds per request: all rounds' CPU time over all rounds' requests.
 * @param serverCorePercent median over rounds of server CPU time as % of one core.
 * @param clientCorePercent median over rounds of wrk's CPU time as % of one core.
 * @param otherCorePercent  median over rounds of the servers' CPU used by other processes, %; null when not pinned.
 * @param stealCorePercent  median over rounds of the servers' CPU taken by the hypervisor, %; null when not pinned.
 * @param errors            wrk errors over all rounds (connect, read, write, timeout, status 400 or more).
 * @param flags             what a reader should know before trusting the figures.
 */
record TargetSummary(
    String scenario,
    String target,
    String status,
    String note,
    int rounds,
    long requests,
    Double rpsMedian,
    Double rpsMin,
    Double rpsMax,
    Double p50Us,
    Double p90Us,
    Double p99Us,
    Double p999Us,
    String latencySource,
    Double cpuUsPerRequest,
    Double serverCorePercent,
    Double clientCorePercent,
    Double otherCorePercent,
    Double stealCorePercent,
    long errors,
    List<TargetSummary.Flag> flags)
{
    /**
     * Something a reader should know before trusting a target's figures in a scenario.
     *
     * @param kind  {@value #ERRORS}, {@value #CLIENT_BOUND}, {@value #CONTENDED}, {@value #STEAL} or {@value #NOISY}.
     * @param value the figure behind it: the error count, or a percentage.
     * @param text  the flag in a sentence.
     */
    record Flag(String kind, double value, String text)
    {
        /**
         * Runs had errors.
         */
        static final String ERRORS = "errors";

        /**
         * wrk's core was nearly saturated: the figure may be the load generator's limit.
         */
        static final String CLIENT_BOUND = "client-bound";

        /**
         * Other processes took the servers' CPU.
         */
        static final String CONTENDED = "contended";

        /**
         * The hypervisor took the servers' CPU.
         */
        static final String STEAL = "steal";

        /**
         * The rounds disagree.
         */
        static final String NOISY = "noisy";
    }

    /**
     * Status of a target that ran its rounds.
     */
    static final String MEASURED = "measured";

    /**
     * Status of a target left out: it does not serve the scenario, or the time budget ran out.
     */
    static final String SKIPPED = "skipped";

    /**
     * Status of a target that failed its check or a run.
     */
    static final String FAILED = "failed";

    /**
     * Latency percentiles taken from all rounds' histograms merged.
     */
    static final String MERGED_HISTOGRAM = "merged histogram";

    /**
     * Latency percentiles as the median of each round's own.
     */
    static final String MEDIAN_OF_ROUNDS = "median of rounds";

    /**
     * Latency not reported: the scenario is pipelined, or its load generator gives no percentiles (see
     * {@link Scenario#hasLatency()}).
     */
    static final String NO_LATENCY = "none: pipelined, or no percentiles from the load generator";

    /**
     * Load generator busier than this (% of its core) makes the figure suspect: wrk may be the limit.
     */
    static final double CLIENT_BOUND_PERCENT = 90.0;

    /**
     * Share of the servers' CPU taken by other work (% of it) past which a figure is marked as contended.
     */
    static final double CONTENDED_PERCENT = 10.0;

    /**
     * Spread (fastest − slowest round) beyond this fraction of the median marks a noisy figure.
     */
    static final double NOISY_SPREAD = 0.15;

    private static final int HISTOGRAM_DIGITS = 3;

    /**
     * @param scenario scenario name.
     * @param target   target key.
     * @param status   {@link #SKIPPED} or {@link #FAILED}.
     * @param note     why.
     * @return a summary without figures.
     */
    static TargetSummary notMeasured(final String scenario, final String target, final String status,
        final String note)
    {
        return new TargetSummary(scenario, target, status, note, 0, 0, null, null, null, null, null, null, null,
            null, null, null, null, null, null, 0, List.of());
    }

    /**
     * Summarise a target's measured rounds in a scenario (warm-ups are ignored).
     *
     * @param scenario scenario name.
     * @param target   target key.
     * @param runs     the target's runs in that scenario.
     * @return the summary; {@link #FAILED} when no measured round is among the runs.
     */
    static TargetSummary of(final String scenario, final String target, final List<RunRecord> runs)
    {
        return of(scenario, target, runs, true);
    }

    /**
     * Summarise a target's measured rounds in a scenario (warm-ups are ignored).
     *
     * @param scenario   scenario name.
     * @param target     target key.
     * @param runs       the target's runs in that scenario.
     * @param hasLatency false when wrk's latency figures mean nothing here (pipelining): no percentiles then.
     * @return the summary; {@link #FAILED} when no measured round is among the runs.
     */
    static TargetSummary of(
        final String scenario, final String target, final List<RunRecord> runs, final boolean hasLatency)
    {
        final List<RunRecord> measured = runs.stream().filter((r) -> !r.isWarmup()).toList();
        if (measured.isEmpty())
        {
            return notMeasured(scenario, target, FAILED, "no measured round");
        }
        final double[] rps = measured.stream().mapToDouble(RunRecord::rps).sorted().toArray();
        final double median = median(rps);

        long requests = 0;
        long errors = 0;
        double serverCpu = 0;
        boolean allHistograms = true;
        for (final RunRecord run : measured)
        {
            requests += run.requests();
            errors += run.errors().total();
            serverCpu += run.serverCpuSeconds();
            allHistograms &= run.histogram().length > 0;
        }

        final Double[] percentiles = !hasLatency ? new Double[4] :
            allHistograms ? mergedPercentiles(measured) : medianPercentiles(measured);
        final double serverCore = medianOrNull(measured, RunRecord::serverCorePercent);
        final double clientCore = medianOrNull(measured, RunRecord::clientCorePercent);
        final Double otherCore = medianOrNull(measured, RunRecord::otherCorePercent);
        final Double stealCore = medianOrNull(measured, RunRecord::stealCorePercent);

        final List<Flag> flags = new ArrayList<>();
        if (errors > 0)
        {
            flags.add(new Flag(Flag.ERRORS, errors, errors + " errors: " + errorBreakdown(measured)));
        }
        if (clientCore >= CLIENT_BOUND_PERCENT)
        {
            flags.add(new Flag(Flag.CLIENT_BOUND, clientCore,
                String.format("wrk's core %.0f %% busy: the load generator may be the limit", clientCore)));
        }
        if (null != otherCore && otherCore >= CONTENDED_PERCENT)
        {
            flags.add(new Flag(Flag.CONTENDED, otherCore, String.format(
                "contended: other processes took %.0f %% of the servers' CPU during the runs", otherCore)));
        }
        if (null != stealCore && stealCore >= CONTENDED_PERCENT)
        {
            flags.add(new Flag(Flag.STEAL, stealCore,
                String.format("the hypervisor stole %.0f %% of the servers' CPU during the runs", stealCore)));
        }
        final double spread = median > 0 ? 100 * (rps[rps.length - 1] - rps[0]) / median : 0.0;
        if (rps.length > 1 && spread > 100 * NOISY_SPREAD)
        {
            flags.add(new Flag(Flag.NOISY, spread,
                String.format("noisy: rounds spread %.0f %% of the median", spread)));
        }

        return new TargetSummary(
            scenario,
            target,
            MEASURED,
            null,
            measured.size(),
            requests,
            median,
            rps[0],
            rps[rps.length - 1],
            percentiles[0],
            percentiles[1],
            percentiles[2],
            percentiles[3],
            !hasLatency ? NO_LATENCY : allHistograms ? MERGED_HISTOGRAM : MEDIAN_OF_ROUNDS,
            requests > 0 ? serverCpu * 1e6 / requests : null,
            serverCore,
            clientCore,
            otherCore,
            stealCore,
            errors,
            List.copyOf(flags));
    }

    /**
     * @return true when the target ran its rounds.
     */
    boolean isMeasured()
    {
        return MEASURED.equals(status);
    }

    /**
     * @param sorted values in rising order, at least one.
     * @return their median (the mean of the middle two for an even count).
     */
    static double median(final double[] sorted)
    {
        final int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static Double medianOrNull(final List<RunRecord> runs, final Function<RunRecord, Double> value)
    {
        final double[] values = runs.stream().map(value).filter(Objects::nonNull).mapToDouble(Double::doubleValue)
            .sorted().toArray();
        return values.length == runs.size() ? median(values) : null;
    }

    private static Double[] mergedPercentiles(final List<RunRecord> runs)
    {
        final Histogram histogram = new Histogram(HISTOGRAM_DIGITS);
        for (final RunRecord run : runs)
        {
            for (final long[] pair : run.histogram())
            {
                histogram.recordValueWithCount(pair[0], pair[1]);
            }
        }
        return new Double[] {
            (double)histogram.getValueAtPercentile(50.0),
            (double)histogram.getValueAtPercentile(90.0),
            (double)histogram.getValueAtPercentile(99.0),
            (double)histogram.getValueAtPercentile(99.9) };
    }

    /**
     * The median of each percentile over the rounds. wrk reports 0 for a percentile it could not find (see
     * {@link Scenario#hasLatency()}); such a round is left out of that percentile, and a percentile no round has is
     * null.
     */
    private static Double[] medianPercentiles(final List<RunRecord> runs)
    {
        final Double[] medians = new Double[4];
        for (int p = 0; p < 4; p++)
        {
            final int index = p;
            final double[] values = runs.stream()
                .filter((r) -> percentile(r.latencyUs(), index) > 0 || r.latencyUs().max() == 0)
                .mapToDouble((r) -> percentile(r.latencyUs(), index)).sorted().toArray();
            medians[p] = values.length > 0 ? median(values) : null;
        }
        return medians;
    }

    private static long percentile(final WrkResult.Latency latency, final int index)
    {
        return switch (index)
        {
            case 0 -> latency.p50();
            case 1 -> latency.p90();
            case 2 -> latency.p99();
            default -> latency.p999();
        };
    }

    private static String errorBreakdown(final List<RunRecord> runs)
    {
        long connect = 0;
        long read = 0;
        long write = 0;
        long status = 0;
        long timeout = 0;
        for (final RunRecord run : runs)
        {
            connect += run.errors().connect();
            read += run.errors().read();
            write += run.errors().write();
            status += run.errors().status();
            timeout += run.errors().timeout();
        }
        return "connect " + connect + ", read " + read + ", write " + write + ", timeout " + timeout +
            ", status ≥ 400 " + status;
    }
}
