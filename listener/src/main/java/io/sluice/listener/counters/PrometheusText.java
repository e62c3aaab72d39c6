package io.sluice.listener.counters;

import io.sluice.dispatch.shm.CountersFileDescriptor;

import java.util.List;
import java.util.Locale;

/**
 * The Prometheus text exposition format (version 0.0.4) of a {@link CountersSnapshot}: each metric with its
 * {@code # HELP} and {@code # TYPE} lines, then its samples; a histogram as cumulative {@code _bucket{le="..."}} samples
 * (seconds), then {@code _sum} (seconds) and {@code _count}.
 */
public final class PrometheusText
{
    /**
     * The content type of the text.
     */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final double NANOS_PER_SECOND = 1e9;

    private PrometheusText()
    {
    }

    /**
     * @param snapshot the counters.
     * @return the text.
     */
    public static String render(final CountersSnapshot snapshot)
    {
        final StringBuilder out = new StringBuilder(8192);
        final List<CounterSeries> series = snapshot.series();
        CounterType current = null;
        for (int i = 0; i < series.size(); i++)
        {
            final CounterSeries s = series.get(i);
            final CounterType type = s.type();
            if (CounterType.Kind.HISTOGRAM_SUM == type.kind())
            {
                continue;
            }
            if (type != current)
            {
                current = type;
                out.append("# HELP ").append(type.metricName()).append(' ').append(type.help()).append('\n');
                out.append("# TYPE ").append(type.metricName()).append(' ')
                    .append(type.kind().name().toLowerCase(Locale.ROOT)).append('\n');
            }
            if (CounterType.Kind.HISTOGRAM == type.kind())
            {
                i = histogram(out, series, i, snapshot) - 1;
            }
            else
            {
                out.append(type.metricName()).append(s.labels()).append(' ').append(s.value()).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Write one histogram series (its buckets from {@code first}), its sum and count.
     *
     * @return the index past its buckets.
     */
    private static int histogram(
        final StringBuilder out, final List<CounterSeries> series, final int first, final CountersSnapshot snapshot)
    {
        final CounterSeries head = series.get(first);
        final CounterType type = head.type();
        final CounterType sumType = CounterType.QUEUE_WAIT_BUCKET == type ?
            CounterType.QUEUE_WAIT_SUM : CounterType.REQUEST_DURATION_SUM;
        final String queueLabel = new CounterSeries(type, head.queueIndex(), head.queueName(), head.loopIndex(),
            CountersFileDescriptor.NONE, 0).labels();
        long cumulative = 0;
        int i = first;
        while (i < series.size() && series.get(i).type() == type && series.get(i).queueIndex() == head.queueIndex() &&
            series.get(i).loopIndex() == head.loopIndex())
        {
            final CounterSeries bucket = series.get(i);
            cumulative += bucket.value();
            out.append(type.metricName()).append("_bucket").append(bucket.labels()).append(' ').append(cumulative)
                .append('\n');
            i++;
        }
        final long sumNs = snapshot.sum(sumType, head.queueName());
        out.append(type.metricName()).append("_sum").append(queueLabel).append(' ')
            .append(sumNs / NANOS_PER_SECOND).append('\n');
        out.append(type.metricName()).append("_count").append(queueLabel).append(' ').append(cumulative).append('\n');
        return i;
    }
}
