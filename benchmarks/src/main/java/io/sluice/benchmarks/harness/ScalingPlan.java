package io.sluice.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The scaling scenario's plan: the hello GET at 64 connections, measured with the listener restarted at each of a
 * series of event loop counts, on the serving CPUs the layout gives it.
 * <p>
 * By default the counts double from 1 up to the number of serving CPUs (1, 2, 4, ... and that number itself), so a
 * machine with more cores shows how far the listener scales. With one serving CPU (the default layout on a 2-core
 * machine, the other core driving load) the counts are 1 and 2: two loops then share one core, and the comparison
 * shows what a second loop costs per request, apart from any gain from a second core.
 *
 * @param loopCounts the event loop counts, ascending, each at least 1.
 * @param seconds    length of each measured run.
 * @param rounds     measured rounds per loop count (each round runs every target once).
 */
record ScalingPlan(List<Integer> loopCounts, int seconds, int rounds)
{
    /**
     * Most event loops a count may name, as {@code listener.eventLoops} allows: {@value}.
     */
    static final int LOOPS_MAX = 256;

    /**
     * Seconds of unrecorded load each target of each listener gets before the first round, followed by one round not
     * recorded: every listener and worker is a fresh JVM, whose compiler threads share the serving CPUs with its
     * loops (a warm-up of 3 or 5 s alone left the first round of a 2- or 4-loop listener a fifth slower than the next).
     */
    static final int WARMUP_SECONDS = 5;

    /**
     * Milliseconds every listener is left idle after the warm-ups, before the first recorded round: {@value}.
     */
    static final long SETTLE_MS = 3_000;

    ScalingPlan
    {
        if (loopCounts.isEmpty())
        {
            throw new IllegalArgumentException("scaling: no event loop count");
        }
        for (final int loops : loopCounts)
        {
            if (loops < 1 || loops > LOOPS_MAX)
            {
                throw new IllegalArgumentException("scaling: event loops out of range: loops=" + loops +
                    ", limit=1.." + LOOPS_MAX);
            }
        }
        loopCounts = List.copyOf(new TreeSet<>(loopCounts));
    }

    /**
     * @param servingCpus the number of CPUs the server side runs on.
     * @return 1, 2, 4, ... up to {@code servingCpus}, ending with {@code servingCpus} itself; at least 1 and 2.
     */
    static List<Integer> defaultLoopCounts(final int servingCpus)
    {
        final int most = Math.max(2, Math.min(servingCpus, LOOPS_MAX));
        final List<Integer> counts = new ArrayList<>();
        for (int loops = 1; loops < most; loops *= 2)
        {
            counts.add(loops);
        }
        counts.add(most);
        return counts;
    }

    /**
     * @param list event loop counts, comma-separated, e.g. {@code 1,2,4}.
     * @return the counts.
     * @throws IllegalArgumentException when the list is malformed.
     */
    static List<Integer> parseLoopCounts(final String list)
    {
        final List<Integer> counts = new ArrayList<>();
        for (final String item : list.split(",", -1))
        {
            try
            {
                counts.add(Integer.parseInt(item.trim()));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not a list of event loop counts (e.g. 1,2,4): " + list, ex);
            }
        }
        return counts;
    }

    /**
     * @return the plan in one line, for the progress output and the report.
     */
    String describe()
    {
        return "scaling: hello-c64 at " + String.join(", ", loopCounts.stream().map(String::valueOf).toList()) +
            " event loop(s), one listener each, " + seconds + " s × " + rounds + (rounds == 1 ? " round" : " rounds") +
            " alternating the counts, after a " + WARMUP_SECONDS + " s warm-up and a round not recorded per target";
    }

    /**
     * @param targets the targets that will run (only in-process, shared memory and loopback scale).
     * @return the estimated seconds of the scaling scenario, listener starts included.
     */
    double estimateSeconds(final long targets)
    {
        return SETTLE_MS / 1000.0 + loopCounts.size() * (BenchPlan.STARTUP_SECONDS + targets *
            (WARMUP_SECONDS + (rounds + 1) * seconds + (rounds + 2) * BenchPlan.RUN_OVERHEAD_SECONDS));
    }
}
