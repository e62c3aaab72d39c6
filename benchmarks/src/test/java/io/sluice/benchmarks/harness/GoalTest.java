package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoalTest
{
    private static final String SHM_INPROC = "shm / inproc";
    private static final String LOOPBACK_NGINX = "loopback / nginx";

    @TempDir
    Path dir;

    @Test
    void shouldJudgeEveryTargetOfOneRun()
    {
        final Map<String, Goal.Check> checks = byKey(Goal.check(results()));

        assertEquals(Goal.ALL.size(), checks.size());
        assertCheck(checks, "hello-c1 shm / inproc server CPU/req", 1.2, Goal.Check.MET);
        assertCheck(checks, "hello-c1 shm / inproc p99", 3.0, Goal.Check.NOT_MET);
        assertCheck(checks, "hello-c16 shm / inproc server CPU/req", 1.6, Goal.Check.NOT_MET);
        assertCheck(checks, "idle listener + workers idle CPU, % of a core", 0.4, Goal.Check.MET);
        assertCheck(checks, "echo-4k shm / inproc req/s", 0.8, Goal.Check.MET);
        assertCheck(checks, "echo-256k shm / inproc req/s", 0.79, Goal.Check.NOT_MET);
        assertCheck(checks, "echo-1m shm / inproc req/s", null, Goal.Check.NOT_MEASURED);
        assertCheck(checks, "hello-c64 loopback / nginx req/s", 1.0, Goal.Check.MET);
        assertCheck(checks, "hello-c256 loopback / nginx req/s", 1.0, Goal.Check.NOT_MET);
        assertCheck(checks, "pipeline-16 loopback / nginx req/s", null, Goal.Check.NOT_MEASURED);
        assertCheck(checks, "scaling inproc 2 / 1 loops server CPU/req", 1.1, Goal.Check.MET);
        assertCheck(checks, "scaling shm 2 / 1 loops server CPU/req", 1.2, Goal.Check.NOT_MET);
        assertCheck(checks, "scaling loopback 2 / 1 loops server CPU/req", null, Goal.Check.NOT_MEASURED);
        assertCheck(checks, "https-c64 inproc / nginx-return req/s", 0.85, Goal.Check.MET);
        assertCheck(checks, "https-c64 shm / nginx-return req/s", 0.75, Goal.Check.NOT_MET);
        assertCheck(checks, "https-c64 loopback / nginx req/s", 1.1, Goal.Check.MET);
        assertCheck(checks, "tls-handshake inproc / nginx-return server CPU/req", null, Goal.Check.NOT_MEASURED);
        assertCheck(checks, "tls-handshake shm / nginx-return server CPU/req", null, Goal.Check.NOT_MEASURED);
        assertCheck(checks, "tls-handshake loopback / nginx server CPU/req", null, Goal.Check.NOT_MEASURED);
    }

    @Test
    void shouldMeasureNothingOfARunWithoutScenariosIdleOrScaling()
    {
        final BenchResults empty = results(Map.of(), null, null);

        for (final Goal.Check check : Goal.check(empty))
        {
            assertEquals(Goal.Check.NOT_MEASURED, check.verdict(), check.toString());
            assertNull(check.measured(), check.toString());
        }
    }

    @Test
    void shouldListTheTargetsNearTheTopOfTheReport()
    {
        final String md = BenchReport.goalsSection(Goal.check(results()));

        assertTrue(md.startsWith("## Targets\n\n7 of 28 met, 6 not met, 15 not measured in this run."), md);
        assertTrue(md.contains("| hello-c1 | shm / inproc | server CPU/req | ≤ 1.50× | 1.20× | met | issue 9 §2 |"),
            md);
        assertTrue(md.contains("| hello-c1 | shm / inproc | p99 | ≤ 2.00× | 3.00× | **not met** | issue 9 §2 |"),
            md);
        assertTrue(md.contains("| idle | listener + workers | idle CPU, % of a core | < 1.00 % | 0.40 % | met |"), md);
        assertTrue(md.contains("| echo-1m | shm / inproc | req/s | ≥ 1.00× | — | not measured | issue 9 §3 |"), md);
        assertTrue(md.contains("| hello-c256 | loopback / nginx | req/s | > 1.00× | 1.00× | **not met** |"), md);
        assertTrue(md.contains("| scaling | shm 2 / 1 loops | server CPU/req | ≤ 1.10× | 1.20× | **not met** |"), md);
        assertTrue(md.contains("| https-c64 | inproc / nginx-return | req/s | ≥ 0.80× | 0.85× | met | issue 10 |"),
            md);
        assertTrue(md.contains("| tls-handshake | shm / nginx-return | server CPU/req | ≤ 1.25× | — | not measured |"),
            md);
    }

    @Test
    void shouldWriteTheTargetsToResultsJsonAndReadTheFileBack() throws IOException
    {
        final Path file = dir.resolve("results.json");
        results().write(file);

        final String json = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"goals\" : [ {"), json);
        assertTrue(json.contains("\"verdict\" : \"not measured\""), json);
        final BenchResults read = BenchResults.read(file);
        assertEquals(Goal.check(results()), read.goals());
    }

    private static void assertCheck(
        final Map<String, Goal.Check> checks, final String key, final Double measured, final String verdict)
    {
        final Goal.Check check = checks.get(key);
        assertEquals(verdict, check.verdict(), key);
        if (null == measured)
        {
            assertNull(check.measured(), key);
        }
        else
        {
            assertEquals(measured, check.measured(), 1e-9, key);
        }
    }

    private static Map<String, Goal.Check> byKey(final List<Goal.Check> checks)
    {
        final Map<String, Goal.Check> byKey = new LinkedHashMap<>();
        for (final Goal.Check check : checks)
        {
            byKey.put(check.scenario() + " " + check.ratio() + " " + check.metric(), check);
        }
        return byKey;
    }

    private static BenchResults results()
    {
        final Map<String, List<Ratio>> ratios = new LinkedHashMap<>();
        ratios.put("hello-c1", List.of(new Ratio(SHM_INPROC, "shm", "inproc", 0.6, 1.2, 3.0)));
        ratios.put("hello-c16", List.of(new Ratio(SHM_INPROC, "shm", "inproc", 0.7, 1.6, 1.5)));
        ratios.put("echo-4k", List.of(new Ratio(SHM_INPROC, "shm", "inproc", 0.8, 1.0, 1.0)));
        ratios.put("echo-256k", List.of(new Ratio(SHM_INPROC, "shm", "inproc", 0.79, 1.0, 1.0)));
        ratios.put("echo-1m", List.of(new Ratio(SHM_INPROC, "shm", "inproc", null, null, null)));
        ratios.put("hello-c64", List.of(new Ratio(LOOPBACK_NGINX, "loopback", "nginx", 1.0, 1.0, 1.0)));
        ratios.put("hello-c256", List.of(new Ratio(LOOPBACK_NGINX, "loopback", "nginx", 1.0, 1.0, 1.0)));
        ratios.put("https-c64", List.of(new Ratio(LOOPBACK_NGINX, "loopback", "nginx", 1.1, 1.0, 1.0),
            new Ratio("inproc / nginx-return", "inproc", "nginx-return", 0.85, 1.0, 1.0),
            new Ratio("shm / nginx-return", "shm", "nginx-return", 0.75, 1.0, 1.0)));
        final ScalingResults scaling = new ScalingResults("1, 2 loops", "0", "1", List.of(1, 2), List.of(),
            List.of(new ScalingResults.LoopRatio("inproc", 2, 1, 1.1, 0.95),
                new ScalingResults.LoopRatio("shm", 2, 1, 1.2, 0.9)));
        return results(ratios, new BenchResults.IdleCpu(5, 0.4, Map.of()), scaling);
    }

    private static BenchResults results(
        final Map<String, List<Ratio>> ratios, final BenchResults.IdleCpu idle, final ScalingResults scaling)
    {
        return new BenchResults(BenchResults.SCHEMA, "2026-01-01 00:00:00", 1, null, null, List.of(), List.of(),
            List.of(), List.of(), List.of(), List.of(), ratios, idle, null, List.of(), scaling);
    }
}
