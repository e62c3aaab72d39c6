package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/sluice jmh [filter …] [--quick | --smoke] [-- JMH options]}: runs the JMH benchmarks from
 * {@code benchmarks/target/sluice-benchmarks.jar} with JSON results, then renders {@code jmh-report.md} and charts
 * ({@link JmhReport}) in {@code benchmarks/results/jmh-<timestamp>/}. {@code --from FILE} renders an existing JSON
 * result file instead of running anything.
 * <p>
 * Exit status: JMH's when it fails (with {@code --smoke}, a benchmark that throws fails the run), 2 for a usage error
 * or a missing jar, else 0.
 */
public final class JmhMain
{
    /**
     * JMH settings of {@code --quick}: one fork, 2 warm-up and 3 measurement iterations of 1 s.
     */
    static final List<String> QUICK_SETTINGS = List.of("-f", "1", "-wi", "2", "-i", "3", "-w", "1s", "-r", "1s");

    /**
     * JMH settings of {@code --smoke}: one fork, minimal iterations, and a benchmark that throws fails the run.
     */
    static final List<String> SMOKE_SETTINGS =
        List.of("-f", "1", "-wi", "1", "-w", "200ms", "-i", "2", "-r", "200ms", "-foe", "true");

    /**
     * Benchmarks of {@code --smoke} when no filter is given: two steps and their baselines, the cheap parameters.
     */
    static final List<String> SMOKE_FILTERS = List.of(
        "MessageCodecBenchmark\\.(encode|baselineCopy)$",
        "PrefixRouterLookupBenchmark\\.(routeMatching|baselineHashMap)$",
        "-p", "prefixCount=10");

    private static final String USAGE = """
        usage: bin/sluice jmh [filter ...] [--quick | --smoke] [--out DIR] [--from FILE] [-- JMH options ...]

        Runs the JMH benchmarks (a filter is a regular expression over class.method; none: all of them) and writes
        benchmarks/results/jmh-<timestamp>/: jmh.json (JMH's results), jmh-report.md, charts/.

          --quick       1 fork, 2 warm-up and 3 measurement iterations of 1 s
          --smoke       CI: two benchmarks and their baselines at minimal settings; a benchmark that throws fails
          --out DIR     write here instead
          --from FILE   render this JMH JSON result file; run nothing
          -- ...        pass the rest to JMH (e.g. -- -prof gc -p payloadLength=64)
        """;

    private static final DateTimeFormatter DIR_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");

    private JmhMain()
    {
    }

    /**
     * @param args the arguments after {@code jmh}.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * @param args the arguments after {@code jmh}.
     * @param out  where JMH's output and the report's location go.
     * @param err  where progress and errors go.
     * @return the exit status.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("sluice jmh: " + ex.getMessage());
            err.print(USAGE);
            return BenchMain.EXIT_USAGE;
        }
        if (options.help())
        {
            out.print(USAGE);
            return 0;
        }
        try
        {
            return execute(options, String.join(" ", args), out, err);
        }
        catch (final IOException ex)
        {
            err.println("sluice jmh: " + ex.getMessage());
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("sluice jmh: interrupted");
            return 1;
        }
    }

    /**
     * The command line of {@code bin/sluice jmh}, parsed.
     *
     * @param filters benchmark filters.
     * @param extra   options passed through to JMH.
     * @param profile {@code quick}, {@code smoke} or empty.
     * @param outDir  where to write, null for the default.
     * @param from    a JSON result file to render instead of running JMH, or null.
     * @param home    the repository root.
     * @param help    true when the usage was asked for.
     */
    record Options(
        List<String> filters, List<String> extra, String profile, Path outDir, Path from, Path home, boolean help)
    {
        /**
         * @param args the arguments after {@code jmh}.
         * @return the options.
         * @throws IllegalArgumentException on an unknown option or a missing value.
         */
        static Options parse(final String... args)
        {
            final List<String> filters = new ArrayList<>();
            final List<String> extra = new ArrayList<>();
            String profile = "";
            Path outDir = null;
            Path from = null;
            Path home = Path.of(System.getProperty("sluice.home", "."));
            boolean help = false;
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--quick" -> profile = "quick";
                    case "--smoke" -> profile = "smoke";
                    case "--out" -> outDir = Path.of(value(args, ++i));
                    case "--from" -> from = Path.of(value(args, ++i));
                    case "--home" -> home = Path.of(value(args, ++i));
                    case "-h", "--help" -> help = true;
                    case "--" ->
                    {
                        extra.addAll(List.of(args).subList(i + 1, args.length));
                        i = args.length;
                    }
                    default ->
                    {
                        if (args[i].startsWith("--"))
                        {
                            throw new IllegalArgumentException("unknown argument: " + args[i]);
                        }
                        filters.add(args[i]);
                    }
                }
            }
            return new Options(filters, extra, profile, outDir, from, home, help);
        }
    }

    private static int execute(final Options options, final String argsText, final PrintStream out,
        final PrintStream err) throws IOException, InterruptedException
    {
        final Progress progress = new Progress(err, "sluice jmh");
        final LocalDateTime started = LocalDateTime.now();
        final Path dir = (null != options.outDir() ? options.outDir() :
            options.home().resolve("benchmarks").resolve("results").resolve("jmh-" + DIR_TIME.format(started)))
            .toAbsolutePath();
        Files.createDirectories(dir);
        final Path json;
        String heading = started.withNano(0).toString().replace('T', ' ');
        if (null != options.from())
        {
            json = options.from();
            heading += " · rendered from `" + options.from() + "`";
        }
        else
        {
            json = dir.resolve("jmh.json");
            final Path jar = options.home().resolve("benchmarks").resolve("target").resolve("sluice-benchmarks.jar");
            if (!Files.isRegularFile(jar))
            {
                err.println("sluice jmh: " + jar + " is missing: build first (bin/sluice build)");
                return BenchMain.EXIT_USAGE;
            }
            final List<String> command = command(jar, options.filters(), options.profile(), options.extra(), json);
            progress.step("running JMH: " + String.join(" ", command.subList(1, command.size())));
            final int status = runTeed(command, out, dir.resolve("jmh.log"));
            if (status != 0 || !Files.isRegularFile(json))
            {
                err.println("sluice jmh: JMH exited " + status + (Files.isRegularFile(json) ? "" :
                    " without results") + "; its output is in " + dir.resolve("jmh.log"));
                return 0 != status ? status : 1;
            }
            heading += " · `bin/sluice jmh " + argsText + "`";
        }
        progress.step("rendering " + json);
        final List<JmhResult> results = JmhResult.read(json);
        final Machine machine = null == options.from() ?
            Machine.describe(Path.of(System.getProperty("java.home"), "bin", "java").toString(), List.of(), Map.of()) :
            null;
        final Path report = new JmhReport(results, machine, heading, options.profile()).write(dir);
        out.println("report: " + report);
        progress.step("done in " + Progress.clock(progress.elapsedSeconds()) + "; " + results.size() +
            " results; report: " + report);
        return 0;
    }

    /**
     * @param jar     the benchmarks jar.
     * @param filters the benchmark filters given.
     * @param profile {@code quick}, {@code smoke} or empty.
     * @param extra   options passed through to JMH.
     * @param json    where JMH writes its results.
     * @return the JMH command line.
     */
    static List<String> command(
        final Path jar, final List<String> filters, final String profile, final List<String> extra, final Path json)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24)
        {
            command.add("-Dsun.misc.unsafe.memory.access=allow");
        }
        command.add("-jar");
        command.add(jar.toString());
        if ("smoke".equals(profile) && filters.isEmpty())
        {
            command.addAll(SMOKE_FILTERS);
        }
        command.addAll(filters);
        if ("quick".equals(profile))
        {
            command.addAll(QUICK_SETTINGS);
        }
        else if ("smoke".equals(profile))
        {
            command.addAll(SMOKE_SETTINGS);
        }
        command.addAll(extra);
        command.addAll(List.of("-rf", "json", "-rff", json.toString()));
        return command;
    }

    private static int runTeed(final List<String> command, final PrintStream out, final Path log)
        throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream in = process.getInputStream(); OutputStream file = Files.newOutputStream(log))
        {
            final byte[] buffer = new byte[8192];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer))
            {
                out.write(buffer, 0, read);
                out.flush();
                file.write(buffer, 0, read);
            }
        }
        return process.waitFor();
    }

    private static String value(final String[] args, final int index)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }
}
