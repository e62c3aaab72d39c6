package io.sluice.listener.counters;

import io.sluice.dispatch.shm.CountersFileDescriptor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every counter of the listener, in one Agrona {@link CountersManager}: over the counters file
 * ({@link CountersFileDescriptor}) in the listener's shared-memory directory, so that {@code sluice stat} and
 * {@code /metrics} read the same values without touching the event loops, or in memory for tests. All counters are
 * allocated when made (the file's header is marked ready after); none is freed.
 * <pre>
 *   listener:           sampled gauges (connections, admin, outbound bytes)
 *   each loop:          LoopCounters: accepted, refused, by protocol
 *   each queue:         QueueCounters: worker starts, exits, hung kills, rapid-fail stops; sampled host values
 *   each queue x loop:  QueueLoopCounters: status classes, 502/503/504, wait and latency histograms, bytes in/out
 * </pre>
 */
public final class ListenerCounters implements AutoCloseable
{
    private final CountersManager manager;
    private final MappedByteBuffer mapped;
    private final LoopCounters[] loops;
    private final QueueCounters[] queues;
    private final Map<CounterType, AtomicCounter> listenerCounters = new EnumMap<>(CounterType.class);
    private final AtomicCounter[] allocatedBytes;
    private final UnsafeBuffer keyBuffer = new UnsafeBuffer(new byte[CountersReader.MAX_KEY_LENGTH]);
    private boolean closed;

    private ListenerCounters(
        final AtomicBuffer metaData,
        final AtomicBuffer values,
        final MappedByteBuffer mapped,
        final List<String> queueNames,
        final int loopCount)
    {
        this.manager = new CountersManager(metaData, values, StandardCharsets.US_ASCII);
        this.mapped = mapped;
        for (final CounterType type : CounterType.values())
        {
            if (CounterType.Scope.LISTENER == type.scope())
            {
                listenerCounters.put(type, counter(type, CountersFileDescriptor.NONE, null, CountersFileDescriptor.NONE,
                    CountersFileDescriptor.NONE));
            }
        }
        allocatedBytes = new AtomicCounter[loopCount];
        for (int loop = 0; loop < loopCount; loop++)
        {
            allocatedBytes[loop] = counter(CounterType.EVENT_LOOP_ALLOCATED_BYTES, CountersFileDescriptor.NONE, null,
                loop, CountersFileDescriptor.NONE);
        }
        queues = new QueueCounters[queueNames.size()];
        for (int q = 0; q < queues.length; q++)
        {
            final Map<CounterType, AtomicCounter> queueCounters = new EnumMap<>(CounterType.class);
            for (final CounterType type : CounterType.values())
            {
                if (CounterType.Scope.QUEUE == type.scope())
                {
                    queueCounters.put(type, counter(type, q, queueNames.get(q), CountersFileDescriptor.NONE,
                        CountersFileDescriptor.NONE));
                }
            }
            queues[q] = new QueueCounters(queueNames.get(q), queueCounters);
        }
        loops = new LoopCounters[loopCount];
        for (int loop = 0; loop < loopCount; loop++)
        {
            final QueueLoopCounters[] queueLoops = new QueueLoopCounters[queueNames.size()];
            for (int q = 0; q < queueLoops.length; q++)
            {
                final String name = queueNames.get(q);
                queueLoops[q] = new QueueLoopCounters(
                    counters(CounterType.QUEUE_REQUESTS, q, name, loop),
                    counters(CounterType.QUEUE_GATEWAY_RESPONSES, q, name, loop),
                    histogram(CounterType.QUEUE_WAIT_BUCKET, CounterType.QUEUE_WAIT_SUM, q, name, loop),
                    histogram(CounterType.REQUEST_DURATION_BUCKET, CounterType.REQUEST_DURATION_SUM, q, name, loop),
                    counter(CounterType.REQUEST_BYTES, q, name, loop, CountersFileDescriptor.NONE),
                    counter(CounterType.RESPONSE_BYTES, q, name, loop, CountersFileDescriptor.NONE));
            }
            loops[loop] = new LoopCounters(
                loop,
                counter(CounterType.CONNECTIONS_ACCEPTED, CountersFileDescriptor.NONE, null, loop,
                    CountersFileDescriptor.NONE),
                counter(CounterType.CONNECTIONS_REFUSED, CountersFileDescriptor.NONE, null, loop,
                    CountersFileDescriptor.NONE),
                counters(CounterType.CONNECTIONS_PROTOCOL, CountersFileDescriptor.NONE, null, loop),
                queueLoops);
        }
    }

    /**
     * Create the counters file in the listener's shared-memory directory, allocate every counter, and mark it ready.
     *
     * @param dir        the listener's directory, held.
     * @param queueNames the queues, in the configuration's order (their numbers).
     * @param loopCount  the event loops.
     * @return the counters.
     * @throws IOException when the file cannot be created.
     */
    public static ListenerCounters create(
        final SharedMemoryFiles.PrivateDirectory dir, final List<String> queueNames, final int loopCount)
        throws IOException
    {
        final int counterCount = CounterType.counterCount(queueNames.size(), loopCount);
        final MappedByteBuffer file = dir.createCountersFile(CountersFileDescriptor.fileLength(counterCount));
        try
        {
            final UnsafeBuffer header = CountersFileDescriptor.createHeaderBuffer(file);
            CountersFileDescriptor.fillHeader(
                header, counterCount, ProcessHandle.current().pid(), System.currentTimeMillis());
            final ListenerCounters counters = new ListenerCounters(
                CountersFileDescriptor.createMetaDataBuffer(file, header),
                CountersFileDescriptor.createValuesBuffer(file, header),
                file, queueNames, loopCount);
            CountersFileDescriptor.signalReady(header);
            return counters;
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(file);
            throw ex;
        }
    }

    /**
     * Counters in memory only, for a listener without a counters file (tests).
     *
     * @param queueNames the queues, in the configuration's order.
     * @param loopCount  the event loops.
     * @return the counters.
     */
    public static ListenerCounters inMemory(final List<String> queueNames, final int loopCount)
    {
        final int counterCount = CounterType.counterCount(queueNames.size(), loopCount);
        return new ListenerCounters(
            new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFileDescriptor.metaDataLength(counterCount))),
            new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFileDescriptor.valuesLength(counterCount))),
            null, queueNames, loopCount);
    }

    /**
     * @return a reader of every counter; safe from any thread.
     */
    public CountersReader reader()
    {
        return manager;
    }

    /**
     * @return the number of event loops.
     */
    public int loopCount()
    {
        return loops.length;
    }

    /**
     * @param loopIndex a loop's number.
     * @return that loop's counters.
     */
    public LoopCounters loop(final int loopIndex)
    {
        return loops[loopIndex];
    }

    /**
     * @return the number of queues.
     */
    public int queueCount()
    {
        return queues.length;
    }

    /**
     * @param queueIndex a queue's number.
     * @return that queue's counters.
     */
    public QueueCounters queue(final int queueIndex)
    {
        return queues[queueIndex];
    }

    /**
     * @param queueName a queue's name.
     * @return its counters, or null when there is no queue of that name.
     */
    public QueueCounters queue(final String queueName)
    {
        for (final QueueCounters queue : queues)
        {
            if (queue.queueName().equals(queueName))
            {
                return queue;
            }
        }
        return null;
    }

    /**
     * Set a sampled value of the listener.
     *
     * @param type  a kind kept once for the listener.
     * @param value its value now.
     */
    public void sample(final CounterType type, final long value)
    {
        listenerCounters.get(type).setRelease(value);
    }

    /**
     * Set the bytes an event loop's thread has allocated.
     *
     * @param loopIndex      a loop's number.
     * @param allocatedBytes its value now.
     */
    public void sampleAllocatedBytes(final int loopIndex, final long allocatedBytes)
    {
        this.allocatedBytes[loopIndex].setRelease(allocatedBytes);
    }

    /**
     * Unmap the file (it is removed with the directory). Only once nothing counts any more.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
        }
    }

    private AtomicCounter[] counters(final CounterType type, final int queueIndex, final String name, final int loop)
    {
        final AtomicCounter[] counters = new AtomicCounter[type.qualifierCount()];
        for (int i = 0; i < counters.length; i++)
        {
            counters[i] = counter(type, queueIndex, name, loop, i);
        }
        return counters;
    }

    private LatencyHistogram histogram(
        final CounterType buckets, final CounterType sum, final int queueIndex, final String name, final int loop)
    {
        return new LatencyHistogram(
            counters(buckets, queueIndex, name, loop),
            counter(sum, queueIndex, name, loop, CountersFileDescriptor.NONE));
    }

    private AtomicCounter counter(
        final CounterType type, final int queueIndex, final String queueName, final int loop, final int qualifier)
    {
        final String name = null == queueName ? "" : queueName;
        final int nameLength = Math.min(name.length(), CountersFileDescriptor.KEY_QUEUE_NAME_MAX_LENGTH);
        keyBuffer.putInt(CountersFileDescriptor.KEY_QUEUE_INDEX_OFFSET, queueIndex);
        keyBuffer.putInt(CountersFileDescriptor.KEY_LOOP_INDEX_OFFSET, loop);
        keyBuffer.putInt(CountersFileDescriptor.KEY_QUALIFIER_OFFSET, qualifier);
        keyBuffer.putInt(CountersFileDescriptor.KEY_QUEUE_NAME_LENGTH_OFFSET, nameLength);
        keyBuffer.putStringWithoutLengthAscii(CountersFileDescriptor.KEY_QUEUE_NAME_OFFSET, name, 0, nameLength);
        final String label = CounterSeries.label(type, name, loop, qualifier);
        final byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
        return manager.newCounter(
            type.typeId(),
            keyBuffer, 0, CountersFileDescriptor.KEY_QUEUE_NAME_OFFSET + nameLength,
            new UnsafeBuffer(labelBytes), 0, Math.min(labelBytes.length, CountersReader.MAX_LABEL_LENGTH));
    }
}
