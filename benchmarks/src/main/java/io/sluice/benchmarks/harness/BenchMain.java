package io.sluice.benchmarks.harness;

import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bin/sluice bench}: starts the targets, measures them ({@link BenchRunner}), and writes
 * {@code benchmarks/results/<timestamp>/} with {@code results.json}, {@code report.md} and {@code charts/}. Progress
 * goes to standard error; standard output gets the report's location and headline table, or with {@code --json} only
 * the headline figures as one JSON object.
 * <p>
 * Exit status: 0 when every Sluice target and the bare server were measured (runs with errors are flagged in the
 * report, not failed; a target starved by other processes is reported, not failed); 1 when the harness could not
 * measure one of them (it did not start, answered wrongly, or completed no request on its own); 2 for a usage error
 * or a missing tool or build.
 */
public final class BenchMain
{
    /**
     * Exit status for a usage error, a missing tool or a missing build.
     */
    public static final int EXIT_USAGE = 2;

    /**
     * Exit status when a Sluice target or the bare server could not be measured.
     */
    public static final int EXIT_NOT_MEASURED = 1;

    private static final DateTimeFormatter DIR_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");
    private static final List<String> SEARCH_PATH_EXTRA = List.of("/usr/sbin", "/usr/local/sbin", "/sbin");

    private BenchMain()
    {
    }

    /**
     * @param args the arguments after {@code bench}; see {@link BenchOptions#USAGE}.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run the harness.
     *
     * @param args the arguments after {@code bench}.
     * @param out  where the results summary (or the JSON) goes.
     * @param err  where progress and errors go.
     * @return the exit status.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final BenchOptions options;
        try
        {
            options = BenchOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("sluice bench: " + ex.getMessage());
            err.print(BenchOptions.USAGE);
            return EXIT_USAGE;
        }
        if (options.help())
        {
            out.print(BenchOptions.USAGE);
            return 0;
        }
        try
        {
            if (null != options.reportOnly())
            {
                final Path report = new BenchReport(BenchResults.read(options.reportOnly().resolve("results.json")))
                    .write(options.reportOnly());
                out.println("report: " + report);
                return 0;
            }
            return measure(options, out, err);
        }
        catch (final IOException ex)
        {
            err.println("sluice bench: " + ex.getMessage());
            return EXIT_NOT_MEASURED;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("sluice bench: interrupted");
            return EXIT_NOT_MEASURED;
        }
    }

    /**
     * What a run found out before starting anything: tools, pinning, where results go, the machine.
     */
    private record Setup(
        ProcFs procFs,
        String wrkBinary,
        Optional<String> nginxBinary,
        List<String> serverPin,
        List<String> clientPin,
        int serverCpu,
        boolean pin,
        int wrkThreads,
        LocalDateTime started,
        Path dir,
        List<String> jvmFlags,
        Machine machine,
        List<Double> loadStart,
        long clockTicks,
        List<String> warnings)
    {
    }

    /**
     * What the servers and the runner leave behind once stopped.
     */
    private record Measurement(
        BenchServers servers, BenchRunner runner, BenchResults.IdleCpu idle, List<Double> loadEnd)
    {
    }

    private static int measure(final BenchOptions options, final PrintStream out, final PrintStream err)
        throws IOException, InterruptedException
    {
        final Optional<String> wrkBinary = executable("wrk");
        if (wrkBinary.isEmpty())
        {
            err.println("sluice bench: wrk is needed: apt-get install -y wrk (bin/sluice bench installs it when run " +
                "as root)");
            return EXIT_USAGE;
        }
        final Path listenerJar = options.home().resolve("listener").resolve("target").resolve("sluice.jar");
        if (!Files.isRegularFile(listenerJar))
        {
            err.println("sluice bench: " + listenerJar + " is missing: build first (bin/sluice build)");
            return EXIT_USAGE;
        }

        final int missingCpu = options.layout().missingCpu(Machine.onlineCpus());
        if (options.pin() && missingCpu >= 0)
        {
            err.println("sluice bench: this machine has no CPU " + missingCpu + " (CPUs 0-" +
                (Machine.onlineCpus() - 1) + " are online): see --server-cpus and --load-cpus");
            return EXIT_USAGE;
        }

        final Progress progress = new Progress(err, "sluice bench");
        final Setup setup = setup(options, wrkBinary.get());
        final BenchPlan plan = options.plan();
        final ScalingPlan scalingPlan = ScalingRun.hasTargets(options.targets()) ? options.scalingPlan() : null;
        progress.estimate((options.measuresScenarios() ? plan.estimateSeconds(options.targets()) : 0) +
            (null != scalingPlan ? scalingPlan.estimateSeconds(options.targets().size()) : 0));
        progress.step((options.measuresScenarios() ? plan.describe() : "scaling only") + "; results in " +
            setup.dir());
        progress.step(String.format(Locale.ROOT, "machine: %s; load average %s; %s", setup.machine().oneLine(),
            setup.loadStart(), setup.pin() ? "servers on CPU " + options.layout().serverList() + ", wrk on CPU " +
            options.layout().loadList() : "not pinned"));

        final Measurement measurement = options.measuresScenarios() ? run(options, setup, progress) : null;
        final Map<String, Map<TargetKind, TargetSummary>> summaries = null != measurement ?
            summarise(plan, options, measurement.servers(), measurement.runner()) : new LinkedHashMap<>();
        final ScalingResults scaling = null != scalingPlan ? scale(options, setup, scalingPlan, progress) : null;
        final BenchResults results = results(options, setup, measurement, summaries, scaling,
            progress.elapsedSeconds());

        progress.step("writing results.json, report.md and charts");
        results.write(setup.dir().resolve("results.json"));
        final Path report = new BenchReport(results).write(setup.dir());
        linkLatest(setup.dir());

        if (options.json())
        {
            out.println(BenchResults.mapper().writer().without(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(results.headline()));
        }
        else
        {
            out.println("report: " + report);
            out.println();
            if (null != measurement)
            {
                out.print(BenchReport.scenarioTable(summaries.getOrDefault(Scenario.HELLO_C64.name(), Map.of())));
            }
            if (null != scaling)
            {
                out.println();
                out.print(BenchReport.scalingSection(scaling));
            }
            out.println();
            out.print(BenchReport.goalsSection(results.goals()));
        }
        progress.step("done in " + Progress.clock(progress.elapsedSeconds()) + "; report: " + report);
        final boolean measured = null == measurement || measuredAll(options, measurement.servers(), summaries);
        return measured && (null == scaling || scaledAll(scaling)) ? 0 : EXIT_NOT_MEASURED;
    }

    private static ScalingResults scale(
        final BenchOptions options, final Setup setup, final ScalingPlan scalingPlan, final Progress progress)
        throws IOException, InterruptedException
    {
        final Wrk wrk = new Wrk(setup.wrkBinary(), setup.clientPin(), setup.wrkThreads(),
            setup.dir().resolve("scripts"));
        final ScalingRun scalingRun = new ScalingRun(scalingPlan, options.home(), options.config(), setup.dir(),
            setup.procFs(), setup.serverPin(), setup.jvmFlags(), wrk, setup.clockTicks(), setup.serverCpu(),
            progress);
        final ScalingResults scaling = scalingRun.run(options.targets(),
            setup.pin() ? options.layout().serverList() : "any", setup.pin() ? options.layout().loadList() : "any");
        setup.warnings().addAll(scalingRun.warnings());
        return scaling;
    }

    /**
     * @return true unless a target failed at some loop count (one not available there is skipped, not failed).
     */
    private static boolean scaledAll(final ScalingResults scaling)
    {
        return scaling.rows().stream().noneMatch((row) -> TargetSummary.FAILED.equals(row.summary().status()));
    }

    private static Setup setup(final BenchOptions options, final String wrkBinary) throws IOException
    {
        final ProcFs procFs = new ProcFs(ProcFs.PROC);
        final List<String> warnings = new ArrayList<>();
        final Optional<String> taskset = executable("taskset");
        final int onlineCpus = Machine.onlineCpus();
        final CpuLayout layout = options.layout();
        final boolean pin = options.pin() && taskset.isPresent() && onlineCpus >= 2;
        if (options.pin() && !pin)
        {
            warnings.add("not pinned: " + (taskset.isEmpty() ? "taskset is missing (apt-get install util-linux)" :
                "fewer than 2 CPUs online") + "; server and wrk share the CPUs");
        }
        if (pin && layout.overlaps())
        {
            warnings.add("servers (CPU " + layout.serverList() + ") and wrk (CPU " + layout.loadList() + ") share a " +
                "CPU: requests/s and CPU per request include their contention");
        }
        final boolean nginxWanted = options.targets().stream().anyMatch(TargetKind::isNginx);
        final Optional<String> nginxBinary = nginxWanted ? executable("nginx") : Optional.empty();

        final LocalDateTime started = LocalDateTime.now();
        final Path dir = options.outDir(DIR_TIME.format(started)).toAbsolutePath();
        Files.createDirectories(dir.resolve("scripts"));
        final List<String> jvmFlags = serverJvmFlags();
        final Map<String, String> tools = new LinkedHashMap<>();
        tools.put("wrk", firstLine(Machine.run(List.of(wrkBinary, "-v"))).replaceAll(" Copyright.*", ""));
        tools.put("nginx", nginxBinary.map((n) -> firstLine(Machine.run(List.of(n, "-v"))))
            .orElse(nginxWanted ? "not installed" : "left out (--no-nginx)"));
        if (options.plan().scenarios().stream().anyMatch((s) -> Protocol.Tool.S_TIME == s.protocol().tool()))
        {
            tools.put("openssl (s_time)", executable("openssl")
                .map((o) -> firstLine(Machine.run(List.of(o, "version")))).orElse("not installed"));
        }
        if (options.plan().scenarios().stream().anyMatch((s) -> Protocol.Tool.H2LOAD == s.protocol().tool()))
        {
            tools.put("h2load", executable("h2load")
                .map((h) -> firstLine(Machine.run(List.of(h, "--version")))).orElse("not installed"));
        }
        return new Setup(
            procFs,
            wrkBinary,
            nginxBinary,
            pin ? List.of(taskset.get(), "-c", layout.serverList()) : List.of(),
            pin ? List.of(taskset.get(), "-c", layout.loadList()) : List.of(),
            pin && 1 == layout.serverCpus().size() ? layout.serverCpus().get(0) : -1,
            pin,
            pin ? layout.loadCpus().size() : Math.max(1, onlineCpus / 2),
            started,
            dir,
            jvmFlags,
            Machine.describe(javaBinary(), jvmFlags, tools),
            procFs.loadAverage(),
            clockTicksPerSecond(),
            warnings);
    }

    private static Measurement run(final BenchOptions options, final Setup setup, final Progress progress)
        throws IOException, InterruptedException
    {
        final BenchServers servers = new BenchServers(options.home(), setup.dir(), setup.procFs(), setup.serverPin(),
            setup.jvmFlags(), options.eventLoops(), false, "");
        final Thread cleanup = new Thread(servers::close, "sluice-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            progress.step("starting " + targetList(options) + " (server side " +
                (setup.pin() ? "on CPU " + options.layout().serverList() : "unpinned") + ")");
            final Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
            options.plan().scenarios().forEach((s) -> protocols.add(s.protocol()));
            servers.start(options.targets(), options.config(), setup.nginxBinary(), protocols);
            if (null != servers.tlsFailure())
            {
                setup.warnings().add("TLS scenarios not measured: " + servers.tlsFailure());
            }
            for (final Map.Entry<TargetKind, String> failure : servers.failures().entrySet())
            {
                setup.warnings().add("target " + failure.getKey().key() + " not measured: " + failure.getValue());
                progress.step(failure.getKey().key() + ": not started: " + firstLine(List.of(failure.getValue())));
            }
            progress.step("started: " + servers.processNames());

            final Wrk wrk = new Wrk(setup.wrkBinary(), setup.clientPin(), setup.wrkThreads(),
                setup.dir().resolve("scripts"));
            final STime sTime = executable("openssl").map((o) -> new STime(o, setup.clientPin(),
                setup.dir().resolve("scripts"))).orElse(null);
            final H2Load h2load = executable("h2load").map((h) -> new H2Load(h, setup.clientPin(),
                setup.wrkThreads(), setup.dir().resolve("scripts"))).orElse(null);
            final WsEcho wsEcho = new WsEcho(setup.clientPin(), setup.dir().resolve("scripts"));
            final BenchRunner runner = new BenchRunner(options.plan(), servers.targets(),
                new LoadGenerators(wrk, sTime, h2load, wsEcho), servers.tlsClient(), setup.procFs(), setup.clockTicks(),
                progress, setup.serverCpu());
            runner.runAll();
            BenchResults.IdleCpu idle = null;
            if (0 != servers.listenerPid() && servers.targets().keySet().stream().anyMatch(TargetKind::isSluice))
            {
                idle = runner.measureIdle(servers.listenerPid(), servers.processNames());
            }
            final List<Double> loadEnd = setup.procFs().loadAverage();
            progress.step("stopping servers");
            setup.warnings().addAll(runner.warnings());
            return new Measurement(servers, runner, idle, loadEnd);
        }
        finally
        {
            servers.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static BenchResults results(
        final BenchOptions options,
        final Setup setup,
        final Measurement measurement,
        final Map<String, Map<TargetKind, TargetSummary>> summaries,
        final ScalingResults scaling,
        final double elapsedSeconds)
    {
        final BenchPlan plan = options.plan();
        final Map<String, List<Ratio>> ratios = new LinkedHashMap<>();
        final List<TargetSummary> allSummaries = new ArrayList<>();
        for (final Map.Entry<String, Map<TargetKind, TargetSummary>> entry : summaries.entrySet())
        {
            ratios.put(entry.getKey(), Ratio.of(entry.getValue()));
            allSummaries.addAll(entry.getValue().values());
        }
        final List<BenchResults.TargetInfo> targetInfos = new ArrayList<>();
        for (final TargetKind kind : options.targets())
        {
            final Target target = null != measurement ? measurement.servers().targets().get(kind) : null;
            targetInfos.add(new BenchResults.TargetInfo(kind.key(), kind.label(), kind.serverSide(),
                null != target ? "http://" + target.host() + ":" + target.port() + kind.pathPrefix() +
                (target.tlsPort() > 0 ? " https://" + target.host() + ":" + target.tlsPort() + kind.pathPrefix() :
                "") : null,
                null != measurement ? measurement.servers().failures().get(kind) : null));
        }
        final BenchResults.IdleCpu idle = null != measurement ? measurement.idle() : null;
        return new BenchResults(
            BenchResults.SCHEMA,
            setup.started().withNano(0).toString().replace('T', ' '),
            elapsedSeconds,
            new BenchResults.Settings(plan.profile().label(),
                null != measurement ? plan.describe() : "scaling only", plan.timeLimitSeconds(), setup.pin(),
                setup.pin() ? options.layout().serverList() : "any", setup.pin() ? options.layout().loadList() : "any",
                setup.wrkThreads(), setup.clockTicks(), "listener.yaml"),
            setup.machine(),
            setup.loadStart(),
            null != measurement ? measurement.loadEnd() : setup.procFs().loadAverage(),
            targetInfos,
            null != measurement ? plan.scenarios() : List.of(),
            null != measurement ? measurement.runner().runs() : List.of(),
            allSummaries,
            ratios,
            idle,
            BenchResults.Headline.of(summaries.getOrDefault(Scenario.HELLO_C64.name(), Map.of()), idle, setup.dir()),
            setup.warnings(),
            scaling);
    }

    private static Map<String, Map<TargetKind, TargetSummary>> summarise(
        final BenchPlan plan, final BenchOptions options, final BenchServers servers, final BenchRunner runner)
    {
        final Map<String, Map<TargetKind, TargetSummary>> summaries = new LinkedHashMap<>();
        for (final Scenario scenario : plan.scenarios())
        {
            final Map<TargetKind, TargetSummary> byTarget = new EnumMap<>(TargetKind.class);
            final Map<TargetKind, TargetSummary> notMeasured = runner.notMeasured().getOrDefault(scenario.name(),
                Map.of());
            for (final TargetKind kind : options.targets())
            {
                if (notMeasured.containsKey(kind))
                {
                    byTarget.put(kind, notMeasured.get(kind));
                }
                else if (servers.failures().containsKey(kind))
                {
                    final boolean optional = kind.isNginx();
                    byTarget.put(kind, TargetSummary.notMeasured(scenario.name(), kind.key(),
                        optional ? TargetSummary.SKIPPED : TargetSummary.FAILED,
                        "not started: " + servers.failures().get(kind)));
                }
                else
                {
                    final List<RunRecord> runs = runner.runs().stream()
                        .filter((r) -> r.scenario().equals(scenario.name()) && r.target().equals(kind.key()))
                        .toList();
                    byTarget.put(kind, runs.isEmpty() ?
                        TargetSummary.notMeasured(scenario.name(), kind.key(), TargetSummary.SKIPPED, "not run") :
                        TargetSummary.of(scenario.name(), kind.key(), runs, scenario.hasLatency()));
                }
            }
            summaries.put(scenario.name(), byTarget);
        }
        return summaries;
    }

    private static boolean measuredAll(
        final BenchOptions options,
        final BenchServers servers,
        final Map<String, Map<TargetKind, TargetSummary>> summaries)
    {
        for (final Map<TargetKind, TargetSummary> byTarget : summaries.values())
        {
            for (final TargetSummary summary : byTarget.values())
            {
                if (TargetSummary.FAILED.equals(summary.status()))
                {
                    return false;
                }
            }
        }
        for (final TargetKind kind : options.targets())
        {
            if (!kind.isNginx() && servers.failures().containsKey(kind))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return flags for the servers' JVMs: what every Sluice JVM needs on this JDK (as {@code bin/sluice run} gives
     * them), Netty's leak detector off (the benchmarks' rule), then {@code JAVA_OPTS}.
     */
    static List<String> serverJvmFlags()
    {
        final List<String> flags = new ArrayList<>(List.of(
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24)
        {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        flags.add("-Dio.netty.leakDetection.level=disabled");
        final String javaOpts = System.getenv("JAVA_OPTS");
        if (null != javaOpts && !javaOpts.isBlank())
        {
            flags.addAll(List.of(javaOpts.trim().split("\\s+")));
        }
        return flags;
    }

    /**
     * @param name a program name.
     * @return its path on {@code PATH} (or in an sbin directory), if any.
     */
    static Optional<String> executable(final String name)
    {
        final List<String> dirs = new ArrayList<>();
        final String path = System.getenv("PATH");
        if (null != path)
        {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(SEARCH_PATH_EXTRA);
        for (final String dir : dirs)
        {
            if (!dir.isEmpty())
            {
                final Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                {
                    return Optional.of(candidate.toString());
                }
            }
        }
        return Optional.empty();
    }

    private static long clockTicksPerSecond()
    {
        try
        {
            return Long.parseLong(firstLine(Machine.run(List.of("getconf", "CLK_TCK"))).trim());
        }
        catch (final NumberFormatException ex)
        {
            return 100;
        }
    }

    private static void linkLatest(final Path dir)
    {
        final Path latest = dir.getParent().resolve("latest");
        try
        {
            if (Files.isSymbolicLink(latest) || !Files.exists(latest))
            {
                Files.deleteIfExists(latest);
                Files.createSymbolicLink(latest, dir.getFileName());
            }
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            System.err.println("sluice bench: cannot link " + latest + ": " + ex.getMessage());
        }
    }

    private static String targetList(final BenchOptions options)
    {
        final List<String> parts = new ArrayList<>();
        if (options.targets().stream().anyMatch((k) -> k.isSluice() || k == TargetKind.NGINX))
        {
            parts.add("listener + workers");
        }
        if (options.targets().contains(TargetKind.BARE))
        {
            parts.add("bare server");
        }
        if (options.targets().stream().anyMatch(TargetKind::isNginx))
        {
            parts.add("nginx");
        }
        return String.join(", ", parts);
    }

    private static String javaBinary()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String firstLine(final List<String> lines)
    {
        return lines.isEmpty() ? "" : lines.get(0);
    }
}
