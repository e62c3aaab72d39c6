package io.sluice.listener.process;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The overlapped recycle of a queue's workers: choosing the spare slot a position's replacement starts in (or
 * deferring the recycle while the worker replaced last time still drains there), the takeover once the replacement
 * is ready, and the drain of a worker that gets no new requests ({@link SlotDrain}). Starting the replacement is
 * {@link WorkerStarter}'s.
 * <p>
 * Threading: confined to the supervisor thread.
 */
final class WorkerRecycler
{
    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());

    private final SupervisorState state;

    /**
     * @param state the supervisor's state.
     */
    WorkerRecycler(final SupervisorState state)
    {
        this.state = state;
    }

    /**
     * Prepare the recycle of a position's current worker.
     *
     * @param position the worker's position.
     * @param reason   for the log.
     * @return the spare slot to start the replacement in, or null when there is none to start now: the queue or the
     * worker is not running, a recycle is under way, or it waits for the worker replaced last time to exit.
     */
    WorkerSlot replacementSlot(final int position, final String reason)
    {
        final WorkerSlot current = state.active[position];
        if (state.stopped || state.queueStopped || state.dormant || null == current.process)
        {
            return null;
        }
        final WorkerSlot spare = state.slots[state.twin(current.index)];
        if (null != spare.replacing)
        {
            return null;
        }
        if (null != spare.process)
        {
            // the worker replaced last time still drains in the spare slot: recycle once it has exited
            state.pendingRecycles[position] = reason;
            return null;
        }
        LOG.info(() -> "queue " + state.queueName + ": recycling " + current + " pid " + current.process.pid() +
            " (" + reason + "): starting its replacement in slot " + spare.index);
        spare.replacing = current;
        spare.retiring = false;
        spare.stopping = false;
        spare.attempts = 0;
        return spare;
    }

    /**
     * A replacement is ready: new requests go to it from now on, and the worker it replaces drains.
     *
     * @param old         the slot of the worker replaced.
     * @param replacement the slot of its ready replacement.
     */
    void takeOver(final WorkerSlot old, final WorkerSlot replacement)
    {
        replacement.replacing = null;
        state.active[old.position] = replacement;
        state.recycles[old.position]++;
        state.events.onTakeOver(old.index, replacement.index);
        LOG.info(() -> "queue " + state.queueName + ": " + replacement + " pid " + pidOf(replacement) +
            " took over from " + old + " pid " + pidOf(old) + ", which drains");
        old.retiring = true;
        if (null != old.process)
        {
            drain(old);
        }
        else
        {
            old.retiring = false;
        }
    }

    /**
     * Drain a worker that gets no new requests, unless its drain runs already.
     *
     * @param slot the worker's slot.
     */
    void drain(final WorkerSlot slot)
    {
        if (null == slot.drainTimer)
        {
            slot.drainTimer = state.executor.scheduleWithFixedDelay(
                new SlotDrain(state.queueName, slot, state.events, state.config.shutdownTimeLimitMs()),
                0, SlotDrain.POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static long pidOf(final WorkerSlot slot)
    {
        final Process process = slot.process;
        return null == process ? -1 : process.pid();
    }
}
