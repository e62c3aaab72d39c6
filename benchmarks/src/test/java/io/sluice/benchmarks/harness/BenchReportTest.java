package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReportTest
{
    private static final Scenario HELLO = Scenario.HELLO_C64;
    private static final Scenario ECHO = Scenario.ECHO_4K;

    @TempDir
    Path dir;

    @Test
    void shouldOpenWithTheHeadlineTableAndItsRatios()
    {
        final String md = new BenchReport(results(List.of(2.0, 1.0, 0.5))).render();

        assertTrue(md.contains("## Headline: hello GET, 64 connections\n"), md);
        assertTrue(md.contains("| Sluice shared memory | **150,000** | 1 round | 225 | 900 | 1,800 | 4.00 | 60 % | " +
            "50 % | 0 % | 0 |"), md);
        assertTrue(md.contains("| shm / inproc | 0.75× | 1.60× | 2.25× | what crossing to a worker over shared " +
            "memory costs |"), md);
        assertTrue(md.contains("| loopback / nginx | — | — | — |"), md);
    }

    @Test
    void shouldSayWhatTlsAddsToEachTargetsCpuPerRequest()
    {
        final Map<String, Map<TargetKind, TargetSummary>> byScenario = new LinkedHashMap<>();
        byScenario.put(HELLO.name(), Map.of(TargetKind.INPROC, summary(HELLO, TargetKind.INPROC, 100_000, 0.7)));
        byScenario.put(Scenario.HTTPS_C64.name(), Map.of(
            TargetKind.INPROC, summary(Scenario.HTTPS_C64, TargetKind.INPROC, 80_000, 0.8),
            TargetKind.NGINX_RETURN, summary(Scenario.HTTPS_C64, TargetKind.NGINX_RETURN, 90_000, 0.9)));
        byScenario.put(Scenario.TLS_HANDSHAKE.name(), Map.of(
            TargetKind.INPROC, summary(Scenario.TLS_HANDSHAKE, TargetKind.INPROC, 1_000, 0.4)));

        final String md = BenchReport.tlsCostSection(byScenario);

        assertTrue(md.startsWith("## What TLS adds\n"), md);
        assertTrue(md.contains("| Sluice in-process | 7.00 | 10.0 | 1.43× | 80,000 | 400 | 1,000 |"), md);
        assertTrue(md.contains("| nginx return 200 | — | 10.0 | — | 90,000 | — | — |"), md);
        assertTrue(md.contains("the handshakes/s are its limit"), md);
        assertEquals("", BenchReport.tlsCostSection(Map.of(HELLO.name(), byScenario.get(HELLO.name()))));
    }

    private static TargetSummary summary(
        final Scenario scenario, final TargetKind kind, final long requests, final double serverCpuSeconds)
    {
        return TargetSummary.of(scenario.name(), kind.key(), List.of(Runs.run(scenario, kind, 1, requests, 900,
            serverCpuSeconds, 95.0, 0.0)), scenario.hasLatency());
    }

    @Test
    void shouldSayWhyATargetHasNoFigure()
    {
        final String md = new BenchReport(results(List.of(0.2, 0.1, 0.1))).render();

        assertTrue(md.contains("| nginx proxy_pass | skipped: not started: not installed |"), md);
        assertTrue(md.contains("| bare Netty epoll hello | skipped: serves only the hello GET |"), md);
    }

    @Test
    void shouldListWhatNeedsAttention()
    {
        final String md = new BenchReport(results(List.of(0.2, 0.1, 0.1))).render();

        assertTrue(md.contains("## Needs attention\n\n- echo-1m skipped: time budget\n"), md);
    }

    @Test
    void shouldWarnAboutASharedMachine()
    {
        final String md = new BenchReport(results(List.of(2.0, 1.0, 0.5))).render();

        assertTrue(md.contains("> **Shared machine**: load average 2.00 / 1.00 / 0.50 at the start. Other work"), md);
    }

    @Test
    void shouldPointToCpuPerRequestWhenOtherProcessesTookTheServersCpu()
    {
        final BenchResults quiet = results(List.of(0.2, 0.1, 0.1));
        final List<TargetSummary> summaries = new ArrayList<>(quiet.summaries());
        summaries.removeIf((summary) -> summary.scenario().equals(HELLO.name()) && summary.target().equals("bare"));
        summaries.add(TargetSummary.of(HELLO.name(), "bare",
            List.of(Runs.run(HELLO, TargetKind.BARE, 1, 100_000, 900, 0.5, 50, 0.3))));
        final BenchResults contended = new BenchResults(quiet.schema(), quiet.started(), quiet.elapsedSeconds(),
            quiet.settings(), quiet.machine(), quiet.loadAverageStart(), quiet.loadAverageEnd(), quiet.targets(),
            quiet.scenarios(), quiet.runs(), summaries, quiet.ratios(), quiet.idle(), quiet.headline(),
            quiet.warnings(), quiet.scaling());

        final String md = new BenchReport(contended).render();

        assertTrue(md.contains("> **Contended**: other processes took up to 30 % of the servers' CPU"), md);
        assertTrue(md.contains("- **Contended** (other processes took at least 10 % of the servers' CPU: requests/s " +
            "understated): hello-c64: bare 30 %.\n"), md);
    }

    @Test
    void shouldQuoteTheIdleFigureAndTheMachine()
    {
        final String md = new BenchReport(results(List.of(0.2, 0.1, 0.1))).render();

        assertTrue(md.contains("used **0.40 %** of one core (listener 0.20 %, shm worker 0.10 %, loopback worker " +
            "0.10 %)"), md);
        assertTrue(md.contains("| CPU | Test CPU |"), md);
        assertTrue(md.contains("| wrk | wrk 4.1.0 |"), md);
    }

    @Test
    void shouldRenderTheSameReportFromResultsJson() throws IOException
    {
        final BenchResults results = results(List.of(0.2, 0.1, 0.1));
        results.write(dir.resolve("results.json"));

        final BenchResults read = BenchResults.read(dir.resolve("results.json"));

        assertEquals(new BenchReport(results).render(), new BenchReport(read).render());
        assertEquals(results.runs().size(), read.runs().size());
    }

    @Test
    void shouldWriteTheReportWithChartsForEveryScenario() throws IOException
    {
        final Path report = new BenchReport(results(List.of(0.2, 0.1, 0.1))).write(dir);

        assertEquals(dir.resolve("report.md"), report);
        for (final String chart : List.of("rps-hello-c64", "p99-hello-c64", "rps-echo-4k", "p99-echo-4k",
            "relative-rps"))
        {
            assertTrue(Files.size(dir.resolve("charts").resolve(chart + ".svg")) > 0, chart);
            assertTrue(Files.size(dir.resolve("charts").resolve(chart + ".png")) > 0, chart);
        }
    }

    private static BenchResults results(final List<Double> load)
    {
        final List<RunRecord> runs = new ArrayList<>();
        final Map<String, List<Ratio>> ratios = new LinkedHashMap<>();
        final List<TargetSummary> summaries = new ArrayList<>();
        for (final Scenario scenario : List.of(HELLO, ECHO))
        {
            final Map<TargetKind, TargetSummary> byTarget = new EnumMap<>(TargetKind.class);
            add(byTarget, runs, scenario, TargetKind.INPROC, 200_000, 400, 0.5);
            add(byTarget, runs, scenario, TargetKind.SHM, 150_000, 900, 0.6);
            add(byTarget, runs, scenario, TargetKind.LOOPBACK, 50_000, 2000, 0.9);
            if (scenario.servedBy(TargetKind.BARE))
            {
                add(byTarget, runs, scenario, TargetKind.BARE, 250_000, 300, 0.9);
            }
            else
            {
                byTarget.put(TargetKind.BARE, TargetSummary.notMeasured(scenario.name(), "bare",
                    TargetSummary.SKIPPED, "serves only the hello GET"));
            }
            byTarget.put(TargetKind.NGINX, TargetSummary.notMeasured(scenario.name(), "nginx", TargetSummary.SKIPPED,
                "not started: not installed"));
            summaries.addAll(byTarget.values());
            ratios.put(scenario.name(), Ratio.of(byTarget));
        }
        final Map<String, Double> idleByProcess = new LinkedHashMap<>();
        idleByProcess.put("listener", 0.2);
        idleByProcess.put("shm worker", 0.1);
        idleByProcess.put("loopback worker", 0.1);
        final BenchResults.IdleCpu idle = new BenchResults.IdleCpu(5.0, 0.4, idleByProcess);
        return new BenchResults(
            BenchResults.SCHEMA,
            "2026-01-01 00:00:00",
            42.0,
            new BenchResults.Settings("quick", "quick plan", 90, true, "0", "1", 1, 100, "listener.yaml"),
            new Machine("Test CPU", 2, 24 * 1024, "6.1.0", "Debian", List.of("openjdk 17"), List.of("-Dx=y"),
                Map.of("wrk", "wrk 4.1.0")),
            load,
            load,
            List.of(new BenchResults.TargetInfo("shm", "Sluice shared memory", "listener + workers",
                "http://127.0.0.1:1/shm/", null)),
            List.of(HELLO, ECHO),
            runs,
            summaries,
            ratios,
            idle,
            BenchResults.Headline.of(Map.of(), idle, Path.of("/r")),
            List.of("echo-1m skipped: time budget"),
            null);
    }

    private static void add(
        final Map<TargetKind, TargetSummary> byTarget,
        final List<RunRecord> runs,
        final Scenario scenario,
        final TargetKind kind,
        final long requests,
        final long p99,
        final double cpu)
    {
        final RunRecord run = Runs.run(scenario, kind, 1, requests, p99, cpu, 50, 0);
        runs.add(run);
        byTarget.put(kind, TargetSummary.of(scenario.name(), kind.key(), List.of(run)));
    }
}
