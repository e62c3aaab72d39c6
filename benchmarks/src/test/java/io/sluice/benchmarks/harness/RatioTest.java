package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RatioTest
{
    private static final Scenario HELLO = Scenario.HELLO_C64;

    @Test
    void shouldListEveryPairInOrder()
    {
        final List<Ratio> ratios = Ratio.of(Map.of());

        assertEquals(List.of("shm / inproc", "shm / loopback", "inproc / bare", "shm / bare", "loopback / nginx",
            "logged / inproc", "inproc / nginx-return", "shm / nginx-return"),
            ratios.stream().map(Ratio::name).toList());
    }

    @Test
    void shouldDivideRequestsCpuAndP99()
    {
        final Map<TargetKind, TargetSummary> summaries = new EnumMap<>(TargetKind.class);
        summaries.put(TargetKind.INPROC, summary(TargetKind.INPROC, 200_000, 0.5, 400));
        summaries.put(TargetKind.SHM, summary(TargetKind.SHM, 150_000, 0.6, 600));

        final Ratio shmInproc = Ratio.of(summaries).get(0);

        assertEquals("shm", shmInproc.numerator());
        assertEquals("inproc", shmInproc.denominator());
        assertEquals(0.75, shmInproc.rps(), 1e-9);
        assertEquals((0.6 / 150_000) / (0.5 / 200_000), shmInproc.cpuPerRequest(), 1e-9);
        assertEquals(1.5, shmInproc.p99(), 1e-9);
    }

    @Test
    void shouldLeaveARatioEmptyWhenASideIsMissingOrNotMeasured()
    {
        final Map<TargetKind, TargetSummary> summaries = new EnumMap<>(TargetKind.class);
        summaries.put(TargetKind.LOOPBACK, summary(TargetKind.LOOPBACK, 50_000, 0.5, 900));
        summaries.put(TargetKind.NGINX, TargetSummary.notMeasured("hello-c64", "nginx", TargetSummary.SKIPPED,
            "not installed"));

        final List<Ratio> ratios = Ratio.of(summaries);

        assertNull(ratios.get(1).rps());
        assertNull(ratios.get(4).rps());
        assertNull(ratios.get(4).cpuPerRequest());
        assertNull(ratios.get(4).p99());
    }

    private static TargetSummary summary(final TargetKind kind, final long requests, final double cpu, final long p99)
    {
        return TargetSummary.of(HELLO.name(), kind.key(),
            List.of(Runs.run(HELLO, kind, 1, requests, p99, cpu, 50, 0)));
    }
}
