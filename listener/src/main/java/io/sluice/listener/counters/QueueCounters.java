package io.sluice.listener.counters;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.EnumMap;
import java.util.Map;

/**
 * One queue's counters that are not kept per event loop: its workers' lifetime events (counted by the queue's
 * supervisor thread, with atomic increments: they are rare) and the values sampled from its host. Safe from any
 * thread.
 */
public final class QueueCounters
{
    private final String queueName;
    private final Map<CounterType, AtomicCounter> counters;

    QueueCounters(final String queueName, final Map<CounterType, AtomicCounter> counters)
    {
        this.queueName = queueName;
        this.counters = new EnumMap<>(counters);
    }

    /**
     * @return the queue's name.
     */
    public String queueName()
    {
        return queueName;
    }

    /**
     * A worker process started.
     */
    public void workerStarted()
    {
        counters.get(CounterType.WORKER_STARTS).increment();
    }

    /**
     * A worker process exited (or was killed).
     */
    public void workerExited()
    {
        counters.get(CounterType.WORKER_EXITS).increment();
    }

    /**
     * A worker found hung was killed.
     */
    public void workerHungKilled()
    {
        counters.get(CounterType.WORKER_HUNG_KILLS).increment();
    }

    /**
     * A request was sent to another worker (or connection) because the one holding it dropped it; for a host that
     * counts its retries itself (loopback), not one whose retries are sampled.
     */
    public void retried()
    {
        counters.get(CounterType.RETRIES).increment();
    }

    /**
     * Rapid-fail protection stopped the queue.
     */
    public void rapidFailStopped()
    {
        counters.get(CounterType.RAPID_FAIL_STOPS).increment();
    }

    /**
     * Set a sampled value.
     *
     * @param type  a kind kept per queue.
     * @param value its value now.
     */
    public void sample(final CounterType type, final long value)
    {
        counters.get(type).setRelease(value);
    }

    /**
     * @param type a kind kept per queue.
     * @return its value now.
     */
    public long get(final CounterType type)
    {
        return counters.get(type).get();
    }
}
