package io.sluice.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * What the scaling scenario measured (in {@code results.json} as {@code scaling}): per event loop count and target,
 * the summary of its hello-c64 rounds, and per target each loop count's CPU per request and requests/s against one
 * loop's.
 *
 * @param plan       the plan in one line.
 * @param serverCpus CPU list of the server side, e.g. {@code 0}, or {@code any} when not pinned.
 * @param loadCpus   CPU list of wrk, e.g. {@code 1}, or {@code any}.
 * @param loopCounts the event loop counts, ascending.
 * @param rows       per loop count, then target: the summary, or why it was not measured.
 * @param ratios     per target and loop count past the first: the comparison with the first count.
 */
record ScalingResults(
    String plan,
    String serverCpus,
    String loadCpus,
    List<Integer> loopCounts,
    List<Row> rows,
    List<LoopRatio> ratios)
{
    /**
     * One target at one event loop count.
     *
     * @param loops   the listener's event loops.
     * @param summary the target's hello-c64 rounds at that count (status {@code skipped} when not available).
     */
    record Row(int loops, TargetSummary summary)
    {
    }

    /**
     * One target at a loop count against the same target at the first (smallest) count.
     *
     * @param target                    the target's key.
     * @param loops                     the loop count compared.
     * @param baseLoops                 the loop count compared with (the first).
     * @param cpuPerRequestRatio        CPU per request at {@code loops} / at {@code baseLoops}; null when either is
     *                                  missing.
     * @param requestsPerSecondRatio    requests/s at {@code loops} / at {@code baseLoops}; null when either is
     *                                  missing.
     */
    record LoopRatio(
        String target, int loops, int baseLoops, Double cpuPerRequestRatio, Double requestsPerSecondRatio)
    {
    }

    /**
     * @param plan       the plan in one line.
     * @param serverCpus CPU list of the server side.
     * @param loadCpus   CPU list of wrk.
     * @param loopCounts the loop counts, ascending.
     * @param rows       the rows, by loop count then target.
     * @return the results with the ratios worked out.
     */
    static ScalingResults of(
        final String plan,
        final String serverCpus,
        final String loadCpus,
        final List<Integer> loopCounts,
        final List<Row> rows)
    {
        final List<LoopRatio> ratios = new ArrayList<>();
        final int baseLoops = loopCounts.get(0);
        for (final TargetKind kind : TargetKind.values())
        {
            final TargetSummary base = find(rows, baseLoops, kind.key());
            if (null == base)
            {
                continue;
            }
            for (final int loops : loopCounts.subList(1, loopCounts.size()))
            {
                final TargetSummary other = find(rows, loops, kind.key());
                if (null != other)
                {
                    ratios.add(new LoopRatio(kind.key(), loops, baseLoops,
                        ratio(other.cpuUsPerRequest(), base.cpuUsPerRequest(), other, base),
                        ratio(other.rpsMedian(), base.rpsMedian(), other, base)));
                }
            }
        }
        return new ScalingResults(plan, serverCpus, loadCpus, List.copyOf(loopCounts), List.copyOf(rows), ratios);
    }

    /**
     * @param loops  a loop count.
     * @param target a target's key.
     * @return the ratio of that target at that count, or null.
     */
    LoopRatio ratio(final int loops, final String target)
    {
        for (final LoopRatio ratio : ratios)
        {
            if (ratio.loops() == loops && ratio.target().equals(target))
            {
                return ratio;
            }
        }
        return null;
    }

    private static TargetSummary find(final List<Row> rows, final int loops, final String target)
    {
        for (final Row row : rows)
        {
            if (row.loops() == loops && row.summary().target().equals(target))
            {
                return row.summary();
            }
        }
        return null;
    }

    private static Double ratio(
        final Double value, final Double baseValue, final TargetSummary summary, final TargetSummary base)
    {
        if (!summary.isMeasured() || !base.isMeasured() || null == value || null == baseValue || baseValue <= 0)
        {
            return null;
        }
        return value / baseValue;
    }
}
