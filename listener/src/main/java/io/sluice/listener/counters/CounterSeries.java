package io.sluice.listener.counters;

import io.sluice.dispatch.shm.CountersFileDescriptor;

import java.math.BigDecimal;

/**
 * One series of the listener's counters as a reader shows it: its kind, queue, event loop (only for the kinds shown
 * per loop) and qualifier, with the value summed over the counters that make it (over the event loops when the kind is
 * kept per loop but not shown so).
 *
 * @param type       the kind.
 * @param queueIndex the queue's number, or {@link CountersFileDescriptor#NONE}.
 * @param queueName  the queue's name, or empty.
 * @param loopIndex  the event loop, or {@link CountersFileDescriptor#NONE}.
 * @param qualifier  the status class, status, bucket or protocol, or {@link CountersFileDescriptor#NONE}.
 * @param value      the value.
 */
public record CounterSeries(
    CounterType type, int queueIndex, String queueName, int loopIndex, int qualifier, long value)
    implements Comparable<CounterSeries>
{
    /**
     * The label of a counter in the file, e.g. {@code sluice_queue_requests_total{queue="app",class="2xx"} loop=1}.
     *
     * @param type      the kind.
     * @param queueName the queue's name, or empty.
     * @param loopIndex the event loop, or {@link CountersFileDescriptor#NONE}.
     * @param qualifier the qualifier, or {@link CountersFileDescriptor#NONE}.
     * @return the label.
     */
    public static String label(final CounterType type, final String queueName, final int loopIndex, final int qualifier)
    {
        final StringBuilder out = new StringBuilder(type.metricName());
        switch (type.kind())
        {
            case HISTOGRAM -> out.append("_bucket");
            case HISTOGRAM_SUM -> out.append("_sum_ns");
            default ->
            {
            }
        }
        final String labels = labels(type, queueName, type.showsLoop() ? loopIndex : CountersFileDescriptor.NONE,
            qualifier);
        out.append(labels);
        if (CountersFileDescriptor.NONE != loopIndex && !type.showsLoop())
        {
            out.append(" loop=").append(loopIndex);
        }
        return out.toString();
    }

    /**
     * @return the series' Prometheus labels, e.g. {@code {queue="app",class="2xx"}}, or empty.
     */
    public String labels()
    {
        return labels(type, queueName, loopIndex, qualifier);
    }

    /**
     * {@inheritDoc}
     */
    public int compareTo(final CounterSeries other)
    {
        int result = Integer.compare(type.ordinal(), other.type.ordinal());
        if (0 == result)
        {
            result = Integer.compare(queueIndex, other.queueIndex);
        }
        if (0 == result)
        {
            result = Integer.compare(loopIndex, other.loopIndex);
        }
        if (0 == result)
        {
            result = Integer.compare(qualifier, other.qualifier);
        }
        return result;
    }

    private static String labels(
        final CounterType type, final String queueName, final int loopIndex, final int qualifier)
    {
        final StringBuilder out = new StringBuilder();
        if (!queueName.isEmpty())
        {
            label(out, "queue", queueName);
        }
        if (CountersFileDescriptor.NONE != loopIndex)
        {
            label(out, "loop", Integer.toString(loopIndex));
        }
        if (CountersFileDescriptor.NONE != qualifier)
        {
            switch (type)
            {
                case QUEUE_REQUESTS -> label(out, "class", StatusClasses.classLabel(qualifier));
                case QUEUE_GATEWAY_RESPONSES ->
                    label(out, "status", Integer.toString(StatusClasses.gatewayStatus(qualifier)));
                case CONNECTIONS_PROTOCOL ->
                {
                    final ConnectionProtocol protocol = ConnectionProtocol.of(qualifier);
                    label(out, "protocol", protocol.protocol());
                    label(out, "tls", Boolean.toString(protocol.isTls()));
                }
                case QUEUE_WAIT_BUCKET, REQUEST_DURATION_BUCKET -> label(out, "le", le(qualifier));
                default ->
                {
                }
            }
        }
        return out.isEmpty() ? "" : "{" + out + "}";
    }

    /**
     * @param bucket a histogram bucket's qualifier.
     * @return its upper bound in seconds as Prometheus writes it, e.g. {@code 0.025}, or {@code +Inf}.
     */
    public static String le(final int bucket)
    {
        if (bucket >= LatencyHistogram.BUCKET_BOUNDS_MS.length)
        {
            return "+Inf";
        }
        final long ms = LatencyHistogram.BUCKET_BOUNDS_MS[bucket];
        return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }

    private static void label(final StringBuilder out, final String name, final String value)
    {
        if (!out.isEmpty())
        {
            out.append(',');
        }
        out.append(name).append("=\"");
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if ('"' == c || '\\' == c)
            {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }
}
