package io.sluice.listener.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a queue's workers are doing, for the host, the admin port and the status document: the positions ready, the
 * running workers' process ids, and a {@link WorkerStatus} snapshot of each worker.
 * <p>
 * Threading: any thread; reads what the supervisor thread publishes (the slots' volatile fields).
 */
final class WorkerStatusReport
{
    private final SupervisorState state;

    /**
     * @param state the supervisor's state.
     */
    WorkerStatusReport(final SupervisorState state)
    {
        this.state = state;
    }

    /**
     * @return the positions whose current worker proved ready and has not exited since.
     */
    int readyCount()
    {
        int count = 0;
        for (final WorkerSlot slot : state.active)
        {
            if (slot.ready)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @param position a worker's position.
     * @return the PID of the position's current worker, or -1 when it is not running.
     */
    long pid(final int position)
    {
        final Process process = state.active[position].process;
        return null != process && process.isAlive() ? process.pid() : -1;
    }

    /**
     * @return PIDs of the running workers, those draining included.
     */
    List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        for (final WorkerSlot slot : state.slots)
        {
            final Process process = slot.process;
            if (null != process && process.isAlive())
            {
                pids.add(process.pid());
            }
        }
        return pids;
    }

    /**
     * @return a snapshot of every position's current worker, then of the workers draining.
     */
    List<WorkerStatus> workers()
    {
        final long nowNs = state.clock.nanoTime();
        final List<WorkerStatus> workers = new ArrayList<>();
        for (final WorkerSlot slot : state.active)
        {
            workers.add(status(slot, nowNs));
        }
        for (final WorkerSlot slot : state.slots)
        {
            if (state.active[slot.position] != slot && null != slot.process)
            {
                workers.add(status(slot, nowNs));
            }
        }
        return workers;
    }

    private WorkerStatus status(final WorkerSlot slot, final long nowNs)
    {
        final Process process = slot.process;
        final boolean running = null != process;
        return new WorkerStatus(
            slot.position,
            slot.index,
            running ? process.pid() : -1,
            slot.state(),
            running ? TimeUnit.NANOSECONDS.toMillis(nowNs - slot.startedNs) : 0,
            running ? slot.requests : 0,
            state.restarts[slot.position],
            state.recycles[slot.position]);
    }
}
