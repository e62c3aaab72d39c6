package io.sluice.listener.counters;

import io.sluice.dispatch.shm.CountersFileDescriptor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import org.agrona.IoUtil;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Every counter of the listener, in one Agrona {@link CountersManager}: over the counters file
 * ({@link CountersFileDescriptor}) in the listener's shared-memory directory, so that {@code sluice stat} and
 * {@code /metrics} read the same values without touching the event loops, or in memory for tests. The listener's and
 * the loops' counters are allocated when made, with those of the start's queues (the file's header is marked ready
 * after); a queue added by a reload is allocated then ({@link #allocateQueue}) in the room left for
 * {@link #SPARE_QUEUES_DEFAULT} more queues, and a queue's counters are freed once it is gone ({@link #free}): a freed
 * counter is reused only {@link #FREE_TO_REUSE_TIMEOUT_MS} ms later, so a late write to it lands nowhere a reader looks.
 * <pre>
 *   listener:           sampled gauges (connections, admin, outbound bytes)
 *   each loop:          LoopCounters: accepted, refused, by protocol
 *   each queue:         QueueCounters: worker starts, exits, hung kills, rapid-fail stops; sampled host values
 *   each queue x loop:  QueueLoopCounters (carried by the queue's QueueCounters): status classes, 502/503/504, wait
 *                       and latency histograms, bytes in/out
 * </pre>
 * Threading: allocating and freeing (the start, the reloading thread, a retired queue's thread) hold this object's
 * lock, one at a time; counting and reading take none.
 */
public final class ListenerCounters implements AutoCloseable
{
    /**
     * How many queues more than the start's the counters file has room for (queues added by reloads, while those they
     * replace are still draining): {@value}.
     */
    public static final int SPARE_QUEUES_DEFAULT = 16;

    /**
     * How long a freed counter is kept from reuse, in ms: {@value}.
     */
    public static final long FREE_TO_REUSE_TIMEOUT_MS = 1000;

    private static final Logger LOG = Logger.getLogger(ListenerCounters.class.getName());

    private final CountersManager manager;
    private final MappedByteBuffer mapped;
    private final LoopCounters[] loops;
    private final Map<String, QueueCounters> queues = new ConcurrentHashMap<>();
    private final Map<CounterType, AtomicCounter> listenerCounters = new EnumMap<>(CounterType.class);
    private final AtomicCounter[] allocatedBytes;
    private final UnsafeBuffer keyBuffer = new UnsafeBuffer(new byte[CountersReader.MAX_KEY_LENGTH]);
    private final IntArrayList allocating = new IntArrayList();
    private int nextQueueIndex;
    private boolean closed;

    private ListenerCounters(
        final AtomicBuffer metaData,
        final AtomicBuffer values,
        final MappedByteBuffer mapped,
        final List<String> queueNames,
        final int loopCount,
        final EpochClock epochClock)
    {
        this.manager = new CountersManager(
            metaData, values, StandardCharsets.US_ASCII, epochClock, FREE_TO_REUSE_TIMEOUT_MS);
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
        loops = new LoopCounters[loopCount];
        for (int loop = 0; loop < loopCount; loop++)
        {
            loops[loop] = new LoopCounters(
                loop,
                counter(CounterType.CONNECTIONS_ACCEPTED, CountersFileDescriptor.NONE, null, loop,
                    CountersFileDescriptor.NONE),
                counter(CounterType.CONNECTIONS_REFUSED, CountersFileDescriptor.NONE, null, loop,
                    CountersFileDescriptor.NONE),
                counters(CounterType.CONNECTIONS_PROTOCOL, CountersFileDescriptor.NONE, null, loop));
        }
        for (final String queueName : queueNames)
        {
            if (null == allocateQueue(queueName))
            {
                throw new IllegalStateException("the counters file has no room for queue " + queueName);
            }
        }
    }

    /**
     * Create the counters file in the listener's shared-memory directory, with room for the start's queues and
     * {@link #SPARE_QUEUES_DEFAULT} more; allocate every counter of the start, and mark it ready.
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
        final int counterCount = CounterType.counterCount(queueNames.size() + SPARE_QUEUES_DEFAULT, loopCount);
        final MappedByteBuffer file = dir.createCountersFile(CountersFileDescriptor.fileLength(counterCount));
        try
        {
            final UnsafeBuffer header = CountersFileDescriptor.createHeaderBuffer(file);
            CountersFileDescriptor.fillHeader(
                header, counterCount, ProcessHandle.current().pid(), System.currentTimeMillis());
            final ListenerCounters counters = new ListenerCounters(
                CountersFileDescriptor.createMetaDataBuffer(file, header),
                CountersFileDescriptor.createValuesBuffer(file, header),
                file, queueNames, loopCount, SystemEpochClock.INSTANCE);
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
     * Counters in memory only, for a listener without a counters file (tests), with no room for more queues.
     *
     * @param queueNames the queues, in the configuration's order.
     * @param loopCount  the event loops.
     * @return the counters.
     */
    public static ListenerCounters inMemory(final List<String> queueNames, final int loopCount)
    {
        return inMemory(queueNames, loopCount, 0, SystemEpochClock.INSTANCE);
    }

    /**
     * Counters in memory only (tests).
     *
     * @param queueNames  the queues, in the configuration's order.
     * @param loopCount   the event loops.
     * @param spareQueues room for how many queues more.
     * @param epochClock  the clock of a freed counter's reuse.
     * @return the counters.
     */
    public static ListenerCounters inMemory(
        final List<String> queueNames, final int loopCount, final int spareQueues, final EpochClock epochClock)
    {
        final int counterCount = CounterType.counterCount(queueNames.size() + spareQueues, loopCount);
        return new ListenerCounters(
            new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFileDescriptor.metaDataLength(counterCount))),
            new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFileDescriptor.valuesLength(counterCount))),
            null, queueNames, loopCount, epochClock);
    }

    /**
     * Allocate a queue's counters, under a number no queue had before, and find them by its name from now on
     * ({@link #queue(String)}). When the file is full the queue is not counted: one warning is logged and null
     * returned.
     *
     * @param queueName the queue's name.
     * @return its counters, or null when the file has no room for them (or is closed).
     */
    public synchronized QueueCounters allocateQueue(final String queueName)
    {
        if (closed)
        {
            return null;
        }
        final int queueIndex = nextQueueIndex++;
        allocating.clear();
        final QueueCounters counters;
        try
        {
            final Map<CounterType, AtomicCounter> queueCounters = new EnumMap<>(CounterType.class);
            for (final CounterType type : CounterType.values())
            {
                if (CounterType.Scope.QUEUE == type.scope())
                {
                    queueCounters.put(type, counter(type, queueIndex, queueName, CountersFileDescriptor.NONE,
                        CountersFileDescriptor.NONE));
                }
            }
            final QueueLoopCounters[] queueLoops = new QueueLoopCounters[loops.length];
            for (int loop = 0; loop < queueLoops.length; loop++)
            {
                queueLoops[loop] = new QueueLoopCounters(
                    counters(CounterType.QUEUE_REQUESTS, queueIndex, queueName, loop),
                    counters(CounterType.QUEUE_GATEWAY_RESPONSES, queueIndex, queueName, loop),
                    histogram(CounterType.QUEUE_WAIT_BUCKET, CounterType.QUEUE_WAIT_SUM, queueIndex, queueName, loop),
                    histogram(CounterType.REQUEST_DURATION_BUCKET, CounterType.REQUEST_DURATION_SUM, queueIndex,
                        queueName, loop),
                    counter(CounterType.REQUEST_BYTES, queueIndex, queueName, loop, CountersFileDescriptor.NONE),
                    counter(CounterType.RESPONSE_BYTES, queueIndex, queueName, loop, CountersFileDescriptor.NONE));
            }
            counters = new QueueCounters(queueName, queueIndex, queueCounters, queueLoops, allocating.toIntArray());
        }
        catch (final IllegalStateException ex)
        {
            for (int i = 0; i < allocating.size(); i++)
            {
                manager.free(allocating.getInt(i));
            }
            queues.remove(queueName);
            LOG.warning(() -> "queue " + queueName + ": the counters file is full (" + manager.capacity() +
                " counters), so the queue is served without counters until the listener restarts");
            return null;
        }
        queues.put(queueName, counters);
        return counters;
    }

    /**
     * Free a queue's counters, once nothing counts in them any more (its requests drained, its host stopped): they
     * leave the file, and their room is reused for a queue added later. Once only; nothing after the close.
     *
     * @param counters the queue's counters.
     */
    public synchronized void free(final QueueCounters counters)
    {
        if (closed || counters.isFreed())
        {
            return;
        }
        counters.markFreed();
        queues.remove(counters.queueName(), counters);
        for (final int counterId : counters.counterIds())
        {
            manager.free(counterId);
        }
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
     * @param queueName a queue's name.
     * @return the counters last allocated for a queue of that name and not freed, or null when there are none.
     */
    public QueueCounters queue(final String queueName)
    {
        return queues.get(queueName);
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
    public synchronized void close()
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
        final int counterId = manager.allocate(
            type.typeId(),
            keyBuffer, 0, CountersFileDescriptor.KEY_QUEUE_NAME_OFFSET + nameLength,
            new UnsafeBuffer(labelBytes), 0, Math.min(labelBytes.length, CountersReader.MAX_LABEL_LENGTH));
        allocating.addInt(counterId);
        return new AtomicCounter(manager.valuesBuffer(), counterId);
    }
}
