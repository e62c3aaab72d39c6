package io.sluice.benchmarks.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of {@code bin/sluice bench}, parsed.
 */
final class BenchOptions
{
    /**
     * What {@code --help} prints.
     */
    static final String USAGE = """
        usage: bin/sluice bench [--quick | --smoke | --scaling] [--json] [options]

        Measures the listener's /inproc/, /shm/ and /loopback/ paths, a bare Netty epoll hello server and (when nginx
        is installed) nginx proxy_pass to the same loopback worker, alternating targets round by round. Server-side
        processes run on CPU 0, wrk on CPU 1 (--server-cpus, --load-cpus). Then the scaling scenario: hello-c64 on one
        listener per event loop count, 1, 2, 4 ... up to the serving CPUs (at least 1 and 2: with one serving CPU, two
        loops share it and show what a loop costs), in alternating rounds. Writes benchmarks/results/<timestamp>/
        (results.json, report.md, charts/); progress goes to standard error.

          --quick            about 90 s: the headline 2 s x 2 rounds, the other cleartext HTTP/1.1 scenarios 1 s
                             once; no TLS or HTTP/2 scenarios (--scenarios names them), no scaling
          --smoke            CI: hello-c64, echo-4k, https-c64 and tls-handshake, 1 s once, no warm-up; under
                             60 s; figures mean nothing
          --json             print only the headline figures (hello GET, 64 connections) as one JSON object
          --duration S       length of every run, whole seconds
          --rounds N         rounds per scenario
          --warmup S         seconds of unrecorded load per target before every scenario (default 1 to 3 s; the
                             listener's h2 path takes its JIT about 15 s to compile)
          --jit-settle S     extend each warm-up in 2 s steps, by at most S s, while the target's JIT compiler
                             threads use 10 %% of a core or more (default 12 s; 0 with --quick and --smoke)
          --time-limit S     time budget; scenarios that would overrun it are skipped and reported
          --scenarios A,B    only these scenarios, and no scaling (%s)
          --targets A,B      only these targets (inproc, shm, loopback, bare, nginx, nginx-return; logged,
                             the in-process hello with the access log on, only when named)
          --no-nginx         leave nginx (both targets) out even when installed
          --no-pin           do not pin servers to CPU 0 and wrk to CPU 1
          --server-cpus L    CPUs of the server side (listener, workers, bare, nginx), e.g. 0 or 0-3 (default 0)
          --load-cpus L      CPUs of wrk, one wrk thread each, and of the harness (default 1)
          --event-loops N    the listener's listener.eventLoops for the scenarios (default: as the config says)
          --scaling          measure only the scaling scenario (in-process, shared memory, loopback)
          --no-scaling       leave the scaling scenario out
          --scaling-loops A,B  the scaling scenario's event loop counts (default 1, 2, 4 ... up to the serving CPUs)
          --config FILE      listener configuration to start from (default native-config/sluice.yaml); its
                             prefixes are moved to a free port, admin off, its own shared-memory directory
          --out DIR          write the results here instead of benchmarks/results/<timestamp>
          --report DIR       measure nothing: render DIR/report.md and DIR/charts again from DIR/results.json

        JAVA_HOME selects the JDK of the listener, its workers and the bare server; JAVA_OPTS adds options to them.
        """.formatted(Scenario.names());

    private static final int SCALING_SECONDS = 2;
    private static final int SCALING_ROUNDS = 3;

    private BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL);
    private boolean json;
    private boolean pin = true;
    private CpuLayout layout = CpuLayout.DEFAULT;
    private Integer eventLoops;
    private Scaling scaling = Scaling.BY_PROFILE;
    private List<Integer> scalingLoops;
    private boolean durationSet;
    private boolean roundsSet;
    private boolean scenariosSet;
    private boolean help;
    private final Set<TargetKind> targets = EnumSet.complementOf(EnumSet.of(TargetKind.LOGGED));
    private Path home = Path.of(System.getProperty("sluice.home", "."));
    private Path config;
    private Path outDir;
    private Path reportOnly;

    /**
     * @param args the arguments after {@code bench}.
     * @return the options.
     * @throws IllegalArgumentException on an unknown option or a bad value, with a message naming it.
     */
    static BenchOptions parse(final String... args)
    {
        final BenchOptions options = new BenchOptions();
        BenchPlan.Profile profile = BenchPlan.Profile.FULL;
        for (final String arg : args)
        {
            if ("--quick".equals(arg))
            {
                profile = BenchPlan.Profile.QUICK;
            }
            else if ("--smoke".equals(arg))
            {
                profile = BenchPlan.Profile.SMOKE;
            }
        }
        options.plan = new BenchPlan(profile);

        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--quick", "--smoke" ->
                {
                }
                case "--json" -> options.json = true;
                case "--no-pin" -> options.pin = false;
                case "--no-nginx" -> options.targets.removeIf(TargetKind::isNginx);
                case "-h", "--help" -> options.help = true;
                case "--duration" ->
                {
                    options.plan.durationSeconds(intValue(arg, value(args, ++i, arg)));
                    options.durationSet = true;
                }
                case "--rounds" ->
                {
                    options.plan.rounds(intValue(arg, value(args, ++i, arg)));
                    options.roundsSet = true;
                }
                case "--server-cpus" -> options.layout = new CpuLayout(
                    CpuLayout.parseList(value(args, ++i, arg)), options.layout.loadCpus());
                case "--load-cpus" -> options.layout = new CpuLayout(
                    options.layout.serverCpus(), CpuLayout.parseList(value(args, ++i, arg)));
                case "--event-loops" -> options.eventLoops = eventLoops(arg, value(args, ++i, arg));
                case "--scaling" -> options.scaling = Scaling.ONLY;
                case "--no-scaling" -> options.scaling = Scaling.OFF;
                case "--scaling-loops" -> options.scalingLoops = ScalingPlan.parseLoopCounts(value(args, ++i, arg));
                case "--warmup" -> options.plan.warmupSeconds(intValue(arg, value(args, ++i, arg)));
                case "--jit-settle" -> options.plan.jitSettleSeconds(intValue(arg, value(args, ++i, arg)));
                case "--time-limit" -> options.plan.timeLimitSeconds(intValue(arg, value(args, ++i, arg)));
                case "--scenarios" ->
                {
                    options.plan.scenarios(scenarios(value(args, ++i, arg)));
                    options.scenariosSet = true;
                }
                case "--targets" -> options.targets(value(args, ++i, arg));
                case "--config" -> options.config = Path.of(value(args, ++i, arg));
                case "--out" -> options.outDir = Path.of(value(args, ++i, arg));
                case "--report" -> options.reportOnly = Path.of(value(args, ++i, arg));
                case "--home" -> options.home = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        if (Scaling.ONLY == options.scaling && BenchPlan.Profile.FULL != profile)
        {
            throw new IllegalArgumentException("--scaling measures only the scaling scenario: not with --quick or " +
                "--smoke (--duration and --rounds shorten it)");
        }
        if (null != options.scalingLoops)
        {
            options.scalingPlan(); // checks the counts
        }
        return options;
    }

    /**
     * Whether a run measures the scaling scenario.
     */
    enum Scaling
    {
        /**
         * As the profile says: the default profile measures it after the other scenarios unless they are chosen
         * ({@code --scenarios}); quick and smoke do not.
         */
        BY_PROFILE,

        /**
         * {@code --scaling}: only the scaling scenario.
         */
        ONLY,

        /**
         * {@code --no-scaling}: not at all.
         */
        OFF
    }

    /**
     * @return the CPUs of the server side and of the load generator.
     */
    CpuLayout layout()
    {
        return layout;
    }

    /**
     * @return the event loops the listener runs for the scenarios, or null to keep the configuration's.
     */
    Integer eventLoops()
    {
        return eventLoops;
    }

    /**
     * @return true when the other scenarios run (not {@code --scaling}).
     */
    boolean measuresScenarios()
    {
        return Scaling.ONLY != scaling;
    }

    /**
     * @return the scaling scenario's plan, or null when it does not run: the loop counts asked for, else 1, 2, 4 ...
     * up to the serving CPUs; runs of {@code --duration} and {@code --rounds} when given, else 2 s × 3 rounds.
     */
    ScalingPlan scalingPlan()
    {
        final boolean runs = Scaling.ONLY == scaling ||
            (Scaling.BY_PROFILE == scaling && BenchPlan.Profile.FULL == plan.profile() && !scenariosSet);
        if (!runs)
        {
            return null;
        }
        final List<Integer> counts = null != scalingLoops ? scalingLoops :
            ScalingPlan.defaultLoopCounts(layout.serverCpus().size());
        return new ScalingPlan(counts,
            durationSet ? plan.seconds(Scenario.HELLO_C64) : SCALING_SECONDS,
            roundsSet ? plan.rounds(Scenario.HELLO_C64) : SCALING_ROUNDS);
    }

    /**
     * @return the plan: scenarios, run lengths, rounds, warm-ups, time budget.
     */
    BenchPlan plan()
    {
        return plan;
    }

    /**
     * @return true when only the headline JSON goes to standard output.
     */
    boolean json()
    {
        return json;
    }

    /**
     * @return true when servers run on CPU 0 and wrk on CPU 1.
     */
    boolean pin()
    {
        return pin;
    }

    /**
     * @return true when the usage was asked for.
     */
    boolean help()
    {
        return help;
    }

    /**
     * @return the targets asked for (nginx may still be missing from the machine).
     */
    Set<TargetKind> targets()
    {
        return targets;
    }

    /**
     * @return a results directory to render again without measuring, or null to measure.
     */
    Path reportOnly()
    {
        return reportOnly;
    }

    /**
     * @return the repository root: where {@code listener/target/sluice.jar} and the default configuration are.
     */
    Path home()
    {
        return home;
    }

    /**
     * @return the listener configuration to start from.
     */
    Path config()
    {
        return null != config ? config : home.resolve("native-config").resolve("sluice.yaml");
    }

    /**
     * @param timestamp the run's start, formatted for a directory name.
     * @return where the results go.
     */
    Path outDir(final String timestamp)
    {
        return null != outDir ? outDir : home.resolve("benchmarks").resolve("results").resolve(timestamp);
    }

    private void targets(final String list)
    {
        final List<TargetKind> wanted = new ArrayList<>();
        for (final String key : list.split(","))
        {
            if (!key.isBlank())
            {
                wanted.add(TargetKind.of(key));
            }
        }
        if (wanted.isEmpty())
        {
            throw new IllegalArgumentException("--targets names no target: " + list);
        }
        targets.retainAll(wanted);
        if (wanted.contains(TargetKind.LOGGED))
        {
            // not measured by default: only when named
            targets.add(TargetKind.LOGGED);
        }
    }

    private static List<Scenario> scenarios(final String list)
    {
        final List<Scenario> wanted = new ArrayList<>();
        for (final Scenario scenario : Scenario.ALL)
        {
            for (final String name : list.split(","))
            {
                if (!name.isBlank() && Scenario.named(name).equals(scenario))
                {
                    wanted.add(scenario);
                }
            }
        }
        return wanted;
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int eventLoops(final String option, final String value)
    {
        final int loops = intValue(option, value);
        if (loops < 1 || loops > ScalingPlan.LOOPS_MAX)
        {
            throw new IllegalArgumentException(option + " out of range: " + loops + ", limit=1.." +
                ScalingPlan.LOOPS_MAX);
        }
        return loops;
    }

    private static int intValue(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " needs a whole number: " + value, ex);
        }
    }
}
