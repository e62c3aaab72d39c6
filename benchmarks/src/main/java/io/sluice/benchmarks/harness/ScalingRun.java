package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs the scaling scenario: starts one listener per event loop count of the {@link ScalingPlan} (its configuration
 * otherwise as measured, all on the serving CPUs), then measures hello-c64 on the in-process, shared-memory and
 * loopback targets asked for, round by round, every loop count once per round (1, 2, 4, 1, 2, 4, ...) so that drift
 * in the machine hits every count alike, and stops them. Before the rounds every listener is warmed up and given one
 * round that is not recorded, then all are left idle a moment so that the compilations the load queued can end. The
 * listeners that are not measured at a moment are idle.
 * When a listener refuses to start with its shared-memory queue at a loop count (a build whose shared-memory queues
 * need one loop), it is started again without that queue, and the shared-memory target is reported not available at
 * that count, with the listener's reason.
 */
final class ScalingRun
{
    private static final Set<TargetKind> SCALING_TARGETS =
        EnumSet.of(TargetKind.INPROC, TargetKind.SHM, TargetKind.LOOPBACK);

    private final ScalingPlan plan;
    private final Path home;
    private final Path config;
    private final Path dir;
    private final ProcFs procFs;
    private final List<String> serverPin;
    private final List<String> jvmFlags;
    private final Wrk wrk;
    private final long clockTicks;
    private final int serverCpu;
    private final Progress progress;
    private final List<String> warnings = new ArrayList<>();
    private final Map<Integer, BenchServers> listeners = new LinkedHashMap<>();
    private final Map<Integer, String> shmNotes = new LinkedHashMap<>();
    private final Map<Integer, List<RunRecord>> runs = new LinkedHashMap<>();
    private final Map<Integer, Map<TargetKind, TargetSummary>> dropped = new LinkedHashMap<>();

    /**
     * @param plan       the loop counts and run lengths.
     * @param home       the repository root.
     * @param config     the listener configuration to start from.
     * @param dir        the run's results directory; each loop count writes under {@code scaling/loops-<n>/}.
     * @param procFs     for CPU times and the process tree.
     * @param serverPin  command prefix that pins the server side; empty for none.
     * @param jvmFlags   flags for the listener's JVM.
     * @param wrk        the load generator.
     * @param clockTicks the unit of {@code /proc} times.
     * @param serverCpu  the one CPU the server side is pinned to, or -1.
     * @param progress   the progress output.
     */
    ScalingRun(
        final ScalingPlan plan,
        final Path home,
        final Path config,
        final Path dir,
        final ProcFs procFs,
        final List<String> serverPin,
        final List<String> jvmFlags,
        final Wrk wrk,
        final long clockTicks,
        final int serverCpu,
        final Progress progress)
    {
        this.plan = plan;
        this.home = home;
        this.config = config;
        this.dir = dir;
        this.procFs = procFs;
        this.serverPin = serverPin;
        this.jvmFlags = jvmFlags;
        this.wrk = wrk;
        this.clockTicks = clockTicks;
        this.serverCpu = serverCpu;
        this.progress = progress;
    }

    /**
     * @param wanted the targets asked for; only in-process, shared memory and loopback are measured.
     * @return true when the scaling scenario has a target to measure among them.
     */
    static boolean hasTargets(final Set<TargetKind> wanted)
    {
        return wanted.stream().anyMatch(SCALING_TARGETS::contains);
    }

    /**
     * @param wanted     the targets asked for.
     * @param serverCpus CPU list of the server side, for the results.
     * @param loadCpus   CPU list of wrk, for the results.
     * @return what was measured.
     * @throws IOException          when a configuration or log file cannot be written.
     * @throws InterruptedException when interrupted.
     */
    ScalingResults run(final Set<TargetKind> wanted, final String serverCpus, final String loadCpus)
        throws IOException, InterruptedException
    {
        final Set<TargetKind> targets = EnumSet.noneOf(TargetKind.class);
        targets.addAll(wanted);
        targets.retainAll(SCALING_TARGETS);
        progress.step(plan.describe() + " on " + targets.stream().map(TargetKind::key).toList());
        final Thread cleanup = new Thread(this::close, "sluice-bench-scaling-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            for (final int loops : plan.loopCounts())
            {
                start(loops, targets);
            }
            for (final int loops : plan.loopCounts())
            {
                progress.step("scaling: warming up " + loops + " event loop(s), then one round not recorded");
                measure(loops, ScalingPlan.WARMUP_SECONDS, false);
            }
            // the loops of a busy listener share its CPUs with its JIT compiler threads: let queued compilations end
            Thread.sleep(ScalingPlan.SETTLE_MS);
            for (int round = 1; round <= plan.rounds(); round++)
            {
                for (final int loops : plan.loopCounts())
                {
                    progress.step("scaling: round " + round + "/" + plan.rounds() + ", " + loops + " event loop(s)");
                    measure(loops, 0, true);
                }
            }
        }
        finally
        {
            close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }

        final List<ScalingResults.Row> rows = new ArrayList<>();
        for (final int loops : plan.loopCounts())
        {
            for (final TargetKind kind : targets)
            {
                rows.add(new ScalingResults.Row(loops, summary(loops, kind)));
            }
        }
        return ScalingResults.of(plan.describe(), serverCpus, loadCpus, plan.loopCounts(), rows);
    }

    /**
     * @return what the report should say went wrong.
     */
    List<String> warnings()
    {
        return warnings;
    }

    private void start(final int loops, final Set<TargetKind> targets) throws IOException
    {
        final Path loopsDir = dir.resolve("scaling").resolve("loops-" + loops);
        progress.step("scaling: starting a listener with " + loops + " event loop(s)");
        BenchServers servers = start(loopsDir, loops, targets, false);
        if (loops > 1 && targets.contains(TargetKind.SHM) && servers.failures().containsKey(TargetKind.SHM))
        {
            final String note = "not available with " + loops + " event loops: " +
                listenerReason(servers.failures().get(TargetKind.SHM));
            shmNotes.put(loops, note);
            progress.step("scaling: shm " + note + "; starting it again without the shared-memory queue");
            servers.close();
            servers = start(loopsDir.resolve("without-shm"), loops, targets, true);
        }
        listeners.put(loops, servers);
        runs.put(loops, new ArrayList<>());
        dropped.put(loops, new EnumMap<>(TargetKind.class));
    }

    private BenchServers start(
        final Path loopsDir, final int loops, final Set<TargetKind> targets, final boolean withoutSharedMemory)
        throws IOException
    {
        final BenchServers servers = new BenchServers(home, loopsDir, procFs, serverPin, jvmFlags, loops,
            withoutSharedMemory, "l" + loops);
        servers.start(targets, config, Optional.empty());
        return servers;
    }

    private void measure(final int loops, final int warmupSeconds, final boolean record) throws InterruptedException
    {
        final Map<TargetKind, Target> started = listeners.get(loops).targets();
        if (started.isEmpty())
        {
            return;
        }
        final BenchPlan hello = new BenchPlan(BenchPlan.Profile.FULL)
            .scenarios(List.of(Scenario.HELLO_C64))
            .durationSeconds(plan.seconds())
            .rounds(1)
            .firstWarmupSeconds(warmupSeconds);
        hello.timeLimitSeconds((int)Math.ceil(progress.elapsedSeconds() + hello.finishSeconds() +
            2 * hello.estimateSeconds(started.keySet()) + 10));
        final BenchRunner runner = new BenchRunner(hello, started, new LoadGenerators(wrk, null, null, null), null,
            procFs, clockTicks, progress, serverCpu);
        runner.runAll();
        warnings.addAll(runner.warnings());
        if (record)
        {
            runs.get(loops).addAll(runner.runs());
        }
        dropped.get(loops).putAll(runner.notMeasured().getOrDefault(Scenario.HELLO_C64.name(), Map.of()));
    }

    private TargetSummary summary(final int loops, final TargetKind kind)
    {
        final String scenario = Scenario.HELLO_C64.name();
        if (TargetKind.SHM == kind && shmNotes.containsKey(loops))
        {
            return TargetSummary.notMeasured(scenario, kind.key(), TargetSummary.SKIPPED, shmNotes.get(loops));
        }
        final BenchServers servers = listeners.get(loops);
        if (servers.failures().containsKey(kind))
        {
            return TargetSummary.notMeasured(scenario, kind.key(), TargetSummary.FAILED,
                "not started: " + servers.failures().get(kind));
        }
        final List<RunRecord> own = runs.get(loops).stream()
            .filter((r) -> r.target().equals(kind.key()) && !r.isWarmup()).toList();
        if (own.isEmpty() && dropped.get(loops).containsKey(kind))
        {
            return dropped.get(loops).get(kind);
        }
        return TargetSummary.of(scenario, kind.key(), own, true);
    }

    private synchronized void close()
    {
        for (final BenchServers servers : listeners.values())
        {
            servers.close();
        }
    }

    /**
     * @param failure a start failure: a sentence, then the listener's log.
     * @return the listener's own reason when its log names {@code listener.eventLoops}, else the failure's first line.
     */
    static String listenerReason(final String failure)
    {
        for (final String line : failure.lines().toList())
        {
            final int at = line.indexOf("listener.eventLoops");
            if (at >= 0)
            {
                return line.substring(at).trim();
            }
        }
        return failure.lines().findFirst().orElse(failure);
    }
}
