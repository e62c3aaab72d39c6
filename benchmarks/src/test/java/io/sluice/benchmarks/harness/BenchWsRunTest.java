package io.sluice.benchmarks.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/sluice bench --scenarios ws-echo} end to end: the listener built by this reactor, the sample handler's
 * WebSocket echo in the three models, driven by the harness's WebSocket client in a JVM of its own. Asserts the rows:
 * each target measured with messages echoed and no error (or skipped as starved, which the harness detects), nginx
 * not measured, the ratios' goals present, the report's WebSocket note. Nothing is timed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchWsRunTest
{
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void shouldMeasureTheWebSocketEchoOnTheThreeModels() throws IOException
    {
        assumeTrue(BenchMain.executable("wrk").isPresent(), "wrk is not installed");
        assumeTrue(Files.isRegularFile(HOME.resolve("listener/target/sluice.jar")), "the listener is not built");
        final Path out = dir.resolve("run");
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        final int status = BenchMain.run(new String[] {
            "--smoke", "--scenarios", "ws-echo", "--duration", "1", "--targets", "inproc,shm,loopback,nginx",
            "--home", HOME.toString(), "--out", out.toString() },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));

        final String progress = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, progress);
        final BenchResults results = BenchResults.read(out.resolve("results.json"));
        assertEquals(List.of(Scenario.WS_ECHO), results.scenarios());
        int measured = 0;
        for (final TargetKind kind : List.of(TargetKind.INPROC, TargetKind.SHM, TargetKind.LOOPBACK))
        {
            final TargetSummary summary = summary(results, kind);
            if (TargetSummary.SKIPPED.equals(summary.status()) && summary.note().startsWith("starved"))
            {
                continue;
            }
            assertEquals(TargetSummary.MEASURED, summary.status(), summary.toString());
            assertTrue(summary.requests() > 0, summary.toString());
            assertEquals(0, summary.errors(), summary.toString());
            assertTrue(summary.cpuUsPerRequest() > 0, summary.toString());
            measured++;
        }
        assertTrue(measured > 0, progress);
        assertFalse(summary(results, TargetKind.NGINX).isMeasured());
        assertTrue(results.goals().stream().anyMatch((g) -> "ws-echo".equals(g.scenario()) &&
            Ratio.Pair.SHM_LOOPBACK.label().equals(g.ratio())), results.goals().toString());
        final String report = Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8);
        assertTrue(report.contains("nginx has no WebSocket echo"), report);
        assertTrue(Files.readString(out.resolve("scripts").resolve("ws-echo.sh"), StandardCharsets.UTF_8)
            .contains(WsEchoClient.class.getName() + " 127.0.0.1 "));
    }

    private static TargetSummary summary(final BenchResults results, final TargetKind kind)
    {
        return results.summaries().stream()
            .filter((s) -> Scenario.WS_ECHO.name().equals(s.scenario()) && kind.key().equals(s.target()))
            .findFirst().orElseThrow(() -> new AssertionError("no row for " + kind.key()));
    }
}
