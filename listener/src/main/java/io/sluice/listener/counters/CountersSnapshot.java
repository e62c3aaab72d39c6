package io.sluice.listener.counters;

import io.sluice.dispatch.shm.CountersFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The listener's counters as read at one moment from a {@link CountersReader} (the listener's own, or one over a
 * mapped counters file): one {@link CounterSeries} per kind, queue, shown loop and qualifier, summed over the event
 * loops. Reading takes no lock and never waits for an event loop; each counter is read with an acquire load, so a
 * series may be a few counts behind one being written. Allocates; for readers, not the data plane.
 */
public final class CountersSnapshot
{
    private final List<CounterSeries> series;

    private CountersSnapshot(final List<CounterSeries> series)
    {
        this.series = series;
    }

    /**
     * @param reader the counters.
     * @return their values now.
     */
    public static CountersSnapshot read(final CountersReader reader)
    {
        // a queue removed by a reload keeps its counters until it drained; one of the same name added meanwhile has
        // others, under a new number: both count as one queue, shown under the lower number
        final Map<String, Integer> numbers = new HashMap<>();
        reader.forEach(
            (counterId, typeId, keyBuffer, label) ->
            {
                final int queueIndex = keyBuffer.getInt(CountersFileDescriptor.KEY_QUEUE_INDEX_OFFSET);
                if (null != CounterType.ofTypeId(typeId) && CountersFileDescriptor.NONE != queueIndex)
                {
                    numbers.merge(queueName(keyBuffer), queueIndex, Math::min);
                }
            });
        final TreeMap<CounterSeries, long[]> sums = new TreeMap<>();
        reader.forEach(
            (counterId, typeId, keyBuffer, label) ->
            {
                final CounterType type = CounterType.ofTypeId(typeId);
                if (null == type)
                {
                    return;
                }
                final int queueIndex = keyBuffer.getInt(CountersFileDescriptor.KEY_QUEUE_INDEX_OFFSET);
                final int loopIndex = keyBuffer.getInt(CountersFileDescriptor.KEY_LOOP_INDEX_OFFSET);
                final int qualifier = keyBuffer.getInt(CountersFileDescriptor.KEY_QUALIFIER_OFFSET);
                final String queueName = queueName(keyBuffer);
                final CounterSeries key = new CounterSeries(
                    type, numbers.getOrDefault(queueName, queueIndex), queueName,
                    type.showsLoop() ? loopIndex : CountersFileDescriptor.NONE, qualifier, 0);
                sums.computeIfAbsent(key, (k) -> new long[1])[0] += reader.getCounterValue(counterId);
            });
        final List<CounterSeries> series = new ArrayList<>(sums.size());
        sums.forEach((key, sum) -> series.add(new CounterSeries(
            key.type(), key.queueIndex(), key.queueName(), key.loopIndex(), key.qualifier(), sum[0])));
        return new CountersSnapshot(series);
    }

    private static String queueName(final DirectBuffer keyBuffer)
    {
        final int nameLength = Math.max(0, Math.min(CountersFileDescriptor.KEY_QUEUE_NAME_MAX_LENGTH,
            keyBuffer.getInt(CountersFileDescriptor.KEY_QUEUE_NAME_LENGTH_OFFSET)));
        return keyBuffer.getStringWithoutLengthAscii(CountersFileDescriptor.KEY_QUEUE_NAME_OFFSET, nameLength);
    }

    /**
     * @return every series, by kind (in {@link CounterType}'s order), then queue, loop and qualifier.
     */
    public List<CounterSeries> series()
    {
        return series;
    }

    /**
     * @param type      a kind.
     * @param queueName a queue's name, or empty for the listener's.
     * @return the sum of its series of that queue, over loops and qualifiers.
     */
    public long sum(final CounterType type, final String queueName)
    {
        long sum = 0;
        for (final CounterSeries s : series)
        {
            if (s.type() == type && s.queueName().equals(queueName))
            {
                sum += s.value();
            }
        }
        return sum;
    }

    /**
     * @param type      a kind.
     * @param queueName a queue's name, or empty for the listener's.
     * @param qualifier a qualifier (status class, status, bucket, protocol ordinal).
     * @return the sum of its series of that queue and qualifier, over loops.
     */
    public long value(final CounterType type, final String queueName, final int qualifier)
    {
        long sum = 0;
        for (final CounterSeries s : series)
        {
            if (s.type() == type && s.queueName().equals(queueName) && s.qualifier() == qualifier)
            {
                sum += s.value();
            }
        }
        return sum;
    }
}
