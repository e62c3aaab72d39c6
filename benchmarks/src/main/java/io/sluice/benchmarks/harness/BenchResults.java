package io.sluice.benchmarks.harness;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a bench run measured, as {@code results.json} holds it (field names in snake_case): the raw runs, the
 * summaries and ratios the report shows, the idle figure, the machine, and the headline {@code --json} prints.
 *
 * @param schema           {@value #SCHEMA}.
 * @param started          start time, ISO-8601 local.
 * @param elapsedSeconds   wall time of the whole run.
 * @param settings         how it measured.
 * @param machine          where.
 * @param loadAverageStart 1/5/15-minute load average before starting.
 * @param loadAverageEnd   the same after the last run.
 * @param targets          every target asked for, with its status.
 * @param scenarios        the scenarios measured, in order.
 * @param runs             every wrk run, warm-ups (round 0) included.
 * @param summaries        per scenario and target, over the measured rounds.
 * @param ratios           per scenario name, the comparisons.
 * @param idle             CPU of the idle listener and workers; null when not measured.
 * @param headline         the figures {@code --json} prints.
 * @param warnings         what went wrong or needs a reader's attention.
 * @param scaling          the scaling scenario; null when it did not run.
 * @see #goals() the targets, with this run's figures ({@code goals} in the file).
 */
record BenchResults(
    String schema,
    String started,
    double elapsedSeconds,
    Settings settings,
    Machine machine,
    List<Double> loadAverageStart,
    List<Double> loadAverageEnd,
    List<TargetInfo> targets,
    List<Scenario> scenarios,
    List<RunRecord> runs,
    List<TargetSummary> summaries,
    Map<String, List<Ratio>> ratios,
    IdleCpu idle,
    Headline headline,
    List<String> warnings,
    ScalingResults scaling)
{
    /**
     * Identifies the file's layout.
     */
    static final String SCHEMA = "sluice-bench/1";

    /**
     * How the run measured.
     *
     * @param profile             default, quick or smoke.
     * @param plan                the plan in one line.
     * @param timeLimitSeconds    the time budget.
     * @param pinned              true when servers ran on {@code serverCpus} and wrk on {@code clientCpus}.
     * @param serverCpus          CPU list of the server side, e.g. {@code 0}.
     * @param clientCpus          CPU list of wrk, e.g. {@code 1}.
     * @param wrkThreads          wrk threads.
     * @param clockTicksPerSecond the {@code /proc} time unit.
     * @param listenerConfig      the configuration the listener ran, relative to the results directory.
     */
    record Settings(
        String profile,
        String plan,
        int timeLimitSeconds,
        boolean pinned,
        String serverCpus,
        String clientCpus,
        int wrkThreads,
        long clockTicksPerSecond,
        String listenerConfig)
    {
    }

    /**
     * A target as the run saw it.
     *
     * @param key        short name.
     * @param label      what a reader sees.
     * @param serverSide the processes its CPU figure covers.
     * @param url        its base URL; null when it did not start.
     * @param note       why it did not start; null when it did.
     */
    record TargetInfo(String key, String label, String serverSide, String url, String note)
    {
    }

    /**
     * CPU time of the listener and its workers while nothing is sent to them.
     *
     * @param seconds              length of the measurement.
     * @param percentOfCore        all of them together, % of one core.
     * @param percentOfCoreByProcess each process alone, % of one core.
     */
    record IdleCpu(double seconds, double percentOfCore, Map<String, Double> percentOfCoreByProcess)
    {
    }

    /**
     * The headline figures: hello GET at 64 connections. Every target is a key; its value is null when it was not
     * measured.
     *
     * @param rps                requests/s (median of rounds), rounded.
     * @param p99Us              p99 latency, µs.
     * @param cpuUsPerRequest    server CPU µs per request.
     * @param idleCpuPercent     idle listener and workers, % of one core.
     * @param results            the results directory.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Headline(
        Map<String, Long> rps,
        Map<String, Long> p99Us,
        Map<String, Double> cpuUsPerRequest,
        Double idleCpuPercent,
        String results)
    {
        /**
         * @param summaries the headline scenario's summaries by target; may miss targets.
         * @param idle      the idle figure, may be null.
         * @param results   the results directory.
         * @return the headline.
         */
        static Headline of(final Map<TargetKind, TargetSummary> summaries, final IdleCpu idle, final Path results)
        {
            final Map<String, Long> rps = new LinkedHashMap<>();
            final Map<String, Long> p99 = new LinkedHashMap<>();
            final Map<String, Double> cpu = new LinkedHashMap<>();
            for (final TargetKind kind : TargetKind.values())
            {
                final TargetSummary summary = summaries.get(kind);
                final boolean measured = null != summary && summary.isMeasured();
                rps.put(kind.key(), measured ? Math.round(summary.rpsMedian()) : null);
                p99.put(kind.key(), measured && null != summary.p99Us() ? Math.round(summary.p99Us()) : null);
                cpu.put(kind.key(), measured && null != summary.cpuUsPerRequest() ?
                    Math.round(summary.cpuUsPerRequest() * 100) / 100.0 : null);
            }
            return new Headline(rps, p99, cpu,
                null != idle ? Math.round(idle.percentOfCore() * 100) / 100.0 : null, results.toString());
        }
    }

    /**
     * @return every target of {@link Goal#ALL} with this run's figure and verdict; written to {@code results.json}
     * as {@code goals}, worked out again from the figures when a file is read.
     */
    @JsonProperty(value = "goals", access = JsonProperty.Access.READ_ONLY)
    List<Goal.Check> goals()
    {
        return Goal.check(this);
    }

    /**
     * @return the mapper every harness JSON goes through: snake_case names, indented.
     */
    static ObjectMapper mapper()
    {
        return new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * @param file a {@code results.json} written by {@link #write}.
     * @return what it holds.
     * @throws IOException when it cannot be read or is not such a file.
     */
    static BenchResults read(final Path file) throws IOException
    {
        return mapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(file.toFile(),
            BenchResults.class);
    }

    /**
     * @param file where to write {@code results.json}.
     * @throws IOException when it cannot be written.
     */
    void write(final Path file) throws IOException
    {
        mapper().writeValue(file.toFile(), this);
    }
}
