package io.sluice.listener.process;

import io.sluice.listener.config.WorkerLifetime;

import java.util.concurrent.TimeUnit;

/**
 * The lifetime limits of a queue's workers, checked periodically by its {@link WorkerSupervisor}: whether a worker is
 * due for an overlapped recycle ({@code recycle.time}, {@code recycle.requests}, {@code recycle.memory}) and whether
 * the queue has been idle for {@code idleTimeout}: no request given to any worker and none in flight since then.
 * <p>
 * Threading: confined to the supervisor thread.
 */
final class LifetimeLimits
{
    private long lastRequestTotal = -1;
    private long lastActivityNs;

    /**
     * @param lifetime the queue's lifetime settings.
     * @param slot     a ready worker's slot, its request count updated.
     * @param pid      its process id.
     * @param nowNs    the supervisor's clock.
     * @return why the worker is due for a recycle, or null when it is not.
     */
    static String recycleReason(final WorkerLifetime lifetime, final WorkerSlot slot, final long pid, final long nowNs)
    {
        if (lifetime.recycleTimeMs() > 0 &&
            nowNs - slot.startedNs >= TimeUnit.MILLISECONDS.toNanos(lifetime.recycleTimeMs()))
        {
            return "recycle.time=" + lifetime.recycleTimeMs() + "ms reached";
        }
        if (lifetime.recycleRequests() > 0 && slot.requests >= lifetime.recycleRequests())
        {
            return "recycle.requests=" + lifetime.recycleRequests() + " reached (" + slot.requests + ")";
        }
        if (lifetime.recycleMemoryBytes() > 0)
        {
            final long resident = ProcessMemory.residentBytes(pid);
            if (resident > lifetime.recycleMemoryBytes())
            {
                return "resident memory " + resident + " bytes past recycle.memory=" + lifetime.recycleMemoryBytes();
            }
        }
        return null;
    }

    /**
     * Start counting the idle time afresh: the workers were started.
     */
    void reset()
    {
        lastRequestTotal = -1;
    }

    /**
     * @param idleTimeoutMs the queue's idle timeout, 0 for none.
     * @param requestTotal  the requests given to the current workers so far (a running count).
     * @param inFlight      the requests they hold now.
     * @param nowNs         the supervisor's clock.
     * @return true when nothing happened for the idle timeout.
     */
    boolean isIdle(final long idleTimeoutMs, final long requestTotal, final int inFlight, final long nowNs)
    {
        if (requestTotal != lastRequestTotal || inFlight > 0)
        {
            lastRequestTotal = requestTotal;
            lastActivityNs = nowNs;
            return false;
        }
        return idleTimeoutMs > 0 && nowNs - lastActivityNs >= TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    }
}
