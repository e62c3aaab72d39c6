package io.sluice.benchmarks.harness;

import java.io.IOException;
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
    @TempDir
    Path dir;

    @Test
    void shouldMeasureTheWebSocketEchoOnTheThreeModels() throws IOException
    {
        assumeTrue(BenchMain.executable("wrk").isPresent(), "wrk is not installed");
        BenchSmokeRun.assumeListenerBuilt();
        final Path out = dir.resolve("run");

        final BenchSmokeRun run = BenchSmokeRun.run(
            out, "--scenarios", "ws-echo", "--duration", "1", "--targets", "inproc,shm,loopback,nginx");

        final BenchResults results = run.results();
        assertEquals(List.of(Scenario.WS_ECHO), results.scenarios());
        int measured = 0;
        for (final TargetKind kind : List.of(TargetKind.INPROC, TargetKind.SHM, TargetKind.LOOPBACK))
        {
            final TargetSummary summary = summary(results, kind);
            if (BenchSmokeRun.isStarved(summary))
            {
                continue;
            }
            BenchSmokeRun.assertMeasured(summary);
            assertTrue(summary.cpuUsPerRequest() > 0, summary.toString());
            measured++;
        }
        assertTrue(measured > 0, run.progress());
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
        return BenchSmokeRun.summary(results, Scenario.WS_ECHO, kind);
    }
}
