package io.sluice.benchmarks.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One {@code bin/sluice bench --smoke} run in the test's JVM ({@link BenchMain#run}) against the listener this reactor
 * built, and the checks the end-to-end bench tests make of its rows: a row is measured with requests and no error,
 * or skipped as starved when other work took the servers' CPU (which the harness detects and reports).
 *
 * @param status   the run's exit status.
 * @param progress what it wrote to standard error.
 * @param out      its output directory.
 */
record BenchSmokeRun(int status, String progress, Path out)
{
    /**
     * The repository root, the run's {@code --home}.
     */
    static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    /**
     * Skip the test when the listener has not been built.
     */
    static void assumeListenerBuilt()
    {
        assumeTrue(Files.isRegularFile(HOME.resolve("listener/target/sluice.jar")), "the listener is not built");
    }

    /**
     * Run {@code bin/sluice bench --smoke <args> --home <root> --out <out>}.
     *
     * @param out  the output directory.
     * @param args the run's other arguments: scenarios, duration, targets.
     * @return its status and progress.
     */
    static BenchSmokeRun run(final Path out, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add("--smoke");
        command.addAll(List.of(args));
        command.addAll(List.of("--home", HOME.toString(), "--out", out.toString()));
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final int status = BenchMain.run(
            command.toArray(new String[0]),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new BenchSmokeRun(status, stderr.toString(StandardCharsets.UTF_8), out);
    }

    /**
     * @return the run's results, once it has exited 0.
     * @throws IOException when they cannot be read.
     */
    BenchResults results() throws IOException
    {
        assertEquals(0, status, progress);
        return BenchResults.read(out.resolve("results.json"));
    }

    /**
     * @param results  a run's results.
     * @param scenario the scenario.
     * @param kind     the target.
     * @return its row.
     */
    static TargetSummary summary(final BenchResults results, final Scenario scenario, final TargetKind kind)
    {
        return results.summaries().stream()
            .filter((s) -> s.scenario().equals(scenario.name()) && s.target().equals(kind.key()))
            .findFirst().orElseThrow(() -> new AssertionError("no row for " + scenario.name() + " " + kind.key()));
    }

    /**
     * @param summary a row.
     * @return true when it was skipped as starved: the machine's other work took the servers' CPU, and the harness
     * says so.
     */
    static boolean isStarved(final TargetSummary summary)
    {
        return TargetSummary.SKIPPED.equals(summary.status()) && summary.note().startsWith("starved");
    }

    /**
     * Check a row was measured, with requests completed and no error.
     *
     * @param summary the row.
     */
    static void assertMeasured(final TargetSummary summary)
    {
        assertEquals(TargetSummary.MEASURED, summary.status(), summary.toString());
        assertTrue(summary.requests() > 0, summary.toString());
        assertEquals(0, summary.errors(), summary.toString());
    }
}
