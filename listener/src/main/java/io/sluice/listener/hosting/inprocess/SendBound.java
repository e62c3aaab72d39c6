package io.sluice.listener.hosting.inprocess;

import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The response bytes a handler thread has handed over that the client connection has not taken yet, and the wait of
 * a thread that sends past a bound: {@link #acquire} parks the sending thread while more than the bound is held, and
 * {@link #release} (the event loop, as it hands bytes to the connection) or {@link #close} (the exchange ended) unparks
 * it. The thread sleeps until one of them signals; only as a safety net it also looks, every
 * {@link #STOPPED_CHECK_NS} ns, whether the side that would signal it has stopped (the connection's event loop shut
 * down with the listener: no release or close can come from it any more), and then goes on as if closed.
 * <p>
 * One thread sends at a time; any thread may release or close.
 */
final class SendBound
{
    private static final AtomicLongFieldUpdater<SendBound> HELD_LENGTH =
        AtomicLongFieldUpdater.newUpdater(SendBound.class, "heldLength");

    /**
     * How often a waiting thread looks whether the signalling side has stopped.
     */
    static final long STOPPED_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long waitLength;
    private final EventExecutor signaller;
    private volatile long heldLength;
    private volatile Thread waiter;
    private volatile boolean closed;

    /**
     * @param waitLength bytes held past which a sending thread waits.
     */
    SendBound(final long waitLength)
    {
        this(waitLength, null);
    }

    /**
     * @param waitLength bytes held past which a sending thread waits.
     * @param signaller  the executor that releases and closes this bound (the connection's event loop), or null: once
     *                   it is shutting down nothing will, so a waiting thread goes on and the bound counts as closed.
     */
    SendBound(final long waitLength, final EventExecutor signaller)
    {
        this.waitLength = waitLength;
        this.signaller = signaller;
    }

    /**
     * Count bytes a thread hands over, first waiting while more than the bound is held, unless the bound is closed.
     * An interrupt does not end the wait (the bound holds for every thread); the thread's interrupt status is kept.
     *
     * @param length bytes handed over.
     * @return the bytes held, these included.
     */
    long acquire(final int length)
    {
        if (heldLength > waitLength && !closed)
        {
            awaitRoom();
        }
        return HELD_LENGTH.addAndGet(this, length);
    }

    /**
     * Count bytes handed over by a thread that must not wait (the event loop).
     *
     * @param length bytes handed over.
     * @return the bytes held, these included.
     */
    long add(final int length)
    {
        return HELD_LENGTH.addAndGet(this, length);
    }

    /**
     * Bytes the connection took, or that were dropped: wake a waiting thread if they bring the held bytes within the
     * bound.
     *
     * @param length bytes no longer held.
     * @return the bytes still held.
     */
    long release(final int length)
    {
        final long remaining = HELD_LENGTH.addAndGet(this, -length);
        if (remaining <= waitLength)
        {
            wake();
        }
        return remaining;
    }

    /**
     * The exchange ended: a waiting thread goes on, and none waits from now on.
     */
    void close()
    {
        closed = true;
        wake();
    }

    /**
     * @return true once {@link #close()} was called.
     */
    boolean isClosed()
    {
        return closed;
    }

    /**
     * @return the bytes held now.
     */
    long heldLength()
    {
        return heldLength;
    }

    private void awaitRoom()
    {
        final Thread current = Thread.currentThread();
        boolean interrupted = false;
        // publish the waiter before looking again: a release or close after the look sees it and unparks
        waiter = current;
        try
        {
            while (heldLength > waitLength && !closed)
            {
                if (null == signaller)
                {
                    LockSupport.park(this);
                }
                else
                {
                    LockSupport.parkNanos(this, STOPPED_CHECK_NS);
                }
                if (Thread.interrupted())
                {
                    interrupted = true;
                }
                if (heldLength > waitLength && !closed && null != signaller && signaller.isShuttingDown())
                {
                    closed = true;
                }
            }
        }
        finally
        {
            waiter = null;
            if (interrupted)
            {
                current.interrupt();
            }
        }
    }

    private void wake()
    {
        final Thread thread = waiter;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }
}
