package io.sluice.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One comparison the report makes, in one scenario: numerator target over denominator target, for requests/s, server
 * CPU per request and p99 latency. A value is null when either side was not measured.
 *
 * @param name          e.g. {@code shm / inproc}.
 * @param numerator     target key on top.
 * @param denominator   target key below.
 * @param rps           requests/s ratio: above 1 means the numerator serves more.
 * @param cpuPerRequest server CPU per request ratio: above 1 means the numerator costs more per request.
 * @param p99           p99 latency ratio: above 1 means the numerator's tail is longer.
 */
record Ratio(String name, String numerator, String denominator, Double rps, Double cpuPerRequest, Double p99)
{
    /**
     * The comparisons, in the order the report lists them, each with what it answers.
     */
    enum Pair
    {
        /**
         * What the shared-memory hand-off costs over calling the handler in the listener.
         */
        SHM_INPROC(TargetKind.SHM, TargetKind.INPROC, "what crossing to a worker over shared memory costs"),

        /**
         * The point of the shared-memory model: against forwarding to the same worker over loopback.
         */
        SHM_LOOPBACK(TargetKind.SHM, TargetKind.LOOPBACK, "shared memory against loopback to the same worker"),

        /**
         * What the listener costs over a bare Netty server doing nothing else.
         */
        INPROC_BARE(TargetKind.INPROC, TargetKind.BARE, "the listener against bare Netty, handler in-process"),

        /**
         * The whole out-of-process path against the practical limit.
         */
        SHM_BARE(TargetKind.SHM, TargetKind.BARE, "the shared-memory path against bare Netty"),

        /**
         * The loopback proxy against nginx proxying to the same worker.
         */
        LOOPBACK_NGINX(TargetKind.LOOPBACK, TargetKind.NGINX, "Sluice's loopback proxy against nginx's"),

        /**
         * What writing the access log costs (measured only when {@code logged} is named).
         */
        LOGGED_INPROC(TargetKind.LOGGED, TargetKind.INPROC, "what the access log costs, handler in-process"),

        /**
         * The listener with its handler in-process against nginx answering by itself (TLS and HTTP/2 scenarios).
         */
        INPROC_NGINX_RETURN(TargetKind.INPROC, TargetKind.NGINX_RETURN, "in-process against nginx's return 200"),

        /**
         * The shared-memory path against nginx answering by itself (TLS and HTTP/2 scenarios).
         */
        SHM_NGINX_RETURN(TargetKind.SHM, TargetKind.NGINX_RETURN, "shared memory against nginx's return 200");

        private final TargetKind numerator;
        private final TargetKind denominator;
        private final String meaning;

        Pair(final TargetKind numerator, final TargetKind denominator, final String meaning)
        {
            this.numerator = numerator;
            this.denominator = denominator;
            this.meaning = meaning;
        }

        /**
         * @return e.g. {@code shm / inproc}.
         */
        String label()
        {
            return numerator.key() + " / " + denominator.key();
        }

        /**
         * @return what the ratio answers, for the report.
         */
        String meaning()
        {
            return meaning;
        }
    }

    /**
     * @param summaries a scenario's summaries, keyed by target.
     * @return every {@link Pair}'s ratio in that scenario, in order; values null where a side is missing.
     */
    static List<Ratio> of(final Map<TargetKind, TargetSummary> summaries)
    {
        final List<Ratio> ratios = new ArrayList<>();
        for (final Pair pair : Pair.values())
        {
            final TargetSummary top = summaries.get(pair.numerator);
            final TargetSummary bottom = summaries.get(pair.denominator);
            ratios.add(new Ratio(
                pair.label(),
                pair.numerator.key(),
                pair.denominator.key(),
                ratio(top, bottom, TargetSummary::rpsMedian),
                ratio(top, bottom, TargetSummary::cpuUsPerRequest),
                ratio(top, bottom, TargetSummary::p99Us)));
        }
        return ratios;
    }

    /**
     * @param top    numerator summary, may be null.
     * @param bottom denominator summary, may be null.
     * @param value  the figure compared.
     * @return top's figure over bottom's; null when either is missing, unmeasured or the divisor is not positive.
     */
    static Double ratio(
        final TargetSummary top, final TargetSummary bottom, final Function<TargetSummary, Double> value)
    {
        if (null == top || null == bottom || !top.isMeasured() || !bottom.isMeasured())
        {
            return null;
        }
        final Double a = value.apply(top);
        final Double b = value.apply(bottom);
        return null == a || null == b || b <= 0 ? null : a / b;
    }
}
