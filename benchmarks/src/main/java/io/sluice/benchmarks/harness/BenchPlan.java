package io.sluice.benchmarks.harness;

import java.util.Collection;
import java.util.List;

/**
 * How long a bench run measures what: the scenarios, each run's length in whole seconds (wrk's resolution), the
 * rounds, the warm-ups, the idle measurement and the time budget, with an estimate of the total made before
 * starting. Built from a {@link Profile}, then adjusted by options.
 */
final class BenchPlan
{
    /**
     * Seconds the estimate allows for starting the listener, its workers, the bare server and nginx.
     */
    static final double STARTUP_SECONDS = 8.0;

    /**
     * Seconds the estimate allows per wrk run beyond its duration: starting wrk, connecting, its {@code done()},
     * reading {@code /proc} before and after.
     */
    static final double RUN_OVERHEAD_SECONDS = 0.25;

    /**
     * Seconds the estimate allows for stopping every server and writing the report.
     */
    static final double FINISH_SECONDS = 4.0;

    /**
     * Seconds between the last load and the idle measurement, for connections to close and threads to park.
     */
    static final int IDLE_SETTLE_SECONDS = 1;

    /**
     * Length of each run that extends a warm-up while the target's JIT compiles ({@link #jitSettleSeconds()}).
     */
    static final int JIT_SETTLE_STEP_SECONDS = 2;

    /**
     * The share of one core below which a target's JIT compiler threads count as settled.
     */
    static final double JIT_SETTLED_SHARE = 0.10;

    /**
     * The preset plans.
     */
    enum Profile
    {
        /**
         * The default: the headline 5 s × 3 rounds, the rest 1 s × 3 rounds with a 1 s warm-up each, extended while a
         * target's JIT still compiles (up to 12 s); about 7.5 minutes on 5 targets (the TLS and HTTP/2 scenarios on 5
         * too), at most 11.
         */
        FULL("default", Scenario.ALL, 5, 3, 1, 3, 3, 1, 12, 5, 660),

        /**
         * {@code --quick}: the cleartext scenarios, the headline 2 s × 2 rounds after a 2 s warm-up, the rest 1 s once,
         * no per-scenario warm-up; at most 90 s.
         */
        QUICK("quick", Scenario.QUICK, 2, 2, 1, 1, 2, 0, 0, 3, 90),

        /**
         * {@code --smoke}, for CI: the headline, one echo, and the hello over HTTPS and over new TLS connections, 1 s
         * once, no warm-up; figures mean nothing, the run shows that every path works end to end. At most 60 s.
         */
        SMOKE("smoke", Scenario.SMOKE, 1, 1, 1, 1, 0, 0, 0, 1, 60);

        private final String label;
        private final List<Scenario> scenarios;
        private final int headlineSeconds;
        private final int headlineRounds;
        private final int otherSeconds;
        private final int otherRounds;
        private final int firstWarmupSeconds;
        private final int scenarioWarmupSeconds;
        private final int jitSettleSeconds;
        private final int idleSeconds;
        private final int timeLimitSeconds;

        Profile(
            final String label,
            final List<Scenario> scenarios,
            final int headlineSeconds,
            final int headlineRounds,
            final int otherSeconds,
            final int otherRounds,
            final int firstWarmupSeconds,
            final int scenarioWarmupSeconds,
            final int jitSettleSeconds,
            final int idleSeconds,
            final int timeLimitSeconds)
        {
            this.label = label;
            this.scenarios = scenarios;
            this.headlineSeconds = headlineSeconds;
            this.headlineRounds = headlineRounds;
            this.otherSeconds = otherSeconds;
            this.otherRounds = otherRounds;
            this.firstWarmupSeconds = firstWarmupSeconds;
            this.scenarioWarmupSeconds = scenarioWarmupSeconds;
            this.jitSettleSeconds = jitSettleSeconds;
            this.idleSeconds = idleSeconds;
            this.timeLimitSeconds = timeLimitSeconds;
        }

        /**
         * @return the name shown in the report: default, quick or smoke.
         */
        String label()
        {
            return label;
        }
    }

    private final Profile profile;
    private List<Scenario> scenarios;
    private int headlineSeconds;
    private int headlineRounds;
    private int otherSeconds;
    private int otherRounds;
    private int firstWarmupSeconds;
    private int scenarioWarmupSeconds;
    private int jitSettleSeconds;
    private int idleSeconds;
    private int timeLimitSeconds;

    /**
     * @param profile the preset to start from.
     */
    BenchPlan(final Profile profile)
    {
        this.profile = profile;
        this.scenarios = profile.scenarios;
        this.headlineSeconds = profile.headlineSeconds;
        this.headlineRounds = profile.headlineRounds;
        this.otherSeconds = profile.otherSeconds;
        this.otherRounds = profile.otherRounds;
        this.firstWarmupSeconds = profile.firstWarmupSeconds;
        this.scenarioWarmupSeconds = profile.scenarioWarmupSeconds;
        this.jitSettleSeconds = profile.jitSettleSeconds;
        this.idleSeconds = profile.idleSeconds;
        this.timeLimitSeconds = profile.timeLimitSeconds;
    }

    /**
     * @return the preset this plan started from.
     */
    Profile profile()
    {
        return profile;
    }

    /**
     * @return the scenarios, in the order they are measured.
     */
    List<Scenario> scenarios()
    {
        return scenarios;
    }

    /**
     * @param scenarios the scenarios to measure, in order.
     * @return this.
     */
    BenchPlan scenarios(final List<Scenario> scenarios)
    {
        if (scenarios.isEmpty())
        {
            throw new IllegalArgumentException("no scenario to measure");
        }
        this.scenarios = List.copyOf(scenarios);
        return this;
    }

    /**
     * Make every run, headline or not, this long.
     *
     * @param seconds length of one run, 1..600.
     * @return this.
     */
    BenchPlan durationSeconds(final int seconds)
    {
        checkRange("duration", seconds, 1, 600);
        headlineSeconds = seconds;
        otherSeconds = seconds;
        return this;
    }

    /**
     * Give every scenario this many rounds.
     *
     * @param rounds rounds, 1..100.
     * @return this.
     */
    BenchPlan rounds(final int rounds)
    {
        checkRange("rounds", rounds, 1, 100);
        headlineRounds = rounds;
        otherRounds = rounds;
        return this;
    }

    /**
     * @param seconds seconds of unrecorded load each target gets before the first scenario, 0 for none (0..600).
     * @return this.
     */
    BenchPlan firstWarmupSeconds(final int seconds)
    {
        checkRange("warm-up", seconds, 0, 600);
        firstWarmupSeconds = seconds;
        return this;
    }

    /**
     * @param seconds seconds of unrecorded load each target gets before every scenario, the first too (0..600): a
     *                JVM's path is measured once its JIT has compiled it, which the HTTP/2 and TLS paths take longer
     *                than the default warm-up to do.
     * @return this.
     */
    BenchPlan warmupSeconds(final int seconds)
    {
        checkRange("warm-up", seconds, 0, 600);
        firstWarmupSeconds = seconds;
        scenarioWarmupSeconds = seconds;
        return this;
    }

    /**
     * @param seconds most seconds of warm-up added to a target's planned warm-up while its JVMs' JIT compilers are
     *                still busy (0..120; 0: the planned warm-up only).
     * @return this.
     */
    BenchPlan jitSettleSeconds(final int seconds)
    {
        checkRange("jit-settle", seconds, 0, 120);
        jitSettleSeconds = seconds;
        return this;
    }

    /**
     * A warm-up ends when its planned seconds are done and the target's JIT compiler threads used less than
     * {@link #JIT_SETTLED_SHARE} of a core over its last run, or when this many seconds were added: a path is
     * measured once it is compiled, whatever its JIT takes (two JVMs for a shared-memory or loopback target, one for
     * in-process, none for nginx). Only when a warm-up is planned at all.
     *
     * @return the most seconds a warm-up may be extended by, 0 for none.
     */
    int jitSettleSeconds()
    {
        return jitSettleSeconds;
    }

    /**
     * Whether a warm-up goes on for another {@link #JIT_SETTLE_STEP_SECONDS}.
     *
     * @param compilerShare the target's JIT compiler threads' CPU time over its last warm-up run, in cores.
     * @param addedSeconds  seconds already added to the planned warm-up.
     * @param secondsLeft   seconds the warm-ups may still take before the scenario's rounds.
     * @return true while the compilers are busy and the step fits in {@link #jitSettleSeconds()} and the time left.
     */
    boolean extendsWarmup(final double compilerShare, final int addedSeconds, final double secondsLeft)
    {
        return compilerShare >= JIT_SETTLED_SHARE && addedSeconds + JIT_SETTLE_STEP_SECONDS <= jitSettleSeconds &&
            JIT_SETTLE_STEP_SECONDS + RUN_OVERHEAD_SECONDS <= secondsLeft;
    }

    /**
     * @param seconds the time budget of the whole run; scenarios that would overrun it are skipped (and reported).
     * @return this.
     */
    BenchPlan timeLimitSeconds(final int seconds)
    {
        checkRange("time limit", seconds, 10, 24 * 3600);
        timeLimitSeconds = seconds;
        return this;
    }

    /**
     * @return the time budget of the whole run, in seconds.
     */
    int timeLimitSeconds()
    {
        return timeLimitSeconds;
    }

    /**
     * @param scenario a scenario of this plan.
     * @return length of each of its measured runs, in seconds.
     */
    int seconds(final Scenario scenario)
    {
        return scenario.isHeadline() ? headlineSeconds : otherSeconds;
    }

    /**
     * @param scenario a scenario of this plan.
     * @return its rounds: each round runs every target once.
     */
    int rounds(final Scenario scenario)
    {
        return scenario.isHeadline() ? headlineRounds : otherRounds;
    }

    /**
     * @param scenario a scenario of this plan.
     * @return seconds of unrecorded load each target gets before the scenario's first round: longer before the first
     * scenario, and before the first of each other protocol (TLS, HTTP/2), since each is the JIT's first pass over a
     * path of its own; 0 for none.
     */
    int warmupSeconds(final Scenario scenario)
    {
        for (final Scenario earlier : scenarios)
        {
            if (earlier.equals(scenario))
            {
                return earlier.equals(scenarios.get(0)) ? firstWarmupSeconds :
                    Math.max(firstWarmupSeconds, scenarioWarmupSeconds);
            }
            if (earlier.protocol() == scenario.protocol() || 0 == firstWarmupSeconds)
            {
                break;
            }
        }
        return scenarioWarmupSeconds;
    }

    /**
     * @return length of the idle measurement of the listener and its workers, in seconds.
     */
    int idleSeconds()
    {
        return idleSeconds;
    }

    /**
     * @param scenario a scenario of this plan.
     * @param targets  the targets that will run, whether or not they serve the scenario.
     * @return the estimated seconds the scenario takes on those targets.
     */
    double estimateSeconds(final Scenario scenario, final Collection<TargetKind> targets)
    {
        final long serving = targets.stream().filter(scenario::servedBy).count();
        final int warmup = warmupSeconds(scenario);
        final int runs = rounds(scenario) + (warmup > 0 ? 1 : 0);
        return serving * (warmup + rounds(scenario) * seconds(scenario) + runs * RUN_OVERHEAD_SECONDS);
    }

    /**
     * @return the estimated seconds the idle measurement, stopping and reporting take.
     */
    double finishSeconds()
    {
        return IDLE_SETTLE_SECONDS + idleSeconds + FINISH_SECONDS;
    }

    /**
     * @param scenario a scenario of this plan.
     * @param targets  the targets that will run.
     * @return the least a scenario can be measured in: one round, no warm-up.
     */
    double minimumSeconds(final Scenario scenario, final Collection<TargetKind> targets)
    {
        return targets.stream().filter(scenario::servedBy).count() * (seconds(scenario) + RUN_OVERHEAD_SECONDS);
    }

    /**
     * What a scenario gets when time is short: its warm-up and rounds as planned when they fit in
     * {@code availableSeconds}, else fewer rounds, else no warm-up, else nothing.
     *
     * @param scenario         a scenario of this plan.
     * @param targets          the targets that will run.
     * @param availableSeconds the time this scenario may take.
     * @return the warm-up and rounds to run, or null when not even one round fits.
     */
    Allotment allot(final Scenario scenario, final Collection<TargetKind> targets, final double availableSeconds)
    {
        final long serving = targets.stream().filter(scenario::servedBy).count();
        final int warmup = warmupSeconds(scenario);
        final int rounds = rounds(scenario);
        final double warmupCost = warmup > 0 ? serving * (warmup + RUN_OVERHEAD_SECONDS) : 0.0;
        final double roundCost = serving * (seconds(scenario) + RUN_OVERHEAD_SECONDS);
        if (warmupCost + rounds * roundCost <= availableSeconds)
        {
            return new Allotment(warmup, rounds);
        }
        final int fewer = (int)Math.floor((availableSeconds - warmupCost) / roundCost);
        if (fewer >= 1)
        {
            return new Allotment(warmup, fewer);
        }
        final int cold = (int)Math.min(rounds, Math.floor(availableSeconds / roundCost));
        return cold >= 1 ? new Allotment(0, cold) : null;
    }

    /**
     * What a scenario runs.
     *
     * @param warmupSeconds seconds of warm-up per target, 0 for none.
     * @param rounds        measured rounds.
     */
    record Allotment(int warmupSeconds, int rounds)
    {
    }

    /**
     * @param targets the targets that will run.
     * @return the estimated seconds of the whole run, start to report.
     */
    double estimateSeconds(final Collection<TargetKind> targets)
    {
        double seconds = STARTUP_SECONDS + finishSeconds();
        for (final Scenario scenario : scenarios)
        {
            seconds += estimateSeconds(scenario, targets);
        }
        return seconds;
    }

    /**
     * @return one line describing the plan, for the progress output and the report.
     */
    String describe()
    {
        final StringBuilder text = new StringBuilder();
        text.append(profile.label).append(" plan: ").append(scenarios.size()).append(" scenarios; ");
        if (scenarios.get(0).isHeadline())
        {
            text.append(Scenario.HELLO_C64.name()).append(' ').append(headlineSeconds).append(" s × ")
                .append(headlineRounds).append(headlineRounds == 1 ? " round" : " rounds").append(", ");
        }
        text.append("others ").append(otherSeconds).append(" s × ").append(otherRounds)
            .append(otherRounds == 1 ? " round" : " rounds");
        text.append("; warm-up ").append(firstWarmupSeconds).append(" s per target first");
        if (scenarios.stream().map(Scenario::protocol).distinct().count() > 1 && firstWarmupSeconds > 0)
        {
            text.append(" and for the first scenario of each protocol");
        }
        text.append(", then ").append(scenarioWarmupSeconds).append(" s per scenario");
        if (jitSettleSeconds > 0)
        {
            text.append(", each extended in ").append(JIT_SETTLE_STEP_SECONDS).append(" s steps (up to ")
                .append(jitSettleSeconds).append(" s) while the target's JIT compilers use ")
                .append(Math.round(JIT_SETTLED_SHARE * 100)).append(" % of a core or more");
        }
        text.append("; idle ").append(idleSeconds).append(" s");
        return text.toString();
    }

    private static void checkRange(final String what, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(what + " out of range: " + what + "=" + value + ", limit=" + min + ".." +
                max);
        }
    }
}
