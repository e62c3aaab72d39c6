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
        usage: bin/sluice bench [--quick | --smoke] [--json] [options]

        Measures the listener's /inproc/, /shm/ and /loopback/ paths, a bare Netty epoll hello server and (when nginx
        is installed) nginx proxy_pass to the same loopback worker, alternating targets round by round. Server-side
        processes run on CPU 0, wrk on CPU 1. Writes benchmarks/results/<timestamp>/ (results.json, report.md,
        charts/); progress goes to standard error.

          --quick            about 90 s: the headline 2 s x 2 rounds, the other scenarios 1 s once
          --smoke            CI: hello-c64 and echo-4k, 1 s once, no warm-up; under 60 s; figures mean nothing
          --json             print only the headline figures (hello GET, 64 connections) as one JSON object
          --duration S       length of every run, whole seconds
          --rounds N         rounds per scenario
          --time-limit S     time budget; scenarios that would overrun it are skipped and reported
          --scenarios A,B    only these scenarios (%s)
          --targets A,B      only these targets (inproc, shm, loopback, bare, nginx)
          --no-nginx         leave nginx out even when installed
          --no-pin           do not pin servers to CPU 0 and wrk to CPU 1
          --config FILE      listener configuration to start from (default native-config/sluice.yaml); its
                             prefixes are moved to a free port, admin off, its own shared-memory directory
          --out DIR          write the results here instead of benchmarks/results/<timestamp>
          --report DIR       measure nothing: render DIR/report.md and DIR/charts again from DIR/results.json

        JAVA_HOME selects the JDK of the listener, its workers and the bare server; JAVA_OPTS adds options to them.
        """.formatted(Scenario.names());

    private BenchPlan plan = new BenchPlan(BenchPlan.Profile.FULL);
    private boolean json;
    private boolean pin = true;
    private boolean help;
    private final Set<TargetKind> targets = EnumSet.allOf(TargetKind.class);
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
                case "--no-nginx" -> options.targets.remove(TargetKind.NGINX);
                case "-h", "--help" -> options.help = true;
                case "--duration" -> options.plan.durationSeconds(intValue(arg, value(args, ++i, arg)));
                case "--rounds" -> options.plan.rounds(intValue(arg, value(args, ++i, arg)));
                case "--time-limit" -> options.plan.timeLimitSeconds(intValue(arg, value(args, ++i, arg)));
                case "--scenarios" -> options.plan.scenarios(scenarios(value(args, ++i, arg)));
                case "--targets" -> options.targets(value(args, ++i, arg));
                case "--config" -> options.config = Path.of(value(args, ++i, arg));
                case "--out" -> options.outDir = Path.of(value(args, ++i, arg));
                case "--report" -> options.reportOnly = Path.of(value(args, ++i, arg));
                case "--home" -> options.home = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        return options;
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
