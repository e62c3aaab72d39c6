package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;

/**
 * The measurement loop: for each scenario, check every target, warm it up, then run the rounds, every target once per
 * round in target order, reading the server side's CPU time before and after each wrk run. Keeps to the plan's time
 * budget by skipping what would overrun it (and saying so). Then measures the idle listener.
 */
final class BenchRunner
{
    /**
     * Share of the servers' CPU (%) taken by other processes past which a run that completed no request counts as
     * starved (skipped, the machine's fault) rather than failed (the target's).
     */
    static final double STARVED_PERCENT = 50.0;

    private final BenchPlan plan;
    private final Map<TargetKind, Target> targets;
    private final LoadGenerators load;
    private final SSLSocketFactory tls;
    private final ProcFs procFs;
    private final long clockTicksPerSecond;
    private final Progress progress;
    private final int serverCpu;
    private final long selfPid = ProcessHandle.current().pid();
    private final List<RunRecord> runs = new ArrayList<>();
    private final Map<String, Map<TargetKind, TargetSummary>> notMeasured = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param plan                what to measure and for how long.
     * @param targets             the running targets, in target order.
     * @param load                the load generators.
     * @param tls                 the checks' TLS client, trusting the run's certificate; null when the run has none.
     * @param procFs              for CPU times.
     * @param clockTicksPerSecond the unit of {@code /proc} times.
     * @param progress            the progress output.
     * @param serverCpu           the CPU the server side is pinned to, or -1 when not pinned.
     */
    BenchRunner(
        final BenchPlan plan,
        final Map<TargetKind, Target> targets,
        final LoadGenerators load,
        final SSLSocketFactory tls,
        final ProcFs procFs,
        final long clockTicksPerSecond,
        final Progress progress,
        final int serverCpu)
    {
        this.plan = plan;
        this.targets = targets;
        this.load = load;
        this.tls = tls;
        this.procFs = procFs;
        this.clockTicksPerSecond = clockTicksPerSecond;
        this.progress = progress;
        this.serverCpu = serverCpu;
    }

    /**
     * Measure every scenario of the plan.
     *
     * @throws InterruptedException when interrupted.
     */
    void runAll() throws InterruptedException
    {
        final List<Scenario> scenarios = plan.scenarios();
        progress.estimate(Math.min(plan.timeLimitSeconds(), progress.elapsedSeconds() +
            scenarios.stream().mapToDouble((s) -> plan.estimateSeconds(s, targets.keySet())).sum() +
            plan.finishSeconds()));
        for (int i = 0; i < scenarios.size(); i++)
        {
            double restMinimum = 0;
            for (final Scenario later : scenarios.subList(i + 1, scenarios.size()))
            {
                restMinimum += plan.minimumSeconds(later, targets.keySet());
            }
            runScenario(scenarios.get(i), budgetSeconds() - progress.elapsedSeconds() - restMinimum);
        }
    }

    /**
     * @return every run made, warm-ups included, in the order made.
     */
    List<RunRecord> runs()
    {
        return runs;
    }

    /**
     * @return per scenario, the targets that were skipped or failed there, with why.
     */
    Map<String, Map<TargetKind, TargetSummary>> notMeasured()
    {
        return notMeasured;
    }

    /**
     * @return what the report should say went wrong or was cut.
     */
    List<String> warnings()
    {
        return warnings;
    }

    /**
     * Measure the CPU time of the listener and its workers while nothing is sent to them.
     *
     * @param listenerPid the listener's pid.
     * @param names       names for known pids (listener, workers).
     * @return the figure, all together and per process.
     * @throws InterruptedException when interrupted.
     */
    BenchResults.IdleCpu measureIdle(final long listenerPid, final Map<String, Long> names)
        throws InterruptedException
    {
        Thread.sleep(BenchPlan.IDLE_SETTLE_SECONDS * 1000L);
        progress.step("idle CPU: listener and workers, " + plan.idleSeconds() + " s with no load");
        final long startNs = System.nanoTime();
        final Map<Long, Long> before = procFs.ticksByProcess(listenerPid);
        Thread.sleep(plan.idleSeconds() * 1000L);
        final Map<Long, Long> after = procFs.ticksByProcess(listenerPid);
        final double seconds = (System.nanoTime() - startNs) / 1e9;

        final Map<String, Double> byProcess = new LinkedHashMap<>();
        long total = 0;
        for (final Map.Entry<Long, Long> entry : after.entrySet())
        {
            final long ticks = entry.getValue() - before.getOrDefault(entry.getKey(), entry.getValue());
            total += ticks;
            byProcess.put(nameOf(entry.getKey(), names), percentOfCore(ticks, seconds));
        }
        final BenchResults.IdleCpu idle = new BenchResults.IdleCpu(seconds, percentOfCore(total, seconds), byProcess);
        progress.step(String.format(Locale.ROOT, "idle CPU: %.2f %% of one core", idle.percentOfCore()));
        return idle;
    }

    private void runScenario(final Scenario scenario, final double availableSeconds) throws InterruptedException
    {
        final Map<TargetKind, TargetSummary> skipped =
            notMeasured.computeIfAbsent(scenario.name(), (k) -> new EnumMap<>(TargetKind.class));
        final List<Target> active = new ArrayList<>();
        final String cannot = cannotMeasure(scenario);
        for (final Target target : targets.values())
        {
            if (!scenario.servedBy(target.kind()))
            {
                skipped.put(target.kind(), TargetSummary.notMeasured(scenario.name(), target.kind().key(),
                    TargetSummary.SKIPPED, target.kind() == TargetKind.BARE ? "serves only the hello GET in " +
                    "cleartext HTTP/1.1" : target.kind() == TargetKind.NGINX_RETURN ? "serves only the hello GET " +
                    "with TLS or HTTP/2" : "serves only the hello GET"));
            }
            else if (null != cannot || 0 == target.port(scenario.protocol()))
            {
                skipped.put(target.kind(), TargetSummary.notMeasured(scenario.name(), target.kind().key(),
                    TargetSummary.SKIPPED, null != cannot ? cannot : "no " + scenario.protocol().scheme() + " port"));
            }
            else
            {
                active.add(target);
            }
        }
        if (null != cannot && targets.values().stream().anyMatch((t) -> scenario.servedBy(t.kind())))
        {
            warnings.add(scenario.name() + " not measured: " + cannot);
            progress.step(scenario.name() + ": skipped, " + cannot);
        }
        if (active.isEmpty())
        {
            return;
        }

        final BenchPlan.Allotment allotment = plan.allot(scenario, targets.keySet(), availableSeconds);
        if (null == allotment)
        {
            final String note = String.format(Locale.ROOT, "time budget: not even one round fits in the %.0f s left",
                Math.max(0, budgetSeconds() - progress.elapsedSeconds()));
            warnings.add(scenario.name() + " skipped: " + note + " (--time-limit raises the budget)");
            progress.step(scenario.name() + ": skipped, " + note);
            for (final Target target : active)
            {
                skipped.put(target.kind(), TargetSummary.notMeasured(scenario.name(), target.kind().key(),
                    TargetSummary.SKIPPED, note));
            }
            return;
        }
        if (allotment.rounds() < plan.rounds(scenario) || allotment.warmupSeconds() < plan.warmupSeconds(scenario))
        {
            warnings.add(scenario.name() + ": time budget cut it to " + allotment.rounds() + " of " +
                plan.rounds(scenario) + " rounds" + (allotment.warmupSeconds() < plan.warmupSeconds(scenario) ?
                ", without warm-up" : "") + " (--time-limit raises the budget)");
        }

        progress.step(scenario.name() + ": " + scenario.title() + " — checking " + active.size() + " targets");
        for (final Target target : List.copyOf(active))
        {
            try
            {
                load.check(scenario, target, tls);
            }
            catch (final IOException ex)
            {
                fail(scenario, target, active, "wrong answer before measuring: " + ex.getMessage());
            }
        }

        final int warmup = allotment.warmupSeconds();
        if (warmup > 0 && !active.isEmpty())
        {
            progress.step(scenario.name() + ": warm-up, " + warmup + " s per target" +
                (plan.jitSettleSeconds() > 0 ? ", longer while a target's JIT compiles" : ""));
            // warm-ups may grow while the rounds planned still fit in the time this scenario may take
            final double warmupsEndBy = progress.elapsedSeconds() + availableSeconds -
                allotment.rounds() * active.size() * (plan.seconds(scenario) + BenchPlan.RUN_OVERHEAD_SECONDS);
            for (final Target target : List.copyOf(active))
            {
                warmUp(scenario, target, warmup, active, warmupsEndBy);
            }
        }

        final int rounds = allotment.rounds();
        final int seconds = plan.seconds(scenario);
        for (int round = 1; round <= rounds && !active.isEmpty(); round++)
        {
            final double roundSeconds = active.size() * (seconds + BenchPlan.RUN_OVERHEAD_SECONDS);
            if (progress.elapsedSeconds() + roundSeconds > budgetSeconds())
            {
                warnings.add(scenario.name() + ": cut to " + (round - 1) + " of " + rounds +
                    " rounds by the time budget");
                break;
            }
            for (final Target target : List.copyOf(active))
            {
                final RunRecord run = measure(scenario, target, round, seconds, active);
                if (null != run)
                {
                    progress.step(line(scenario, target, round, rounds, run));
                }
            }
        }
    }

    /**
     * Warm a target up: the planned seconds, then {@link BenchPlan#JIT_SETTLE_STEP_SECONDS} more at a time while its
     * JIT compiler threads used {@link BenchPlan#JIT_SETTLED_SHARE} of a core or more over the last run, up to
     * {@link BenchPlan#jitSettleSeconds()} more, and not past {@code endBy} (elapsed seconds of the run), which
     * leaves the scenario's rounds their time.
     */
    private void warmUp(
        final Scenario scenario, final Target target, final int seconds, final List<Target> active, final double endBy)
        throws InterruptedException
    {
        int runSeconds = seconds;
        int added = 0;
        while (true)
        {
            final long compilerBefore = procFs.compilerTicks(target.serverRootPids());
            final long startNs = System.nanoTime();
            measure(scenario, target, 0, runSeconds, active);
            final double elapsedSeconds = (System.nanoTime() - startNs) / 1e9;
            final double compilerShare =
                seconds(procFs.compilerTicks(target.serverRootPids()) - compilerBefore) / elapsedSeconds;
            if (!active.contains(target) ||
                !plan.extendsWarmup(compilerShare, added, endBy - progress.elapsedSeconds()))
            {
                if (added > 0)
                {
                    progress.step(String.format(Locale.ROOT, "%s %s: warm-up %d s (JIT compilers at %.0f %% of a " +
                        "core in its last %d s)", scenario.name(), target.kind().key(), seconds + added,
                        compilerShare * 100, runSeconds));
                }
                return;
            }
            runSeconds = BenchPlan.JIT_SETTLE_STEP_SECONDS;
            added += runSeconds;
        }
    }

    private RunRecord measure(
        final Scenario scenario, final Target target, final int round, final int seconds, final List<Target> active)
        throws InterruptedException
    {
        try
        {
            load.prepare(scenario, target, seconds);
            final long serverBefore = procFs.treeTicks(target.serverRootPids());
            // a generator already running (prepared) is counted from now: its ticks so far are taken off
            final long clientBefore = clientTicks() + load.preparedTicks(procFs);
            final ProcFs.CpuTimes cpuBefore = serverCpu >= 0 ? procFs.cpuTimes(serverCpu) : null;
            final long startNs = System.nanoTime();
            final WrkResult result = load.run(scenario, target, seconds);
            final long endNs = System.nanoTime();
            final ProcFs.CpuTimes cpuAfter = serverCpu >= 0 ? procFs.cpuTimes(serverCpu) : null;
            final long clientAfter = clientTicks();
            final long serverAfter = procFs.treeTicks(target.serverRootPids());
            final RunRecord run = RunRecord.of(scenario, target.kind(), round, result,
                seconds(serverAfter - serverBefore),
                seconds(clientAfter - clientBefore),
                null != cpuBefore && null != cpuAfter ? new double[] {
                    seconds(cpuAfter.processTicks() - cpuBefore.processTicks()),
                    seconds(cpuAfter.interruptTicks() - cpuBefore.interruptTicks()),
                    seconds(cpuAfter.stealTicks() - cpuBefore.stealTicks()) } : null,
                (endNs - startNs) / 1e9);
            runs.add(run);
            if (result.requests() == 0)
            {
                final Double others = run.otherCorePercent();
                if (null != others && others >= STARVED_PERCENT)
                {
                    drop(scenario, target, active, TargetSummary.SKIPPED, String.format(Locale.ROOT,
                        "starved: other processes took %.0f %% of the servers' CPU and no request completed in %d s",
                        others, seconds));
                }
                else
                {
                    fail(scenario, target, active, "no request completed in " + seconds + " s");
                }
                return null;
            }
            return run;
        }
        catch (final IOException ex)
        {
            fail(scenario, target, active, scenario.protocol().tool().binary() + " failed: " + ex.getMessage());
            return null;
        }
    }

    /**
     * @return why no target can be measured in the scenario on this machine, or null when they can.
     */
    private String cannotMeasure(final Scenario scenario)
    {
        final Protocol.Tool tool = scenario.protocol().tool();
        if (!load.has(tool))
        {
            return tool.binary() + " is not installed (apt-get install " + tool.debianPackage() + "; bin/sluice " +
                "bench installs it when run as root)";
        }
        if (scenario.protocol().isTls() && null == tls)
        {
            return "the run has no TLS certificate";
        }
        return null;
    }

    private void fail(final Scenario scenario, final Target target, final List<Target> active, final String why)
    {
        drop(scenario, target, active, TargetSummary.FAILED, why);
    }

    private void drop(
        final Scenario scenario, final Target target, final List<Target> active, final String status, final String why)
    {
        active.remove(target);
        notMeasured.get(scenario.name()).put(target.kind(),
            TargetSummary.notMeasured(scenario.name(), target.kind().key(), status, why));
        progress.step(scenario.name() + " " + target.kind().key() + ": " + status.toUpperCase(Locale.ROOT) + ", " +
            why.lines().findFirst().orElse(""));
    }

    private double seconds(final long ticks)
    {
        return ticks / (double)clockTicksPerSecond;
    }

    private long clientTicks()
    {
        return procFs.stat(selfPid).map(ProcStat::reapedChildrenTicks).orElse(0L);
    }

    private double budgetSeconds()
    {
        return plan.timeLimitSeconds() - plan.finishSeconds();
    }

    private double percentOfCore(final long ticks, final double seconds)
    {
        return seconds > 0 ? 100.0 * ticks / clockTicksPerSecond / seconds : 0.0;
    }

    private static String line(
        final Scenario scenario, final Target target, final int round, final int rounds, final RunRecord run)
    {
        return String.format(Locale.ROOT,
            "%-11s %d/%d %-9s %,10.0f req/s  p99 %10s  %6s µs CPU/req  server %3.0f %%  wrk %3.0f %%%s%s",
            scenario.name(), round, rounds, target.kind().key(), run.rps(),
            scenario.hasLatency() ? String.format(Locale.ROOT, "%,d µs", run.latencyUs().p99()) : "n/a",
            Markdown.figure(run.cpuUsPerRequest()), run.serverCorePercent(), run.clientCorePercent(),
            contention(run),
            run.errors().total() > 0 ? "  ERRORS " + run.errors().total() : "");
    }

    private static String contention(final RunRecord run)
    {
        final StringBuilder text = new StringBuilder();
        if (null != run.otherCorePercent() && run.otherCorePercent() >= TargetSummary.CONTENDED_PERCENT)
        {
            text.append(String.format(Locale.ROOT, "  others %.0f %%", run.otherCorePercent()));
        }
        if (null != run.stealCorePercent() && run.stealCorePercent() >= TargetSummary.CONTENDED_PERCENT)
        {
            text.append(String.format(Locale.ROOT, "  steal %.0f %%", run.stealCorePercent()));
        }
        return text.toString();
    }

    private static String nameOf(final long pid, final Map<String, Long> names)
    {
        for (final Map.Entry<String, Long> entry : names.entrySet())
        {
            if (entry.getValue() == pid)
            {
                return entry.getKey();
            }
        }
        return "pid " + pid;
    }
}
