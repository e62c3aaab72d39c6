package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.SpinBudget;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a shared-memory worker's duty cycle idles: after work it goes straight on; idle, it yields the CPU and looks at
 * its ring(s) again for as long as its {@link SpinBudget} allows, then arms its doorbell(s) and blocks
 * ({@link WorkerDuty#sleep()}: sets its sleeping flag(s), looks at the ring(s) once more, then reads the doorbell(s)
 * until the listener rings), so an idle worker costs no CPU. The budget (between
 * {@value #MIN_LOOK_NS} and {@value #MAX_LOOK_NS} ns, or 0) adapts: it grows while the listener's next request comes
 * within it, and shrinks to 0 when the worker sleeps anyway (one client waiting on the network for each answer):
 * looking then only costs CPU. Yielding, not spinning, lets a listener that shares the worker's CPU run.
 * A worker asked to stop does not block on the doorbell (the listener's wake-ups are no longer wanted): it looks again
 * every millisecond until it has finished.
 * <p>
 * Duty thread only.
 */
final class DoorbellIdleStrategy implements IdleStrategy
{
    /**
     * The smallest budget above 0 of an idle period's looks: {@value} ns.
     */
    static final long MIN_LOOK_NS = TimeUnit.MICROSECONDS.toNanos(1);

    /**
     * The largest budget of an idle period's looks (about what a doorbell costs both sides): {@value} ns.
     */
    static final long MAX_LOOK_NS = TimeUnit.MICROSECONDS.toNanos(16);

    /**
     * Pause of an idle duty cycle while the worker finishes after a request to stop: {@value} ns.
     */
    static final long STOPPING_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final WorkerDuty worker;
    private final NanoClock clock;
    private final SpinBudget budget = new SpinBudget(MIN_LOOK_NS, MAX_LOOK_NS);
    private boolean idling;

    /**
     * @param worker whose doorbell(s) it sleeps on.
     */
    DoorbellIdleStrategy(final WorkerDuty worker)
    {
        this(worker, SystemNanoClock.INSTANCE);
    }

    /**
     * @param worker whose doorbell(s) it sleeps on.
     * @param clock  times idle periods.
     */
    DoorbellIdleStrategy(final WorkerDuty worker, final NanoClock clock)
    {
        this.worker = worker;
        this.clock = clock;
    }

    /**
     * {@inheritDoc}
     */
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            if (idling)
            {
                idling = false;
                budget.found();
            }
        }
        else
        {
            idle();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void idle()
    {
        if (worker.isStopRequested())
        {
            LockSupport.parkNanos(STOPPING_IDLE_NS);
            return;
        }
        final long nowNs = clock.nanoTime();
        if (!idling)
        {
            idling = true;
            budget.begin(nowNs);
        }
        if (budget.isWithin(nowNs))
        {
            Thread.yield();
        }
        else
        {
            idling = false;
            budget.missed();
            worker.sleep();
        }
    }

    /**
     * @return the current budget of an idle period's looks, in nanoseconds.
     */
    long budgetNs()
    {
        return budget.budgetNs();
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
        idling = false;
    }

    /**
     * {@inheritDoc}
     */
    public String alias()
    {
        return "doorbell";
    }
}
