package io.sluice.dispatch.worker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Announces, on a thread of its own, the response records the duty thread published but has not yet announced to the
 * listener, when handler code keeps the duty thread from doing so within about a millisecond.
 * <p>
 * The duty thread announces its records once per read batch, so that a batch of answers costs the listener one
 * wake-up rather than one each. Handler code may block, though, and an answer completed earlier in the batch must not
 * wait for it. So the duty thread {@link #handOff hands off} what it owes before it calls into the handler (and after
 * each record it publishes from inside the handler) and {@link #takeBack takes it back} when the handler returns.
 * A hand-off carries the time of the duty thread's read batch, at most as late as the hand-off itself. The watcher
 * {@link #poll looks} every {@link #POLL_INTERVAL_NS} ns and announces a hand-off owed for at least
 * {@link #ANNOUNCE_AFTER_NS} ns: at most about a millisecond after it was made. A handler that returns in time costs
 * no system call and no context switch.
 * <p>
 * An idle watcher costs nothing: after {@link #IDLE_POLLS_BEFORE_PARK} looks with nothing handed off, it parks until
 * the next hand-off unparks it (a system call only then). Only what a sleeping listener is owed is handed off
 * ({@link ResponsePublisher}): a busy worker whose listener looks at its ring hands nothing off, and the watcher stays
 * parked; while hand-offs come, it costs one short wake-up per interval.
 * <p>
 * Only one duty thread calls {@link #handOff} and {@link #takeBack}; only the watcher thread, or a test, calls
 * {@link #poll}.
 */
final class PendingWakeWatcher implements Runnable
{
    /**
     * Interval between two looks of the watcher.
     */
    static final long POLL_INTERVAL_NS = TimeUnit.MICROSECONDS.toNanos(800);

    /**
     * Age at which a look announces a hand-off; younger ones are left to the duty thread, which is likely to take
     * them back soon. A hand-off is announced at most {@code POLL_INTERVAL_NS + ANNOUNCE_AFTER_NS} after it was made.
     */
    static final long ANNOUNCE_AFTER_NS = TimeUnit.MICROSECONDS.toNanos(200);

    /**
     * Looks with nothing handed off before the watcher parks until the next hand-off: {@value}.
     */
    static final int IDLE_POLLS_BEFORE_PARK = 20;

    private static final VarHandle HANDED_OFF;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            HANDED_OFF = lookup.findVarHandle(PendingWakeWatcher.class, "handedOff", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Runnable announce;

    /**
     * 0, or the time ({@link System#nanoTime()}, never 0) of the hand-off the watcher may announce. Written by the
     * duty thread (hand-off, take-back) and by the watcher (compare-and-set to 0 when it announces).
     */
    private volatile long handedOff;

    /**
     * True while the watcher is parked, or about to park, until the next hand-off.
     */
    private volatile boolean parked;

    private int idlePolls;
    private volatile Thread thread;

    /**
     * @param announce the wake-up check: full fence, read the listener's flag, ring its doorbell if it sleeps. Called
     *                 on the watcher thread.
     */
    PendingWakeWatcher(final Runnable announce)
    {
        this.announce = announce;
    }

    /**
     * Start the watcher thread (a daemon).
     *
     * @param name of the thread.
     */
    void start(final String name)
    {
        final Thread watcher = new Thread(this, name);
        watcher.setDaemon(true);
        thread = watcher;
        watcher.start();
    }

    /**
     * Stop the watcher thread, if started (it ends at its next look).
     */
    void stop()
    {
        final Thread watcher = thread;
        if (null != watcher)
        {
            watcher.interrupt();
        }
    }

    /**
     * Duty thread: the records it published so far are owed an announcement and it is running, or about to run,
     * handler code. Unparks the watcher only when it was parked.
     *
     * @param batchNs {@link System#nanoTime()} read at the start of the duty thread's read batch: no later than now.
     */
    void handOff(final long batchNs)
    {
        handedOff = 0 == batchNs ? 1L : batchNs;
        if (parked)
        {
            final Thread watcher = thread;
            if (null != watcher)
            {
                LockSupport.unpark(watcher);
            }
        }
    }

    /**
     * Duty thread, back from handler code: take back a hand-off the watcher has not announced.
     *
     * @return true when the announcement is still owed (the duty thread makes it at the end of its batch).
     */
    boolean takeBack()
    {
        return 0 != (long)HANDED_OFF.getAndSet(this, 0L);
    }

    /**
     * One look: announce a hand-off owed for at least {@link #ANNOUNCE_AFTER_NS}.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return true when this look announced.
     */
    boolean poll(final long nowNs)
    {
        final long handOffNs = handedOff;
        if (0 != handOffNs && nowNs - handOffNs >= ANNOUNCE_AFTER_NS && HANDED_OFF.compareAndSet(this, handOffNs, 0L))
        {
            announce.run();
            return true;
        }
        return false;
    }

    /**
     * @return true while the watcher thread is parked until the next hand-off, or about to park.
     */
    boolean isParked()
    {
        return parked;
    }

    /**
     * The watcher thread: look every interval while hand-offs come, park while none does.
     */
    public void run()
    {
        while (!Thread.currentThread().isInterrupted())
        {
            poll(System.nanoTime());
            if (0 != handedOff)
            {
                idlePolls = 0;
            }
            else if (++idlePolls >= IDLE_POLLS_BEFORE_PARK)
            {
                idlePolls = 0;
                parked = true;
                // a hand-off made before the flag was visible is seen here; one made after it unparks this thread
                if (0 == handedOff)
                {
                    LockSupport.park(this);
                }
                parked = false;
                continue;
            }
            LockSupport.parkNanos(this, POLL_INTERVAL_NS);
        }
    }
}
