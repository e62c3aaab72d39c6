package io.sluice.listener.counters;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * One queue's request counters on one event loop: written only by that loop (plain reads and ordered writes, never
 * an atomic read-modify-write), summed over the loops by the readers. Allocates nothing.
 */
public final class QueueLoopCounters
{
    private final AtomicCounter[] statusClasses;
    private final AtomicCounter[] gatewayStatuses;
    private final LatencyHistogram queueWait;
    private final LatencyHistogram duration;
    private final AtomicCounter requestBytes;
    private final AtomicCounter responseBytes;

    QueueLoopCounters(
        final AtomicCounter[] statusClasses,
        final AtomicCounter[] gatewayStatuses,
        final LatencyHistogram queueWait,
        final LatencyHistogram duration,
        final AtomicCounter requestBytes,
        final AtomicCounter responseBytes)
    {
        this.statusClasses = statusClasses;
        this.gatewayStatuses = gatewayStatuses;
        this.queueWait = queueWait;
        this.duration = duration;
        this.requestBytes = requestBytes;
        this.responseBytes = responseBytes;
    }

    /**
     * Count a request answered (its response head sent) with a status.
     *
     * @param status the final status, 100..599; another is not counted.
     */
    public void answered(final int status)
    {
        final int statusClass = StatusClasses.classOf(status);
        if (statusClass >= 0)
        {
            statusClasses[statusClass].incrementRelease();
        }
        final int gateway = StatusClasses.gatewayOf(status);
        if (gateway >= 0)
        {
            gatewayStatuses[gateway].incrementRelease();
        }
    }

    /**
     * Count a request's time in queue.
     *
     * @param waitNs from admission until a worker or handler took it.
     */
    public void queueWait(final long waitNs)
    {
        queueWait.record(waitNs);
    }

    /**
     * Count a request's total latency.
     *
     * @param durationNs from its head's arrival until its response completed.
     */
    public void duration(final long durationNs)
    {
        duration.record(durationNs);
    }

    /**
     * Count request body bytes received.
     *
     * @param length bytes.
     */
    public void requestBytes(final long length)
    {
        requestBytes.getAndAddRelease(length);
    }

    /**
     * Count response bytes written.
     *
     * @param length bytes.
     */
    public void responseBytes(final long length)
    {
        responseBytes.getAndAddRelease(length);
    }
}
