package io.sluice.listener.process;

import io.sluice.listener.config.WorkerLifetime;

import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * When a queue's workers run ({@link WorkerLifetime}): at start, or on the first request with
 * {@code activation: on-demand}; stopped when the queue had no request for {@code idleTimeout} (started again on
 * demand) and while it is offline; and the periodic lifetime check, every {@value WorkerSupervisor#LIFETIME_CHECK_MS}
 * ms, that counts each worker's requests and recycles those past a {@code recycle} limit.
 * <p>
 * Threading: {@link #start()} runs on the caller's thread; everything else on the supervisor thread.
 */
final class WorkerLifetimeControl
{
    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());

    private final SupervisorState state;
    private final WorkerStarter starter;
    private final WorkerRecycler recycler;
    private final LifetimeLimits limits = new LifetimeLimits();

    /**
     * @param state    the supervisor's state.
     * @param starter  starts the workers.
     * @param recycler drains the workers stopped.
     */
    WorkerLifetimeControl(final SupervisorState state, final WorkerStarter starter, final WorkerRecycler recycler)
    {
        this.state = state;
        this.starter = starter;
        this.recycler = recycler;
    }

    /**
     * Start the workers (unless activation is on-demand) and the lifetime check.
     */
    void start()
    {
        final WorkerLifetime lifetime = state.config.lifetime();
        if (lifetime.activation() == WorkerLifetime.Activation.ON_DEMAND)
        {
            state.dormant = true;
            LOG.info(() -> "queue " + state.queueName + ": activation on-demand: workers start on the first request");
        }
        else
        {
            for (final WorkerSlot slot : state.active)
            {
                state.executor.execute(() -> starter.launchOrFail(slot));
            }
        }
        state.executor.scheduleWithFixedDelay(
            () ->
            {
                try
                {
                    checkLifetime();
                }
                catch (final RuntimeException ex)
                {
                    // a periodic task that throws is never run again: log, and check again next time
                    LOG.log(Level.WARNING, "queue " + state.queueName + ": lifetime check failed", ex);
                }
            },
            WorkerSupervisor.LIFETIME_CHECK_MS, WorkerSupervisor.LIFETIME_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * A request arrived: start the workers of a dormant queue, unless it is suspended or stopped.
     */
    void demand()
    {
        if (!state.dormant || state.suspended || state.stopped || state.queueStopped)
        {
            return;
        }
        LOG.info(() -> "queue " + state.queueName + ": a request arrived; starting the workers");
        wake();
    }

    /**
     * The queue is back online: start its workers again, unless activation is on-demand.
     */
    void resume()
    {
        if (!state.suspended)
        {
            return;
        }
        state.suspended = false;
        if (state.config.lifetime().activation() == WorkerLifetime.Activation.EAGER)
        {
            wake();
        }
    }

    /**
     * Stop every worker (each drains) and start none until the queue wakes; a recycle under way is given up.
     *
     * @param reason for the log.
     */
    void stopAll(final String reason)
    {
        if (state.stopped)
        {
            return;
        }
        state.dormant = true;
        for (final WorkerSlot slot : state.slots)
        {
            if (null != slot.replacing)
            {
                // a recycle under way is given up: the worker it would have replaced stops too
                slot.replacing = null;
                slot.retiring = true;
            }
            else if (state.active[slot.position] == slot)
            {
                slot.stopping = true;
            }
            state.pendingRecycles[slot.position] = null;
            if (null != slot.process)
            {
                if (slot.stopping || slot.retiring)
                {
                    LOG.info(() -> "queue " + state.queueName + ": stopping " + slot + " pid " +
                        slot.process.pid() + ": " + reason);
                }
                recycler.drain(slot);
            }
            else
            {
                slot.stopping = false;
                slot.retiring = false;
            }
        }
    }

    private void wake()
    {
        state.dormant = false;
        limits.reset();
        for (final WorkerSlot slot : state.active)
        {
            slot.attempts = 0;
            if (null == slot.process)
            {
                starter.launchOrFail(slot);
            }
            // one still stopping starts again when it has exited
        }
    }

    /**
     * Every {@value WorkerSupervisor#LIFETIME_CHECK_MS} ms: count each worker's requests, recycle those past a limit,
     * and stop the workers of a queue idle for {@code idleTimeout}.
     */
    private void checkLifetime()
    {
        if (state.stopped || state.queueStopped || state.dormant)
        {
            return;
        }
        final WorkerLifetime lifetime = state.config.lifetime();
        final long nowNs = state.clock.nanoTime();
        long total = 0;
        int inFlight = 0;
        for (final WorkerSlot slot : state.slots)
        {
            if (null == slot.process)
            {
                continue;
            }
            final long count = state.events.requestCount(slot.index);
            slot.requests = count - slot.requestBase;
            if (state.active[slot.position] == slot)
            {
                total += count;
                inFlight += state.events.inFlight(slot.index);
            }
        }
        for (final WorkerSlot slot : state.active)
        {
            final Process process = slot.process;
            if (null == process || !slot.ready)
            {
                continue;
            }
            final String reason = LifetimeLimits.recycleReason(lifetime, slot, process.pid(), nowNs);
            if (null != reason)
            {
                starter.recycle(slot.position, reason);
            }
        }
        if (limits.isIdle(lifetime.idleTimeoutMs(), total, inFlight, nowNs))
        {
            stopAll("no request for idleTimeout=" + lifetime.idleTimeoutMs() + "ms");
        }
    }
}
