package io.sluice.listener.counters;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.EnumMap;
import java.util.Map;

/**
 * Every counter of one queue, carried by its request queue: those kept per event loop ({@link #loop(int)}, written by
 * that loop only) and those that are not — its workers' lifetime events (counted by the queue's supervisor thread,
 * with atomic increments: they are rare) and the values sampled from its host. Allocated in the counters file when the
 * queue starts (at the listener's start, or by the reload that adds it) and freed once the queue is gone
 * ({@link ListenerCounters#free(QueueCounters)}); after that its lifetime events and samples are no longer counted.
 * Safe from any thread.
 */
public final class QueueCounters
{
    private final String queueName;
    private final int queueIndex;
    private final Map<CounterType, AtomicCounter> counters;
    private final QueueLoopCounters[] loops;
    private final int[] counterIds;
    private volatile boolean freed;

    QueueCounters(
        final String queueName,
        final int queueIndex,
        final Map<CounterType, AtomicCounter> counters,
        final QueueLoopCounters[] loops,
        final int[] counterIds)
    {
        this.queueName = queueName;
        this.queueIndex = queueIndex;
        this.counters = new EnumMap<>(counters);
        this.loops = loops;
        this.counterIds = counterIds;
    }

    /**
     * @return the queue's name.
     */
    public String queueName()
    {
        return queueName;
    }

    /**
     * @return the queue's number in the counters file's keys: the configuration's order for the queues of the start,
     * a new number for each queue a reload adds.
     */
    public int queueIndex()
    {
        return queueIndex;
    }

    /**
     * @param loopIndex an event loop's number.
     * @return the queue's counters on that loop, written by that loop only; null for a number the listener has no loop
     * of. Allocates nothing.
     */
    public QueueLoopCounters loop(final int loopIndex)
    {
        return loopIndex >= 0 && loopIndex < loops.length ? loops[loopIndex] : null;
    }

    /**
     * A worker process started.
     */
    public void workerStarted()
    {
        increment(CounterType.WORKER_STARTS);
    }

    /**
     * A worker process exited (or was killed).
     */
    public void workerExited()
    {
        increment(CounterType.WORKER_EXITS);
    }

    /**
     * A worker found hung was killed.
     */
    public void workerHungKilled()
    {
        increment(CounterType.WORKER_HUNG_KILLS);
    }

    /**
     * A request was sent to another worker (or connection) because the one holding it dropped it; for a host that
     * counts its retries itself (loopback), not one whose retries are sampled.
     */
    public void retried()
    {
        increment(CounterType.RETRIES);
    }

    /**
     * Rapid-fail protection stopped the queue.
     */
    public void rapidFailStopped()
    {
        increment(CounterType.RAPID_FAIL_STOPS);
    }

    /**
     * Set a sampled value; not once the counters are freed.
     *
     * @param type  a kind kept per queue.
     * @param value its value now.
     */
    public void sample(final CounterType type, final long value)
    {
        if (!freed)
        {
            counters.get(type).setRelease(value);
        }
    }

    /**
     * @param type a kind kept per queue.
     * @return its value now.
     */
    public long get(final CounterType type)
    {
        return counters.get(type).get();
    }

    /**
     * @return true once the counters were freed.
     */
    public boolean isFreed()
    {
        return freed;
    }

    /**
     * @return the ids of every counter of the queue in the file.
     */
    int[] counterIds()
    {
        return counterIds;
    }

    /**
     * Mark the counters freed: lifetime events and samples are no longer counted.
     */
    void markFreed()
    {
        freed = true;
    }

    private void increment(final CounterType type)
    {
        if (!freed)
        {
            counters.get(type).increment();
        }
    }
}
