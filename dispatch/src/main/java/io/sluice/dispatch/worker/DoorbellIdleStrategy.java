package io.sluice.dispatch.worker;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a shared-memory worker's duty cycle idles: after work it goes straight on; idle, it spins
 * {@value #SPINS_BEFORE_SLEEP} times, yields {@value #YIELDS_BEFORE_SLEEP} times, then arms its doorbell and blocks
 * reading it ({@link SharedMemoryWorker#sleep()}: sets its sleeping flag, looks at the ring once more, then reads the
 * doorbell socket until the listener rings), so an idle worker costs no CPU. A worker asked to stop does not block on
 * the doorbell (the listener's wake-ups are no longer wanted): it looks again every millisecond until it has
 * finished.
 * <p>
 * Duty thread only.
 */
final class DoorbellIdleStrategy implements IdleStrategy
{
    /**
     * Idle duty cycles that spin before the worker yields: {@value}.
     */
    static final int SPINS_BEFORE_SLEEP = 200;

    /**
     * Idle duty cycles that yield, after the spins, before the worker sleeps on its doorbell: {@value}.
     */
    static final int YIELDS_BEFORE_SLEEP = 20;

    /**
     * Pause of an idle duty cycle while the worker finishes after a request to stop: {@value} ns.
     */
    static final long STOPPING_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final WorkerDuty worker;
    private int idleCount;

    /**
     * @param worker whose doorbell(s) it sleeps on.
     */
    DoorbellIdleStrategy(final WorkerDuty worker)
    {
        this.worker = worker;
    }

    /**
     * {@inheritDoc}
     */
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            idleCount = 0;
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
        }
        else if (idleCount < SPINS_BEFORE_SLEEP)
        {
            idleCount++;
            Thread.onSpinWait();
        }
        else if (idleCount < SPINS_BEFORE_SLEEP + YIELDS_BEFORE_SLEEP)
        {
            idleCount++;
            Thread.yield();
        }
        else
        {
            worker.sleep();
            idleCount = 0;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
        idleCount = 0;
    }

    /**
     * {@inheritDoc}
     */
    public String alias()
    {
        return "doorbell";
    }
}
