package io.sluice.benchmarks.harness;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The harness's progress output: one line per step on standard error, prefixed with the elapsed time and the
 * estimated total, so that a reader always knows how far a run is and that it is bounded.
 */
final class Progress
{
    private final PrintStream out;
    private final String name;
    private final long startNs;
    private double estimateSeconds;

    /**
     * @param out  where lines go (standard error: standard output is kept for results).
     * @param name what the lines are prefixed with, e.g. {@code sluice bench}.
     */
    Progress(final PrintStream out, final String name)
    {
        this.out = out;
        this.name = name;
        this.startNs = System.nanoTime();
    }

    /**
     * @param seconds the estimated total, shown on every line from now on.
     */
    void estimate(final double seconds)
    {
        estimateSeconds = seconds;
    }

    /**
     * @return seconds since the run started.
     */
    double elapsedSeconds()
    {
        return (System.nanoTime() - startNs) / (double)TimeUnit.SECONDS.toNanos(1);
    }

    /**
     * Print one progress line.
     *
     * @param message what happens now.
     */
    void step(final String message)
    {
        final String prefix = estimateSeconds > 0 ?
            String.format(Locale.ROOT, "%s [%s / ~%s] ", name, clock(elapsedSeconds()), clock(estimateSeconds)) :
            String.format(Locale.ROOT, "%s [%s] ", name, clock(elapsedSeconds()));
        out.println(prefix + message);
        out.flush();
    }

    /**
     * @param seconds a duration.
     * @return it as {@code m:ss}.
     */
    static String clock(final double seconds)
    {
        final long whole = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", whole / 60, whole % 60);
    }
}
