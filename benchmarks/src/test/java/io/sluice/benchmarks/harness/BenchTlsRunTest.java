package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/sluice bench} end to end on the TLS and HTTP/2 scenarios. TLS: the listener built by this reactor, serving
 * https with the run's certificate, measured by wrk over https and by {@code openssl s_time} with a new connection per
 * request, and nginx {@code return 200} with the same certificate when nginx is installed. HTTP/2: h2load over h2 and
 * h2c against nginx {@code return 200} and the listener's in-process queue, started for the run (its first
 * connections open during the harness's check, so the timed run's h2load ends). Asserts that each produces its rows:
 * measured, requests completed, no errors (or, pinned as the harness pins, skipped as starved when other work took the
 * servers' CPU, which the harness detects and reports), the targets and the TLS section in the report. Nothing is
 * timed. Needs wrk and openssl (skipped without them, as on a machine where {@code bin/sluice bench} has not installed
 * them yet).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchTlsRunTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMeasureHttpsAndNewTlsConnectionsOnSluiceAndNginx() throws IOException
    {
        assumeTrue(BenchMain.executable("wrk").isPresent(), "wrk is not installed");
        assumeTrue(BenchMain.executable("openssl").isPresent(), "openssl is not installed");
        BenchSmokeRun.assumeListenerBuilt();
        final boolean nginx = BenchMain.executable("nginx").isPresent();
        final Path out = dir.resolve("run");

        final BenchSmokeRun run = BenchSmokeRun.run(
            out, "--scenarios", "https-c64,tls-handshake", "--duration", "1", "--targets", "inproc,shm,nginx-return");

        final BenchResults results = run.results();
        assertEquals(List.of(Scenario.HTTPS_C64, Scenario.TLS_HANDSHAKE), results.scenarios());
        int measured = 0;
        for (final Scenario scenario : results.scenarios())
        {
            for (final TargetKind kind : nginx ? List.of(TargetKind.INPROC, TargetKind.SHM, TargetKind.NGINX_RETURN) :
                List.of(TargetKind.INPROC, TargetKind.SHM))
            {
                final TargetSummary summary = summary(results, scenario, kind);
                if (BenchSmokeRun.isStarved(summary))
                {
                    continue;
                }
                BenchSmokeRun.assertMeasured(summary);
                assertTrue(summary.cpuUsPerRequest() > 0, summary.toString());
                measured++;
            }
        }
        assertTrue(measured > 0, run.progress());
        if (!nginx)
        {
            assertTrue(summary(results, Scenario.HTTPS_C64, TargetKind.NGINX_RETURN).note().contains("not installed"));
        }
        final Map<String, Goal.Check> goals = new LinkedHashMap<>();
        results.goals().forEach((g) -> goals.put(g.scenario() + " " + g.ratio(), g));
        for (final String goal : List.of("https-c64 inproc / nginx-return", "https-c64 shm / nginx-return",
            "tls-handshake inproc / nginx-return", "tls-handshake shm / nginx-return"))
        {
            final String[] parts = goal.split(" ");
            final boolean bothMeasured = summary(results, Scenario.named(parts[0]), TargetKind.of(parts[1]))
                .isMeasured() && summary(results, Scenario.named(parts[0]), TargetKind.NGINX_RETURN).isMeasured();
            assertEquals(bothMeasured, null != goals.get(goal).measured(), goals.get(goal).toString());
        }

        final String report = Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8);
        assertTrue(report.contains("## What TLS adds"), report);
        assertTrue(report.contains("### tls-handshake: hello GET on a new TLS connection each (full handshake)"),
            report);
        final String listenerYaml = Files.readString(out.resolve("listener.yaml"), StandardCharsets.UTF_8);
        assertTrue(listenerYaml.contains(out.resolve("tls").resolve("self-signed.crt").toString()), listenerYaml);
        assertTrue(Files.readString(out.resolve("scripts").resolve("tls-handshake.sh"), StandardCharsets.UTF_8)
            .contains(" s_time -connect 127.0.0.1:"));
    }

    @Test
    void shouldMeasureH2AndH2cWithH2load() throws IOException
    {
        assumeTrue(BenchMain.executable("wrk").isPresent(), "wrk is not installed");
        assumeTrue(BenchMain.executable("h2load").isPresent(), "h2load is not installed");
        assumeTrue(BenchMain.executable("nginx").isPresent(), "nginx is not installed");
        BenchSmokeRun.assumeListenerBuilt();
        final Path out = dir.resolve("h2");

        final BenchSmokeRun run = BenchSmokeRun.run(
            out, "--scenarios", "h2-c16m32,h2c-c16m32", "--duration", "1", "--targets", "nginx-return,inproc");

        final BenchResults results = run.results();
        assertEquals(List.of(Scenario.H2_C16M32, Scenario.H2C_C16M32), results.scenarios());
        for (final Scenario scenario : results.scenarios())
        {
            assertMeasured(results, scenario, TargetKind.INPROC);
            final TargetSummary summary = summary(results, scenario, TargetKind.NGINX_RETURN);
            if (BenchSmokeRun.isStarved(summary))
            {
                continue;
            }
            BenchSmokeRun.assertMeasured(summary);
            assertTrue(Files.readString(out.resolve("scripts").resolve(scenario.name() + ".sh"),
                StandardCharsets.UTF_8).contains(" -c16 -m32 -D1 " + scenario.protocol().scheme() + "://"));
        }
        final String nginxConf = Files.readString(out.resolve("nginx").resolve("nginx.conf"), StandardCharsets.UTF_8);
        assertTrue(nginxConf.contains(" ssl http2 backlog=4096;"), nginxConf);
        assertTrue(nginxConf.matches("(?s).*listen 127\\.0\\.0\\.1:\\d+ http2 backlog=4096;.*"), nginxConf);
    }

    private static void assertMeasured(final BenchResults results, final Scenario scenario, final TargetKind kind)
    {
        final TargetSummary summary = summary(results, scenario, kind);
        if (!BenchSmokeRun.isStarved(summary))
        {
            BenchSmokeRun.assertMeasured(summary);
        }
    }

    private static TargetSummary summary(final BenchResults results, final Scenario scenario, final TargetKind kind)
    {
        return BenchSmokeRun.summary(results, scenario, kind);
    }
}
