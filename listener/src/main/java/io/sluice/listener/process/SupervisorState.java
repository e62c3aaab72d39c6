package io.sluice.listener.process;

import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.counters.QueueCounters;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the parts of one queue's {@link WorkerSupervisor} share: its slots, which slot of each position is current,
 * the per-position counts of the status document, the queue's settings and flags, and the supervisor thread.
 * <p>
 * Threading: changed on the supervisor thread only (its single-threaded executor); the flags and the settings are
 * volatile because the host's threads read them, and {@link #stopped} and {@link #suspended} are also set by them.
 */
final class SupervisorState
{
    final String queueName;
    final WorkerEvents events;
    final NanoClock clock;
    final ScheduledExecutorService executor;
    final WorkerSlot[] slots;
    final WorkerSlot[] active;
    final int[] restarts;
    final int[] recycles;
    final String[] pendingRecycles;
    volatile WorkerConfiguration config;
    volatile boolean stopped;
    volatile boolean queueStopped;
    volatile boolean dormant;
    volatile boolean suspended;
    QueueCounters counters;

    /**
     * @param queueName the queue's name.
     * @param config    worker settings.
     * @param events    the host's callbacks.
     * @param clock     the clock of a worker's age and the queue's idle time.
     */
    SupervisorState(
        final String queueName, final WorkerConfiguration config, final WorkerEvents events, final NanoClock clock)
    {
        this.queueName = queueName;
        this.config = config;
        this.events = events;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(
            (r) ->
            {
                final Thread thread = new Thread(r, "sluice-supervisor-" + queueName);
                thread.setDaemon(true);
                return thread;
            });
        final int positions = config.processes();
        this.slots = new WorkerSlot[WorkerSupervisor.slotCount(positions)];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new WorkerSlot(i, i % positions);
        }
        this.active = new WorkerSlot[positions];
        System.arraycopy(slots, 0, active, 0, positions);
        this.restarts = new int[positions];
        this.recycles = new int[positions];
        this.pendingRecycles = new String[positions];
    }

    /**
     * Run a task on the supervisor thread; nothing happens once it is closed.
     *
     * @param task the task.
     */
    void submit(final Runnable task)
    {
        try
        {
            executor.execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // closed: every worker is being stopped anyway
        }
    }

    /**
     * @param index a slot.
     * @return the other slot of its position.
     */
    int twin(final int index)
    {
        final int positions = active.length;
        return index < positions ? index + positions : index - positions;
    }
}
