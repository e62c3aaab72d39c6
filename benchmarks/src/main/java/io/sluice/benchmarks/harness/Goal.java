package io.sluice.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One performance target the end-to-end benchmark is held to: in a scenario, a ratio (or the idle figure) compared
 * with a threshold. {@link #ALL} is the one list of them; {@link #check} gives each its figure from one run and whether
 * it was met.
 *
 * @param scenario   the scenario measured: a {@link Scenario} name, {@value #IDLE} or {@value #SCALING}.
 * @param ratio      a {@link Ratio} name (e.g. {@code shm / inproc}); in {@value #SCALING} the target's key, compared
 *                   at {@value #LOOPS} loops against {@value #BASE_LOOPS}; in {@value #IDLE} what is measured.
 * @param metric     the figure compared.
 * @param comparison how the figure must stand against the threshold.
 * @param threshold  the bound: a ratio, or % of one core for {@link Metric#IDLE_CPU}.
 * @param section    where the target is set, e.g. {@code issue 9 §2}.
 */
record Goal(String scenario, String ratio, Metric metric, Comparison comparison, double threshold, String section)
{
    /**
     * The scenario name of the idle figure.
     */
    static final String IDLE = "idle";

    /**
     * The scenario name of the scaling scenario.
     */
    static final String SCALING = "scaling";

    /**
     * The event loop count compared in the scaling scenario.
     */
    static final int LOOPS = 2;

    /**
     * The event loop count it is compared with.
     */
    static final int BASE_LOOPS = 1;

    private static final String SHM_INPROC = Ratio.Pair.SHM_INPROC.label();
    private static final String LOOPBACK_NGINX = Ratio.Pair.LOOPBACK_NGINX.label();
    private static final String LOW_CONCURRENCY = "issue 9 §2";
    private static final String BODIES = "issue 9 §3";
    private static final String LOOPBACK = "issue 9 §4";
    private static final String EVENT_LOOPS = "issue 9 §1";
    private static final String OPERATIONS = "issue 12 (logs)";
    private static final String INPROC_NGINX_RETURN = Ratio.Pair.INPROC_NGINX_RETURN.label();
    private static final String SHM_NGINX_RETURN = Ratio.Pair.SHM_NGINX_RETURN.label();
    private static final String TLS = "issue 10";
    private static final String WEBSOCKET = "issue 11";

    /**
     * Every target, in the order the report lists them. The new-connection TLS scenario is held to server CPU per
     * request (a handshake each) rather than requests/s: its load generator, one OpenSSL client process per
     * connection, runs out of its core long before a server does, so every target shows the client's rate; 0.8× the
     * handshakes/s per server CPU second is at most 1.25× the CPU per handshake.
     */
    static final List<Goal> ALL = List.of(
        new Goal("hello-c1", SHM_INPROC, Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.5, LOW_CONCURRENCY),
        new Goal("hello-c16", SHM_INPROC, Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.5, LOW_CONCURRENCY),
        new Goal("hello-c1", SHM_INPROC, Metric.P99, Comparison.AT_MOST, 2.0, LOW_CONCURRENCY),
        new Goal(IDLE, "listener + workers", Metric.IDLE_CPU, Comparison.BELOW, 1.0, LOW_CONCURRENCY),
        new Goal("echo-4k", SHM_INPROC, Metric.RPS, Comparison.AT_LEAST, 0.8, BODIES),
        new Goal("echo-256k", SHM_INPROC, Metric.RPS, Comparison.AT_LEAST, 0.8, BODIES),
        new Goal("echo-1m", SHM_INPROC, Metric.RPS, Comparison.AT_LEAST, 1.0, BODIES),
        new Goal("pipeline-16", LOOPBACK_NGINX, Metric.RPS, Comparison.AT_LEAST, 1.0, LOOPBACK),
        new Goal("hello-c64", LOOPBACK_NGINX, Metric.RPS, Comparison.AT_LEAST, 1.0, LOOPBACK),
        new Goal("hello-c256", LOOPBACK_NGINX, Metric.RPS, Comparison.ABOVE, 1.0, LOOPBACK),
        new Goal("hello-c64", Ratio.Pair.LOGGED_INPROC.label(), Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.1,
            OPERATIONS),
        new Goal(SCALING, TargetKind.INPROC.key(), Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.1, EVENT_LOOPS),
        new Goal(SCALING, TargetKind.SHM.key(), Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.1, EVENT_LOOPS),
        new Goal(SCALING, TargetKind.LOOPBACK.key(), Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.1, EVENT_LOOPS),
        new Goal("https-c64", INPROC_NGINX_RETURN, Metric.RPS, Comparison.AT_LEAST, 0.8, TLS),
        new Goal("https-c64", SHM_NGINX_RETURN, Metric.RPS, Comparison.AT_LEAST, 0.8, TLS),
        new Goal("https-c64", LOOPBACK_NGINX, Metric.RPS, Comparison.AT_LEAST, 1.0, TLS),
        new Goal("tls-handshake", INPROC_NGINX_RETURN, Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.25, TLS),
        new Goal("tls-handshake", SHM_NGINX_RETURN, Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.25, TLS),
        new Goal("tls-handshake", LOOPBACK_NGINX, Metric.CPU_PER_REQUEST, Comparison.AT_MOST, 1.0, TLS),
        new Goal("h2-c16m32", INPROC_NGINX_RETURN, Metric.RPS, Comparison.AT_LEAST, 0.8, TLS),
        new Goal("h2-c16m32", SHM_NGINX_RETURN, Metric.RPS, Comparison.AT_LEAST, 0.8, TLS),
        new Goal("h2-c16m32", LOOPBACK_NGINX, Metric.RPS, Comparison.AT_LEAST, 1.0, TLS),
        new Goal("h2c-c16m32", INPROC_NGINX_RETURN, Metric.RPS, Comparison.AT_LEAST, 0.8, TLS),
        new Goal("h2c-c16m32", SHM_NGINX_RETURN, Metric.RPS, Comparison.AT_LEAST, 0.8, TLS),
        new Goal("h2c-c16m32", LOOPBACK_NGINX, Metric.RPS, Comparison.AT_LEAST, 1.0, TLS),
        new Goal("ws-echo", SHM_INPROC, Metric.RPS, Comparison.AT_LEAST, 0.8, WEBSOCKET),
        new Goal("ws-echo", Ratio.Pair.SHM_LOOPBACK.label(), Metric.RPS, Comparison.AT_LEAST, 2.5, WEBSOCKET));

    /**
     * The figure a target compares.
     */
    enum Metric
    {
        /**
         * Requests/s (median of rounds).
         */
        RPS("req/s"),

        /**
         * Server CPU per request.
         */
        CPU_PER_REQUEST("server CPU/req"),

        /**
         * p99 latency.
         */
        P99("p99"),

        /**
         * CPU of the idle listener and workers, % of one core.
         */
        IDLE_CPU("idle CPU, % of a core");

        private final String label;

        Metric(final String label)
        {
            this.label = label;
        }

        /**
         * @return what a reader sees.
         */
        String label()
        {
            return label;
        }
    }

    /**
     * How a figure must stand against its threshold.
     */
    enum Comparison
    {
        /**
         * At most the threshold.
         */
        AT_MOST("≤"),

        /**
         * At least the threshold.
         */
        AT_LEAST("≥"),

        /**
         * Strictly above the threshold.
         */
        ABOVE(">"),

        /**
         * Strictly below the threshold.
         */
        BELOW("<");

        private final String symbol;

        Comparison(final String symbol)
        {
            this.symbol = symbol;
        }

        /**
         * @return e.g. {@code ≤}.
         */
        String symbol()
        {
            return symbol;
        }

        /**
         * @param value     the figure.
         * @param threshold the bound.
         * @return true when the figure stands as required.
         */
        boolean holds(final double value, final double threshold)
        {
            return switch (this)
            {
                case AT_MOST -> value <= threshold;
                case AT_LEAST -> value >= threshold;
                case ABOVE -> value > threshold;
                case BELOW -> value < threshold;
            };
        }
    }

    /**
     * A target against one run (in {@code results.json} as {@code goals}).
     *
     * @param scenario  the scenario, as in {@link Goal#scenario()}.
     * @param ratio     what is compared, e.g. {@code shm / inproc} or {@code shm 2 / 1 loops}.
     * @param metric    the figure compared, e.g. {@code req/s}.
     * @param target    the target as text, e.g. {@code ≥ 0.80×}.
     * @param threshold the bound.
     * @param measured  the run's figure; null when the run did not measure it.
     * @param verdict   {@value #MET}, {@value #NOT_MET} or {@value #NOT_MEASURED}.
     * @param section   where the target is set.
     */
    record Check(
        String scenario,
        String ratio,
        String metric,
        String target,
        double threshold,
        Double measured,
        String verdict,
        String section)
    {
        /**
         * The figure meets the target.
         */
        static final String MET = "met";

        /**
         * The figure misses the target.
         */
        static final String NOT_MET = "not met";

        /**
         * The run has no such figure (scenario or target not run, or a side not measured).
         */
        static final String NOT_MEASURED = "not measured";
    }

    /**
     * @param results what one run measured.
     * @return every target of {@link #ALL}, in order, with that run's figure and verdict.
     */
    static List<Check> check(final BenchResults results)
    {
        final List<Check> checks = new ArrayList<>(ALL.size());
        for (final Goal goal : ALL)
        {
            final Double measured = goal.measure(results);
            final String verdict = null == measured || measured.isNaN() ? Check.NOT_MEASURED :
                goal.comparison.holds(measured, goal.threshold) ? Check.MET : Check.NOT_MET;
            checks.add(new Check(goal.scenario, goal.label(), goal.metric.label(), goal.targetText(), goal.threshold,
                null == measured || measured.isNaN() ? null : measured, verdict, goal.section));
        }
        return checks;
    }

    /**
     * @return what is compared as a reader sees it, e.g. {@code shm / inproc} or {@code shm 2 / 1 loops}.
     */
    String label()
    {
        return SCALING.equals(scenario) ? ratio + " " + LOOPS + " / " + BASE_LOOPS + " loops" : ratio;
    }

    /**
     * @return the target as text, e.g. {@code ≤ 1.50×} or {@code < 1.00 %}.
     */
    String targetText()
    {
        return comparison.symbol + " " + (Metric.IDLE_CPU == metric ?
            String.format(Locale.ROOT, "%.2f %%", threshold) : Markdown.ratio(threshold));
    }

    private Double measure(final BenchResults results)
    {
        if (IDLE.equals(scenario))
        {
            return null != results.idle() ? results.idle().percentOfCore() : null;
        }
        if (SCALING.equals(scenario))
        {
            final ScalingResults scaling = results.scaling();
            if (null == scaling || scaling.loopCounts().isEmpty() || scaling.loopCounts().get(0) != BASE_LOOPS)
            {
                return null;
            }
            final ScalingResults.LoopRatio loopRatio = scaling.ratio(LOOPS, ratio);
            return null != loopRatio ? loopRatio.cpuPerRequestRatio() : null;
        }
        final List<Ratio> ratios = null != results.ratios() ? results.ratios().get(scenario) : null;
        if (null == ratios)
        {
            return null;
        }
        for (final Ratio candidate : ratios)
        {
            if (candidate.name().equals(ratio))
            {
                return switch (metric)
                {
                    case RPS -> candidate.rps();
                    case CPU_PER_REQUEST -> candidate.cpuPerRequest();
                    case P99 -> candidate.p99();
                    case IDLE_CPU -> null;
                };
            }
        }
        return null;
    }
}
